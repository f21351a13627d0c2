"""ResNet encoders for SimCLR, with the CIFAR stem and the official MindSpore parameter names.

He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, arXiv 1512.03385.
For CIFAR-10, SimCLR (Chen et al. 2020, arXiv 2002.05709, appendix B.9) replaces the ImageNet stem (a
7x7 stride-2 convolution and a 3x3 max-pool) by a single 3x3 stride-1 convolution and drops the
max-pool, so that a 32x32 image still has 4x4 positions after the last stage.

As in MindSpore's official SimCLR (model zoo r1.8, ``official/cv/simclr``), from whose checkpoints this
network must load:

- every convolution is bias-free with ``pad_mode="same"``; a block downsamples in its 3x3
  convolution, and the shortcut is ``down_sample_layer`` = 1x1 convolution then BatchNorm;
- BatchNorm has ``eps=1e-4`` and ``momentum=0.9`` (MindSpore's convention: ``moving = 0.9 * moving
  + 0.1 * batch``); the last BatchNorm of each residual branch starts with ``gamma = 0``, so every
  block starts as the identity (Goyal et al. 2017, arXiv 1706.02677);
- the parameter names are ``conv1``, ``bn1``, ``layer1`` .. ``layer4``, and inside a block
  ``conv1``/``bn1`` .. ``conv3``/``bn3`` and ``down_sample_layer.0``/``.1``.

The encoder ends with global average pooling: ``ResNet(x)`` is the representation ``h`` of the paper,
``num_features`` wide (2048 for ResNet-50, 512 for ResNet-18 and ResNet-34, times the width).
"""

from __future__ import annotations

from collections.abc import Callable

import mindspore
from mindspore import nn, ops
from mindspore.common.initializer import HeNormal

from ..errors import UnknownName

BATCH_NORM_EPS = 1e-4
BATCH_NORM_MOMENTUM = 0.9


def _conv(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1) -> nn.Conv2d:
    """A bias-free convolution, "same" padding, He-normal initialisation (fan-out, ReLU gain)."""
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size=kernel_size,
        stride=stride,
        pad_mode="same",
        has_bias=False,
        weight_init=HeNormal(mode="fan_out", nonlinearity="relu"),
    )


def _batch_norm(channels: int, *, zero_gamma: bool = False) -> nn.BatchNorm2d:
    """BatchNorm as official: eps 1e-4, momentum 0.9; ``zero_gamma`` for a branch's last one."""
    return nn.BatchNorm2d(
        channels,
        eps=BATCH_NORM_EPS,
        momentum=BATCH_NORM_MOMENTUM,
        gamma_init="zeros" if zero_gamma else "ones",
    )


