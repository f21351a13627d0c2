"""CIFAR-10's class names (without MindSpore, for code that only names predictions)."""

from __future__ import annotations

CLASSES: tuple[str, ...] = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
"""CIFAR-10's class names, in label order."""

__all__ = ["CLASSES"]
