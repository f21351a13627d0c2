"""Calibration and check images for an INT8 export of a SimCLR network (``export --quantize int8``).

hub-plugin asks the package for them through ``hubconf.calibration_images`` (see
``hub_plugin/exports/calibration.py``). Each image is a network input as ``predict`` makes
it: decoded to RGB, through :func:`~.evaluation_input.evaluation_input` (a bicubic resize to
32x32 where needed, the preset's pixel scale), CHW float32.

- From a folder: every PNG or JPEG under it, at any depth (``train/<class>/*.jpg`` and
  ``test/<class>/*.jpg`` as in ``cifar10-jpeg.tar.gz``, or a flat folder of images), or, where there
  are none, the test split of CIFAR-10's binary or Python release (``cifar-10-batches-bin/``,
  ``cifar-10-batches-py/``). The order is a seeded permutation (seed 0) of the files sorted by path,
  so a folder sorted by class gives a mix of classes; ``skip`` drops the first images of that order
  (hub-plugin skips the calibration images when it takes check images from the same folder).
  Symbolic links are not followed, and nothing outside the folder is read.
- No folder: the package's preset, :func:`synthetic_images`: seeded smooth colour fields that
  exercise the network's whole input range (seed 0 for calibration, 1 for the check images).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import DatasetError
from .evaluation_input import evaluation_input
from .presets import preset, to_network_input

Role = Literal["calibration", "check"]
SEEDS: dict[str, int] = {"calibration": 0, "check": 1}
"""The seed of the synthetic images of each role (distinct, so the two sets never overlap)."""
ORDER_SEED = 0
"""The seed of the permutation a folder's images are taken in."""
_EXTENSIONS = {".png", ".jpg", ".jpeg"}


def synthetic_images(count: int, seed: int, *, size: int = 32) -> NDArray[np.uint8]:
    """``count`` images (N x size x size x 3 uint8): a 4 x 4 grid of uniform random RGB colours,
    enlarged bilinearly to ``size`` x ``size``, plus Gaussian noise (standard deviation 8), clipped
    to 0-255, from ``numpy.random.default_rng(seed)``. Smooth regions and edges, like photographs at
    CIFAR-10's scale, rather than white noise, which no convolutional network is trained on."""
    rng = np.random.default_rng(seed)
    grid = rng.uniform(0, 255, (count, 4, 4, 3))
    axis = (np.arange(size) + 0.5) * 4 / size - 0.5  # pixel centres in grid coordinates
    low = np.clip(np.floor(axis).astype(int), 0, 3)
    high = np.clip(low + 1, 0, 3)
    weight = np.clip(axis - low, 0, 1)
    across = weight[None, :, None, None]
    rows = grid[:, low] * (1 - across) + grid[:, high] * across
    down = weight[None, None, :, None]
    image = rows[:, :, low] * (1 - down) + rows[:, :, high] * down
    image += rng.normal(0, 8, image.shape)
    result: NDArray[np.uint8] = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    return result


def _image_files(folder: Path) -> list[Path]:
    """The PNG and JPEG files under ``folder`` (no symbolic links followed), sorted by path."""
    root = folder.resolve()
    found = []
    stack = [root]
    while stack:
        current = stack.pop()
        for child in current.iterdir():
            if child.is_symlink():
                continue
            if child.is_dir():
                stack.append(child)
            elif (child.is_file() and child.suffix.lower() in _EXTENSIONS
                  and child.resolve().is_relative_to(root)):
                found.append(child)
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def _release_images(folder: Path) -> NDArray[Any]:
    """The test split of a CIFAR-10 binary or Python release under ``folder`` (HWC uint8)."""
    from .datasets import locate_cifar10, read_binary_release, read_python_release

    location = locate_cifar10(folder)
    if location.layout == "folder":
        raise DatasetError(f"{folder} holds no PNG or JPEG images", path=str(folder),
                           hint="give a folder of images or a CIFAR-10 release")
    reader = read_binary_release if location.layout == "bin" else read_python_release
    images, _ = reader(location.root, "test")
    return images


def _chosen(total: int, count: int, skip: int) -> NDArray[np.int64]:
    order = np.random.default_rng(ORDER_SEED).permutation(total)
    return order[skip : skip + count]


def calibration_images(
    role: Role = "calibration",
    *,
    folder: str | Path | None = None,
    count: int = 128,
    skip: int = 0,
    augmentation: str = "official",
) -> NDArray[np.float32]:
    """``count`` network inputs (N x 3 x 32 x 32 float32) for ``role``, by the module docstring.

    Raises :class:`~..errors.DatasetError` for a folder with no images it can read, and
    :class:`~..errors.ImageError` for an image that cannot be decoded.
    """
    if role not in SEEDS:
        raise ValueError(f"unknown role {role!r}: calibration or check")
    scale = preset(augmentation).pixel_scale
    if folder is None:
        return np.stack([to_network_input(image, scale) for image in synthetic_images(count, SEEDS[role])])
    root = Path(folder)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder", path=str(root))
    files = _image_files(root)
    if files:
        from ..evaluation.predict import read_image

        chosen = [files[int(index)] for index in _chosen(len(files), count, skip)]
        inputs = [evaluation_input(read_image(str(path)), augmentation) for path in chosen]
    else:
        images = _release_images(root)
        inputs = [to_network_input(images[int(index)], scale) for index in _chosen(len(images), count, skip)]
    if not inputs:
        return np.zeros((0, 3, 32, 32), np.float32)
    return np.stack(inputs).astype(np.float32, copy=False)


__all__ = ["SEEDS", "calibration_images", "synthetic_images"]