def _shortcut(in_channels: int, out_channels: int, stride: int) -> nn.SequentialCell | None:
    """The projection shortcut (1x1 convolution, BatchNorm) where the shape changes, else None."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.SequentialCell([_conv(in_channels, out_channels, 1, stride), _batch_norm(out_channels)])


class BasicBlock(nn.Cell):
    """The two-convolution residual block of ResNet-18 and ResNet-34.

    ``y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``, both convolutions 3x3, the first
    with the block's stride.
    """

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = _conv(in_channels, channels, 3, stride)
        self.bn1 = _batch_norm(channels)
        self.conv2 = _conv(channels, out_channels, 3)
        self.bn2 = _batch_norm(out_channels, zero_gamma=True)
        self.relu = nn.ReLU()
        self.down_sample_layer = _shortcut(in_channels, out_channels, stride)

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.down_sample_layer is not None:
            identity = self.down_sample_layer(x)
        return self.relu(out + identity)


class Bottleneck(nn.Cell):
    """The bottleneck residual block of ResNet-50: 1x1 reduce, 3x3 (with the stride), 1x1 expand x4.

    ``y = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))``.
    """

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = _conv(in_channels, channels, 1)
        self.bn1 = _batch_norm(channels)
        self.conv2 = _conv(channels, channels, 3, stride)
        self.bn2 = _batch_norm(channels)
        self.conv3 = _conv(channels, out_channels, 1)
        self.bn3 = _batch_norm(out_channels, zero_gamma=True)
        self.relu = nn.ReLU()
        self.down_sample_layer = _shortcut(in_channels, out_channels, stride)

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.down_sample_layer is not None:
            identity = self.down_sample_layer(x)
        return self.relu(out + identity)


Block = type[BasicBlock] | type[Bottleneck]


class ResNet(nn.Cell):
    """A ResNet encoder without its classification layer: images (N, 3, H, W) to features (N, C).

    Args:
        block: ``BasicBlock`` (ResNet-18/34) or ``Bottleneck`` (ResNet-50).
        layers: blocks per stage, e.g. ``(3, 4, 6, 3)`` for ResNet-50.
        width_multiplier: scales every stage's width (1 for the official network; SimCLR's
            ResNet-50 (2x) and (4x) use 2 and 4). Values below 1 give the small networks that tests
            and budgeted runs use; each width is rounded down and kept at least 1.
        cifar_stem: a 3x3 stride-1 first convolution and no max-pool (for 32x32 images, as in the
            paper's CIFAR-10 experiments); False gives the ImageNet stem (7x7 stride 2, max-pool).
    """

    def __init__(
        self,
        block: Block,
        layers: tuple[int, int, int, int],
        *,
        width_multiplier: float = 1,
        cifar_stem: bool = True,
    ) -> None:
        super().__init__()
        if width_multiplier <= 0:
            raise ValueError(f"width_multiplier must be positive, got {width_multiplier}")
        widths = [max(1, int(base * width_multiplier)) for base in (64, 128, 256, 512)]
        stem = widths[0]
        if cifar_stem:
            self.conv1 = _conv(3, stem, 3, stride=1)
        else:
            self.conv1 = _conv(3, stem, 7, stride=2)
        self.bn1 = _batch_norm(stem)
        self.relu = nn.ReLU()
        self.maxpool = None if cifar_stem else nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="same")
        in_channels = stem
        stages = []
        for index, (channels, count) in enumerate(zip(widths, layers, strict=True)):
            stride = 1 if index == 0 else 2
            blocks = []
            for position in range(count):
                blocks.append(block(in_channels, channels, stride if position == 0 else 1))
                in_channels = channels * block.expansion
            stages.append(nn.SequentialCell(blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.num_features = in_channels
        self.cifar_stem = cifar_stem

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        return ops.mean(x, axis=(2, 3))


def resnet18(*, width_multiplier: float = 1, cifar_stem: bool = True) -> ResNet:
    """ResNet-18: basic blocks (2, 2, 2, 2), 512 features at width 1."""
    return ResNet(BasicBlock, (2, 2, 2, 2), width_multiplier=width_multiplier, cifar_stem=cifar_stem)


def resnet34(*, width_multiplier: float = 1, cifar_stem: bool = True) -> ResNet:
    """ResNet-34: basic blocks (3, 4, 6, 3), 512 features at width 1."""
    return ResNet(BasicBlock, (3, 4, 6, 3), width_multiplier=width_multiplier, cifar_stem=cifar_stem)


def resnet50(*, width_multiplier: float = 1, cifar_stem: bool = True) -> ResNet:
    """ResNet-50: bottleneck blocks (3, 4, 6, 3), 2048 features at width 1 (the official encoder)."""
    return ResNet(Bottleneck, (3, 4, 6, 3), width_multiplier=width_multiplier, cifar_stem=cifar_stem)


BACKBONES: dict[str, Callable[..., ResNet]] = {
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
}


def build_backbone(name: str, *, width_multiplier: float = 1, cifar_stem: bool = True) -> ResNet:
    """The encoder called ``name`` (a key of ``BACKBONES``); an unknown name lists the known ones."""
    try:
        factory = BACKBONES[name]
    except KeyError:
        raise UnknownName("backbone", name, list(BACKBONES)) from None
    return factory(width_multiplier=width_multiplier, cifar_stem=cifar_stem)


__all__ = [
    "BACKBONES",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "build_backbone",
    "resnet18",
    "resnet34",
    "resnet50",
]
