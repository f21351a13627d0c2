"""Tiny CIFAR-10 copies that the training, evaluation and prediction tests write themselves.

Images of class ``c`` are noisy versions of a class-specific pattern (a colour and a stripe
direction), so a few training steps already separate some classes, and every layout reader sees
real files: the binary release (``cifar-10-batches-bin``) or image folders (``train|test/<class>``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def tiny_images(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` 32x32 RGB uint8 images and their labels (0..9, cycling)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    images = np.empty((count, 32, 32, 3), dtype=np.uint8)
    y, x = np.mgrid[0:32, 0:32]
    for index, label in enumerate(labels):
        colour = np.array([(label * 53) % 256, (label * 97) % 256, (label * 151) % 256], np.float32)
        angle = np.pi * label / 10
        stripes = 0.5 + 0.5 * np.sin((x * np.cos(angle) + y * np.sin(angle)) * 0.6)
        image = colour[None, None, :] * stripes[..., None] + rng.normal(0, 20, (32, 32, 3))
        images[index] = np.clip(image, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def write_cifar_bin(root: Path, *, train: int = 50, test: int = 20, seed: int = 0) -> Path:
    """The binary release under ``root/cifar-10-batches-bin`` with ``train`` and ``test`` images."""
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True, exist_ok=True)

    def records(images: np.ndarray, labels: np.ndarray) -> bytes:
        planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
        pairs = zip(labels, planes, strict=True)
        return b"".join(bytes([int(label)]) + plane.tobytes() for label, plane in pairs)

    images, labels = tiny_images(train, seed)
    parts = np.array_split(np.arange(train), 5)
    for number, part in enumerate(parts, start=1):
        (folder / f"data_batch_{number}.bin").write_bytes(records(images[part], labels[part]))
    test_images, test_labels = tiny_images(test, seed + 1)
    (folder / "test_batch.bin").write_bytes(records(test_images, test_labels))
    return root


def write_image_folders(root: Path, *, train: int = 50, test: int = 20, seed: int = 0) -> Path:
    """``root/train/<class>/*.png`` and ``root/test/<class>/*.png``."""
    for split, count, offset in (("train", train, 0), ("test", test, 1)):
        images, labels = tiny_images(count, seed + offset)
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            folder = root / split / CLASSES[label]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{index:05d}.png")
    return root
