"""The SimCLR networks: official parameter names and shapes, and the head's maths against NumPy."""

from __future__ import annotations

import re
from typing import Any

import mindspore
import numpy as np
from hub_plugin_models.simclr.hubconf import create_network
from hub_plugin_models.simclr.networks.loss import NTXentLoss, nt_xent_loss
from hub_plugin_models.simclr.networks.network import SimCLR, SimCLRClassifier, SimCLREncoder, SimCLRWithLoss
from hub_plugin_models.simclr.networks.resnet import resnet18
from mindspore import nn

TINY = 1 / 16


def _names_and_shapes(network: nn.Cell) -> list[tuple[str, list[int]]]:
    return [(p.name, list(p.shape)) for p in network.get_parameters()]


def _images(seed: int, n: int = 2) -> mindspore.Tensor:
    return mindspore.Tensor(np.random.default_rng(seed).uniform(0, 255, (n, 3, 32, 32)).astype(np.float32))


def test_simclr_has_exactly_the_official_parameters_in_order(official_parameters: dict[str, Any]) -> None:
    expected = [(p["name"], p["shape"]) for p in official_parameters["simclr"]]
    network = create_network("simclr")
    assert _names_and_shapes(network) == expected
    total = sum(int(np.prod(shape)) for _, shape in expected)
    assert total == official_parameters["total_simclr_parameters"]


def test_encoder_and_classifier_share_the_official_encoder_names(official_parameters: dict[str, Any]) -> None:
    official = [(p["name"], p["shape"]) for p in official_parameters["simclr"]]
    encoder_part = [entry for entry in official if entry[0].startswith("encoder.")]
    head = [(p["name"], p["shape"]) for p in official_parameters["linear_classifier"]]
    assert _names_and_shapes(create_network("simclr_encoder")) == encoder_part
    assert _names_and_shapes(create_network("simclr_classifier")) == encoder_part + head


def test_projection_head_is_dense_relu_dense() -> None:
    network = SimCLR(resnet18(width_multiplier=TINY), projection_dimension=16)
    network.set_train(False)
    x = _images(0)
    h = network.features(x).asnumpy().astype(np.float64)
    w1, b1 = network.dense1.weight.asnumpy(), network.dense1.bias.asnumpy()
    w2, b2 = network.end_point.weight.asnumpy(), network.end_point.bias.asnumpy()
    expected = np.maximum(h @ w1.T + b1, 0) @ w2.T + b2
    z = network(x).asnumpy()
    assert z.shape == (2, 16)
    np.testing.assert_allclose(z, expected, rtol=1e-4, atol=1e-5)


def test_encoder_network_returns_the_features_of_the_pre_training_network() -> None:
    backbone = resnet18(width_multiplier=TINY)
    pretraining = SimCLR(backbone)
    encoder = SimCLREncoder(backbone)
    pretraining.set_train(False)
    encoder.set_train(False)
    x = _images(1)
    np.testing.assert_allclose(encoder(x).asnumpy(), pretraining.features(x).asnumpy())
    assert encoder(x).shape == (2, 32)


def test_classifier_is_linear_on_the_features() -> None:
    classifier = SimCLRClassifier(resnet18(width_multiplier=TINY), num_classes=7)
    classifier.set_train(False)
    x = _images(2)
    h = classifier.encoder(x).asnumpy()
    expected = h @ classifier.model.weight.asnumpy().T + classifier.model.bias.asnumpy()
    logits = classifier(x).asnumpy()
    assert logits.shape == (2, 7)
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-5)


def test_freezing_the_encoder_leaves_only_the_linear_layer_trainable() -> None:
    classifier = SimCLRClassifier(resnet18(width_multiplier=TINY))
    classifier.freeze_encoder()
    assert [p.name for p in classifier.trainable_params()] == ["model.weight", "model.bias"]


def test_with_loss_concatenates_the_views_through_one_pass() -> None:
    network = SimCLR(resnet18(width_multiplier=TINY), projection_dimension=8)
    network.set_train(False)  # fixed statistics: one pass of 2N equals two passes of N
    view1, view2 = _images(3, 3), _images(4, 3)
    got = float(SimCLRWithLoss(network, NTXentLoss())(view1, view2))
    expected = float(nt_xent_loss(network(view1), network(view2)))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_a_training_step_in_graph_mode_moves_all_but_the_silenced_branches() -> None:
    network = SimCLR(resnet18(width_multiplier=TINY), projection_dimension=8)
    parameters = network.trainable_params()
    names = [p.name for p in parameters]
    before = [p.asnumpy().copy() for p in parameters]
    step = nn.TrainOneStepCell(
        SimCLRWithLoss(network, NTXentLoss()), nn.SGD(network.trainable_params(), learning_rate=0.1)
    )
    step.set_train(True)
    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    try:
        loss = float(step(_images(5, 4) / 255, _images(6, 4) / 255))
    finally:
        mindspore.set_context(mode=mindspore.PYNATIVE_MODE)
    assert np.isfinite(loss)
    unchanged = [
        name
        for name, parameter, old in zip(names, parameters, before, strict=True)
        if np.array_equal(parameter.asnumpy(), old)
    ]
    # The last BatchNorm of every residual branch starts at gamma = 0, so on the first step no
    # gradient reaches the layers before it inside the branch; everything else moves.
    silenced = [
        name
        for name in names
        if re.fullmatch(r"encoder\.layer\d\.\d\.(conv1\.weight|bn1\.(gamma|beta)|conv2\.weight)", name)
    ]
    assert len(silenced) == 8 * 4
    assert unchanged == silenced
