"""A CIFAR-10 split read once into memory: every image and label as NumPy arrays.

Pre-training draws its own reproducible data order (see :mod:`.data_order`), and evaluation
extracts every image's features once; both work on the decoded images in memory (50,000 CIFAR-10
images take 150 MB), read through :func:`.datasets.cifar10` from any of its layouts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import Split, cifar10


@dataclass(frozen=True)
class ImageSet:
    """``images`` (N x 32 x 32 x 3 uint8, RGB) and ``labels`` (N int32) of one split."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, count: int, seed: int = 0) -> ImageSet:
        """``count`` images drawn without replacement (all of them when ``count`` is 0 or more)."""
        if count <= 0 or count >= len(self):
            return self
        chosen = np.sort(np.random.default_rng(seed).choice(len(self), size=count, replace=False))
        return ImageSet(self.images[chosen], self.labels[chosen])


def worker_threads(requested: int) -> int:
    """``requested`` pipeline threads, at most the machine's cores (MindSpore refuses more)."""
    return max(1, min(requested, os.cpu_count() or 1))


def load_split(path: str | Path, split: Split, *, data_workers: int = 4) -> ImageSet:
    """Every image and label of ``split`` of the CIFAR-10 copy at ``path``, in the reader's order.

    Raises :class:`~.errors.DatasetError` for a missing path or an unknown layout.
    """
    dataset = cifar10(path, split, shuffle=False, num_parallel_workers=worker_threads(data_workers))
    images, labels = [], []
    for image, label in dataset.create_tuple_iterator(num_epochs=1, output_numpy=True):
        images.append(image)
        labels.append(int(label))
    if not images:
        return ImageSet(np.zeros((0, 32, 32, 3), np.uint8), np.zeros((0,), np.int32))
    return ImageSet(np.stack(images).astype(np.uint8, copy=False), np.asarray(labels, np.int32))


__all__ = ["ImageSet", "load_split", "worker_threads"]
