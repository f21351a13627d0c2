"""The optimisers of SimCLR pre-training, with weight decay on the weights only.

- ``adam``: MindSpore's official recipe: Adam (Kingma and Ba 2015) with weight decay 3e-4.
- ``lars``: the paper's (Chen et al. 2020, arXiv 2002.05709, section B.1): LARS (You, Gitman and
  Ginsburg 2017, arXiv 1708.03888) over momentum SGD, :class:`LARS` below. For each weight ``w``
  with gradient ``g``::

      u = g + wd * w                                   (weight decay)
      r = eta * ||w|| / ||u||   (1 when either norm is 0, and for exempt parameters)
      v <- m * v + lr * r * u ;  w <- w - v

  (MindSpore's own ``nn.LARS`` is deprecated since 2.9 and has no CPU kernel.)
- ``sgd``: momentum SGD, the paper's alternative for small batches.

In every case BatchNorm's scale and shift and every bias are left out of weight decay (and out of
LARS's scaling), as the official code and the paper do.
"""

from __future__ import annotations

from typing import Any

import mindspore
import numpy as np
from mindspore import nn, ops

from ..config import TrainConfig


def is_excluded(parameter: mindspore.Parameter, batch_norm_ids: set[int]) -> bool:
    """Whether a parameter escapes weight decay: BatchNorm's gamma and beta, and biases."""
    return id(parameter) in batch_norm_ids or parameter.name.endswith(".bias")


def _batch_norm_parameter_ids(network: nn.Cell) -> set[int]:
    found: set[int] = set()
    for _, cell in network.cells_and_names():
        if isinstance(cell, (nn.BatchNorm1d, nn.BatchNorm2d)):
            found.update(id(parameter) for parameter in cell.get_parameters())
    return found


def parameter_groups(network: nn.Cell, weight_decay: float) -> list[dict[str, Any]]:
    """MindSpore parameter groups: weights with ``weight_decay``, BatchNorm and biases without."""
    batch_norm_ids = _batch_norm_parameter_ids(network)
    trainable = network.trainable_params()
    decayed = [p for p in trainable if not is_excluded(p, batch_norm_ids)]
    exempt = [p for p in trainable if is_excluded(p, batch_norm_ids)]
    groups: list[dict[str, Any]] = []
    if decayed:
        groups.append({"params": decayed, "weight_decay": weight_decay})
    if exempt:
        groups.append({"params": exempt, "weight_decay": 0.0})
    groups.append({"order_params": trainable})
    return groups


class LARS(nn.Optimizer):
    """Layer-wise adaptive rate scaling over momentum SGD; see the module docstring.

    Args:
        groups: the parameter groups of :func:`parameter_groups` (weight decay per group).
        learning_rate: one rate per step (a 1-D tensor) or a constant.
        momentum: ``m`` (0.9). trust_coefficient: ``eta`` (0.001, as in the paper's code).
        adapted: a predicate choosing the parameters that get the trust ratio (not BatchNorm or
            biases, which are updated by plain momentum SGD).
    """

    def __init__(
        self,
        groups: list[dict[str, Any]],
        learning_rate: Any,
        *,
        momentum: float = 0.9,
        trust_coefficient: float = 0.001,
        adapted: Any = None,
    ) -> None:
        decays = {
            id(p): float(g.get("weight_decay", 0.0)) for g in groups if "params" in g for p in g["params"]
        }
        ordered = next((g["order_params"] for g in groups if "order_params" in g), None)
        parameters = list(ordered) if ordered is not None else [
            p for g in groups if "params" in g for p in g["params"]
        ]
        super().__init__(learning_rate, parameters)
        self.moments = self.parameters.clone(prefix="moments", init="zeros")
        self.momentum = float(momentum)
        self.trust_coefficient = float(trust_coefficient)
        self.decays = tuple(decays.get(id(p), 0.0) for p in parameters)
        self.adapted = tuple(bool(adapted(p)) if adapted is not None else True for p in parameters)

    def construct(self, gradients: tuple[mindspore.Tensor, ...]) -> bool:
        lr = self.get_lr()
        self.assignadd(self.global_step, self.global_step_increase_tensor)
        for index in range(len(self.parameters)):
            weight = self.parameters[index]
            update = gradients[index]
            if self.decays[index] > 0:
                update = update + self.decays[index] * weight
            scale = lr
            if self.adapted[index]:
                weight_norm = ops.norm(weight)
                update_norm = ops.norm(update)
                ratio = ops.select(
                    ops.logical_and(weight_norm > 0, update_norm > 0),
                    self.trust_coefficient * weight_norm / (update_norm + 1e-12),
                    ops.ones_like(weight_norm),
                )
                scale = lr * ratio
            velocity = self.momentum * self.moments[index] + scale * update
            ops.assign(self.moments[index], velocity)
            ops.assign(weight, weight - velocity)
        return True


def build_optimizer(network: nn.Cell, config: TrainConfig, rates: np.ndarray) -> nn.Optimizer:
    """The optimiser ``config.optimizer`` over ``network``, one learning rate per step (``rates``)."""
    learning_rate = mindspore.Tensor(np.asarray(rates, dtype=np.float32))
    groups = parameter_groups(network, config.weight_decay)
    if config.optimizer == "adam":
        return nn.Adam(groups, learning_rate=learning_rate)
    if config.optimizer == "sgd":
        return nn.Momentum(groups, learning_rate=learning_rate, momentum=config.momentum)
    batch_norm_ids = _batch_norm_parameter_ids(network)
    return LARS(
        groups,
        learning_rate,
        momentum=config.momentum,
        adapted=lambda parameter: not is_excluded(parameter, batch_norm_ids),
    )


__all__ = ["LARS", "build_optimizer", "is_excluded", "parameter_groups"]
