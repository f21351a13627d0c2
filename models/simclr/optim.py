"""The optimisers of SimCLR pre-training, with weight decay on the weights only.

- ``adam``: MindSpore's official recipe: Adam (Kingma and Ba 2015) with weight decay 3e-4.
- ``lars``: the paper's (Chen et al. 2020, arXiv 2002.05709, section B.1): LARS (You, Gitman and
  Ginsburg 2017, arXiv 1708.03888) over momentum SGD; each weight's step is scaled by the trust
  ratio ``||w|| / ||grad + wd w||``.
- ``sgd``: momentum SGD, the paper's alternative for small batches.

In every case BatchNorm's scale and shift and every bias are left out of weight decay (and out of
LARS's scaling), as the official code and the paper do.
"""

from __future__ import annotations

from typing import Any

import mindspore
import numpy as np
from mindspore import nn

from .config import TrainConfig


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


def build_optimizer(network: nn.Cell, config: TrainConfig, rates: np.ndarray) -> nn.Optimizer:
    """The optimiser ``config.optimizer`` over ``network``, one learning rate per step (``rates``)."""
    learning_rate = mindspore.Tensor(np.asarray(rates, dtype=np.float32))
    groups = parameter_groups(network, config.weight_decay)
    if config.optimizer == "adam":
        return nn.Adam(groups, learning_rate=learning_rate)
    momentum = nn.Momentum(groups, learning_rate=learning_rate, momentum=config.momentum)
    if config.optimizer == "sgd":
        return momentum
    batch_norm_ids = _batch_norm_parameter_ids(network)
    return nn.LARS(
        momentum,
        epsilon=1e-5,
        coefficient=0.001,
        use_clip=False,
        lars_filter=lambda parameter: not is_excluded(parameter, batch_norm_ids),
    )


__all__ = ["build_optimizer", "is_excluded", "parameter_groups"]
