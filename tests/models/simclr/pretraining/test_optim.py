"""Weight decay on the weights only: BatchNorm's scale and shift and the biases are exempt."""

from __future__ import annotations

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr import hubconf
from hub_plugin_models.simclr.config import TrainConfig
from hub_plugin_models.simclr.pretraining.optim import build_optimizer, parameter_groups
from hub_plugin_models.simclr.pretraining.schedule import warmup_linear_decay
from mindspore import nn


def test_batch_norm_and_biases_escape_weight_decay() -> None:
    network = hubconf.simclr(backbone="resnet18", width_multiplier=0.0625)
    decayed, exempt, order = parameter_groups(network, 3e-4)
    assert decayed["weight_decay"] == 3e-4 and exempt["weight_decay"] == 0.0
    decayed_names = {p.name for p in decayed["params"]}
    exempt_names = {p.name for p in exempt["params"]}
    assert "encoder.conv1.weight" in decayed_names and "dense1.weight" in decayed_names
    assert {"encoder.bn1.gamma", "encoder.bn1.beta", "dense1.bias", "end_point.bias"} <= exempt_names
    assert not any(name.endswith((".gamma", ".beta", ".bias")) for name in decayed_names)
    assert len(order["order_params"]) == len(network.trainable_params())


class _Small(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.dense = nn.Dense(4, 3)
        self.bn = nn.BatchNorm1d(3)

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        return self.bn(self.dense(x))


@pytest.mark.parametrize("name", ["adam", "sgd", "lars"])
def test_every_optimiser_takes_a_step(name: str) -> None:
    network = _Small()
    config = TrainConfig(data="d", optimizer=name, weight_decay=0.1)
    optimizer = build_optimizer(network, config, warmup_linear_decay(4, 1, start=0.1, peak=0.1, end=0.1))
    step = nn.TrainOneStepCell(nn.WithLossCell(network, nn.MSELoss()), optimizer)
    before = network.dense.weight.asnumpy().copy()
    x = mindspore.Tensor(np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32))
    y = mindspore.Tensor(np.zeros((8, 3), np.float32))
    loss = float(step(x, y).asnumpy())
    assert np.isfinite(loss)
    assert not np.allclose(before, network.dense.weight.asnumpy())


def test_lars_step_equals_the_formula() -> None:
    """One LARS step by hand: u = g + wd w, r = eta ||w|| / ||u||, v = lr r u, w -= v."""
    network = _Small()
    config = TrainConfig(data="d", optimizer="lars", weight_decay=0.1, momentum=0.9)
    optimizer = build_optimizer(network, config, warmup_linear_decay(4, 0, start=0.5, peak=0.5, end=0.5))
    x = mindspore.Tensor(np.random.default_rng(1).normal(size=(8, 4)).astype(np.float32))
    y = mindspore.Tensor(np.ones((8, 3), np.float32))
    loss_cell = nn.WithLossCell(network, nn.MSELoss())
    weights = mindspore.ParameterTuple(network.trainable_params())
    gradients = mindspore.ops.GradOperation(get_by_list=True)(loss_cell, weights)(x, y)
    by_name = {p.name: (p.asnumpy().copy(), g.asnumpy()) for p, g in zip(weights, gradients, strict=True)}
    optimizer(gradients)
    w, g = by_name["dense.weight"]
    u = g + 0.1 * w
    expected = w - 0.5 * (0.001 * np.linalg.norm(w) / np.linalg.norm(u)) * u
    np.testing.assert_allclose(network.dense.weight.asnumpy(), expected, rtol=1e-5, atol=1e-7)
    b, gb = by_name["dense.bias"]  # exempt: plain momentum SGD, no decay, no trust ratio
    np.testing.assert_allclose(network.dense.bias.asnumpy(), b - 0.5 * gb, rtol=1e-5, atol=1e-7)
