"""The ResNet encoders: structure, official settings, and a block's maths against NumPy."""

from __future__ import annotations

import math

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr.errors import UnknownName
from hub_plugin_models.simclr.networks.resnet import (
    BACKBONES,
    BasicBlock,
    Bottleneck,
    ResNet,
    build_backbone,
    resnet18,
    resnet50,
)
from mindspore import nn

TINY = 1 / 16  # 4, 8, 16, 32 channels per stage: the official structure at a test's cost


def conv2d_same(x: np.ndarray, weight: np.ndarray, stride: int) -> np.ndarray:
    """A convolution with TensorFlow's "same" padding: output ceil(H / stride), the extra padding
    row and column (when the total is odd) at the bottom and right."""
    n, _, h, w = x.shape
    k = weight.shape[2]
    out_h, out_w = math.ceil(h / stride), math.ceil(w / stride)
    pad_h = max((out_h - 1) * stride + k - h, 0)
    pad_w = max((out_w - 1) * stride + k - w, 0)
    padded = np.pad(x, ((0, 0), (0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2)))
    out = np.zeros((n, weight.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = padded[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, weight)
    return out


def batch_norm_train(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    return gamma[None, :, None, None] * (x - mean) / np.sqrt(var + eps) + beta[None, :, None, None]


def _array(parameter: mindspore.Parameter) -> np.ndarray:
    return parameter.asnumpy().astype(np.float64)


def _randomise_batch_norms(cell: nn.Cell, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for parameter in cell.get_parameters():
        if parameter.name.endswith(("gamma", "beta")):
            values = rng.normal(size=parameter.shape).astype(np.float32)
            parameter.set_data(mindspore.Tensor(values))


def test_basic_block_matches_numpy_with_stride_and_shortcut() -> None:
    block = BasicBlock(4, 6, stride=2)
    _randomise_batch_norms(block, 0)
    block.set_train(True)
    x = np.random.default_rng(1).normal(size=(2, 4, 7, 8)).astype(np.float32)
    got = block(mindspore.Tensor(x)).asnumpy()

    p = {q.name: _array(q) for q in block.get_parameters()}
    x64 = x.astype(np.float64)
    out = conv2d_same(x64, p["conv1.weight"], 2)
    out = np.maximum(batch_norm_train(out, p["bn1.gamma"], p["bn1.beta"], 1e-4), 0)
    out = batch_norm_train(conv2d_same(out, p["conv2.weight"], 1), p["bn2.gamma"], p["bn2.beta"], 1e-4)
    short = conv2d_same(x64, p["down_sample_layer.0.weight"], 2)
    short = batch_norm_train(short, p["down_sample_layer.1.gamma"], p["down_sample_layer.1.beta"], 1e-4)
    expected = np.maximum(out + short, 0)
    assert got.shape == (2, 6, 4, 4)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_bottleneck_matches_numpy() -> None:
    block = Bottleneck(8, 2, stride=1)  # 8 -> 8 channels: no shortcut projection
    assert block.down_sample_layer is None
    _randomise_batch_norms(block, 2)
    block.set_train(True)
    x = np.random.default_rng(3).normal(size=(3, 8, 5, 5)).astype(np.float32)
    got = block(mindspore.Tensor(x)).asnumpy()

    p = {q.name: _array(q) for q in block.get_parameters()}
    out = x.astype(np.float64)
    for index in (1, 2):
        out = conv2d_same(out, p[f"conv{index}.weight"], 1)
        out = np.maximum(batch_norm_train(out, p[f"bn{index}.gamma"], p[f"bn{index}.beta"], 1e-4), 0)
    out = batch_norm_train(conv2d_same(out, p["conv3.weight"], 1), p["bn3.gamma"], p["bn3.beta"], 1e-4)
    np.testing.assert_allclose(got, np.maximum(out + x, 0), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("block", [BasicBlock, Bottleneck])
def test_a_fresh_block_is_the_identity(block: type[BasicBlock] | type[Bottleneck]) -> None:
    # The last BatchNorm of the residual branch starts at gamma = 0 (and beta = 0), so a block
    # without a projection shortcut passes non-negative inputs through unchanged.
    cell = block(8, 8 // block.expansion)
    cell.set_train(True)
    x = np.abs(np.random.default_rng(4).normal(size=(2, 8, 4, 4))).astype(np.float32)
    np.testing.assert_allclose(cell(mindspore.Tensor(x)).asnumpy(), x, rtol=1e-6, atol=1e-6)


def test_batch_norms_have_the_official_settings() -> None:
    encoder = resnet50(width_multiplier=TINY)
    norms = [(name, cell) for name, cell in encoder.cells_and_names() if isinstance(cell, nn.BatchNorm2d)]
    assert len(norms) == 1 + 16 * 3 + 4  # stem, three per block, four shortcuts
    for name, cell in norms:
        assert cell.eps == pytest.approx(1e-4)
        # (momentum 0.9 is checked by its effect, in the moving-statistics test below)
        gamma = cell.gamma.asnumpy()
        if name.endswith("bn3"):
            assert np.all(gamma == 0), name
        else:
            assert np.all(gamma == 1), name


def test_moving_statistics_follow_mindspore_momentum() -> None:
    norm = resnet18(width_multiplier=TINY).bn1
    norm.set_train(True)
    x = np.random.default_rng(5).normal(loc=2.0, size=(4, 4, 3, 3)).astype(np.float32)
    norm(mindspore.Tensor(x))
    # moving = 0.9 * moving + 0.1 * batch, starting from 0
    np.testing.assert_allclose(norm.moving_mean.asnumpy(), 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-5)


def test_cifar_stem_is_a_stride_one_3x3_convolution_without_max_pool() -> None:
    encoder = resnet18(width_multiplier=TINY)
    assert encoder.conv1.weight.shape == (4, 3, 3, 3)
    assert encoder.conv1.stride == (1, 1)
    assert encoder.maxpool is None
    imagenet = resnet18(width_multiplier=TINY, cifar_stem=False)
    assert imagenet.conv1.weight.shape == (4, 3, 7, 7)
    assert isinstance(imagenet.maxpool, nn.MaxPool2d)


@pytest.mark.parametrize(
    ("name", "features", "blocks"),
    [("resnet18", 32, (2, 2, 2, 2)), ("resnet34", 32, (3, 4, 6, 3)), ("resnet50", 128, (3, 4, 6, 3))],
)
def test_encoders_return_pooled_features(name: str, features: int, blocks: tuple[int, ...]) -> None:
    encoder = build_backbone(name, width_multiplier=TINY)
    assert encoder.num_features == features
    assert (
        tuple(len(stage) for stage in (encoder.layer1, encoder.layer2, encoder.layer3, encoder.layer4))
        == blocks
    )
    encoder.set_train(False)
    out = encoder(mindspore.Tensor(np.random.default_rng(6).normal(size=(2, 3, 32, 32)).astype(np.float32)))
    assert out.shape == (2, features)


def test_features_are_the_global_average_of_the_last_stage() -> None:
    encoder = resnet18(width_multiplier=TINY)
    encoder.set_train(False)
    x = mindspore.Tensor(np.random.default_rng(7).normal(size=(2, 3, 32, 32)).astype(np.float32))
    stem = encoder.relu(encoder.bn1(encoder.conv1(x)))
    last = encoder.layer4(encoder.layer3(encoder.layer2(encoder.layer1(stem)))).asnumpy()
    assert last.shape[2:] == (4, 4)  # 32 / 8: the CIFAR stem keeps the resolution
    np.testing.assert_allclose(encoder(x).asnumpy(), last.mean(axis=(2, 3)), rtol=1e-5, atol=1e-6)


def test_trainable_parameter_counts_match_the_standard_networks() -> None:
    # torchvision's resnet18/resnet50 minus the fc layer, with the 7x7 stem conv (9408) replaced
    # by the 3x3 one (1728).
    def trainable(encoder: ResNet) -> int:
        return sum(int(np.prod(p.shape)) for p in encoder.trainable_params())

    assert trainable(resnet18()) == 11_689_512 - 513_000 - 9_408 + 1_728
    assert trainable(resnet50()) == 25_557_032 - 2_049_000 - 9_408 + 1_728


def test_width_multiplier_scales_every_stage() -> None:
    assert resnet18(width_multiplier=2).num_features == 1024
    assert resnet18(width_multiplier=0.5).conv1.weight.shape == (32, 3, 3, 3)
    with pytest.raises(ValueError, match="width_multiplier"):
        resnet18(width_multiplier=0)


def test_unknown_backbone_lists_the_known_ones() -> None:
    with pytest.raises(UnknownName) as caught:
        build_backbone("resnet101")
    assert caught.value.known == tuple(sorted(BACKBONES))
    assert "resnet50" in str(caught.value)
