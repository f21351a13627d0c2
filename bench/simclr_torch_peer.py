"""The PyTorch peer of ``models/simclr``: the same SimCLR network and NT-Xent loss, for benchmarks only.

Same architecture as the MindSpore package (ResNet with the CIFAR stem, bias-free convolutions,
BatchNorm eps 1e-4 and momentum 0.1 in PyTorch's convention, i.e. 0.9 in MindSpore's, zero-initialised
last BatchNorm of each branch, head Dense(n, n) ReLU Dense(n, 128)), same loss (equation (1) of arXiv
2002.05709, temperature 0.5), same optimizer (Adam). The one difference: PyTorch pads a stride-2 3x3
convolution symmetrically (1, 1) where MindSpore's ``pad_mode="same"`` pads (0, 1); the arithmetic is
the same. torch is not a dependency of hub-plugin: this module is imported only by the benchmark.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _conv(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1) -> nn.Conv2d:
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, stride=stride, padding=kernel_size // 2, bias=False
    )
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return conv


def _bn(channels: int, zero: bool = False) -> nn.BatchNorm2d:
    norm = nn.BatchNorm2d(channels, eps=1e-4, momentum=0.1)
    if zero:
        nn.init.zeros_(norm.weight)
    return norm


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv(in_channels, channels, 3, stride), _bn(channels)
        self.conv2, self.bn2 = _conv(channels, channels, 3), _bn(channels, zero=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != channels:
            self.shortcut = nn.Sequential(_conv(in_channels, channels, 1, stride), _bn(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int) -> None:
        super().__init__()
        out_channels = channels * 4
        self.conv1, self.bn1 = _conv(in_channels, channels, 1), _bn(channels)
        self.conv2, self.bn2 = _conv(channels, channels, 3, stride), _bn(channels)
        self.conv3, self.bn3 = _conv(channels, out_channels, 1), _bn(out_channels, zero=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(_conv(in_channels, out_channels, 1, stride), _bn(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


LAYOUTS = {
    "resnet18": (BasicBlock, (2, 2, 2, 2)),
    "resnet34": (BasicBlock, (3, 4, 6, 3)),
    "resnet50": (Bottleneck, (3, 4, 6, 3)),
}


class SimCLRPeer(nn.Module):
    """ResNet encoder (CIFAR stem) plus projection head: ``x -> z``."""

    def __init__(self, backbone: str = "resnet50", projection_dimension: int = 128) -> None:
        super().__init__()
        block, counts = LAYOUTS[backbone]
        self.conv1, self.bn1 = _conv(3, 64, 3), _bn(64)
        stages = []
        in_channels = 64
        for index, (channels, count) in enumerate(zip((64, 128, 256, 512), counts, strict=True)):
            blocks = []
            for position in range(count):
                stride = 2 if index > 0 and position == 0 else 1
                blocks.append(block(in_channels, channels, stride))
                in_channels = channels * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*stages)
        self.dense1 = nn.Linear(in_channels, in_channels)
        self.end_point = nn.Linear(in_channels, projection_dimension)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The representation ``h``: the encoder's globally pooled features."""
        return self.layers(F.relu(self.bn1(self.conv1(x)))).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.end_point(F.relu(self.dense1(self.features(x))))


class SimCLRClassifierPeer(nn.Module):
    """The linear classifier ``x -> logits = W f(x) + b``, as ``simclr_classifier`` builds it."""

    def __init__(self, backbone: str = "resnet50", num_classes: int = 10) -> None:
        super().__init__()
        self.encoder = SimCLRPeer(backbone)
        self.model = nn.Linear(self.encoder.dense1.in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(self.encoder.features(x))


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """Equation (1) of arXiv 2002.05709: mean over the 2N anchors."""
    n = z1.shape[0]
    z = F.normalize(torch.cat((z1, z2)).float(), dim=1)
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    targets = torch.cat((torch.arange(n, 2 * n), torch.arange(0, n))).to(z.device)
    return F.cross_entropy(logits, targets)
