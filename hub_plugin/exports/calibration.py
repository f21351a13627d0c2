"""The images an INT8 export calibrates on, and the held images its accuracy gate checks it on.

hub-plugin does not know how a model wants its images decoded and scaled, so the model package
says: its ``hubconf.py`` offers ``calibration_images(role, *, folder=None, count, skip=0)``, which
returns ``count`` network inputs (float32, batch first, preprocessed as its ``predict`` does):

- ``folder=None``: the package's own preset (the SimCLR package: seeded synthetic images, a
  different seed per ``role``, ``"calibration"`` or ``"check"``);
- ``folder``: images from a folder in any layout the package reads, in a fixed order of its
  choosing, after skipping the first ``skip``.

:func:`calibration_sets` asks for both sets and keeps them apart: check images from the same
folder as the calibration images start after them (``skip``), and any check image equal to a
calibration image (the same bytes once preprocessed) is dropped, so the gate never measures on
what calibrated the ranges.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import HubPluginError, UsageError
from ..packages.contract import CALIBRATION_IMAGES

ENTRY_POINT = CALIBRATION_IMAGES
"""The hubconf function a model package offers INT8 calibration images by."""


@dataclass(frozen=True)
class ImageSet:
    """Network inputs (float32, batch first) and where they came from, in words."""

    images: NDArray[np.float32]
    source: str

    def __len__(self) -> int:
        return int(self.images.shape[0])


def _folder(path: Path | str | None, option: str) -> Path | None:
    if path is None:
        return None
    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"{option} {folder}: not a folder")
    return folder.resolve()


def _ask(hubconf: Any, package: str, role: str, folder: Path | None, count: int, skip: int,
         shape: tuple[int, ...], *, none_left: UsageError | None = None) -> ImageSet:
    """``count`` images of ``role`` from the package (``none_left``: the error when it gives none)."""
    entry = getattr(hubconf, ENTRY_POINT, None)
    if not callable(entry):
        raise UsageError(
            f"the model package {package!r} offers no calibration images for an INT8 export",
            hint=f"its hubconf.py needs {ENTRY_POINT}(role, *, folder=None, count, skip=0)",
        )
    images = np.ascontiguousarray(entry(role, folder=folder, count=count, skip=skip), dtype=np.float32)
    if images.ndim != len(shape) or tuple(images.shape[1:]) != tuple(shape[1:]):
        raise HubPluginError(
            f"{package}: {ENTRY_POINT}() gave images of shape {list(images.shape)}; "
            f"the export takes {['N', *shape[1:]]}"
        )
    if images.shape[0] == 0:
        if none_left is not None:
            raise none_left
        where = f"{folder}" if folder is not None else "the package's preset"
        raise UsageError(f"no {role} images in {where}", hint="give a folder of PNG or JPEG images")
    # The folder's name only: the card that records it is published, the local path is nobody's business.
    source = f"folder {folder.name}" if folder is not None else f"{package}'s {role} preset"
    return ImageSet(images, source)


def _digests(images: NDArray[np.float32]) -> list[str]:
    return [hashlib.sha256(image.tobytes()).hexdigest() for image in images]


def calibration_sets(
    hubconf: Any,
    package: str,
    shape: tuple[int, ...],
    *,
    calibration: Path | str | None = None,
    calibration_size: int,
    check: Path | str | None = None,
    check_size: int,
) -> tuple[ImageSet, ImageSet]:
    """The calibration set and the distinct check set (see the module docstring).

    ``check=None`` takes the check images from the calibration's source (its folder, after the
    calibration images, or the package's preset of check images).
    """
    if calibration_size < 1:
        raise UsageError(f"--calibration-size must be at least 1, got {calibration_size}")
    if check_size < 1:
        raise UsageError(f"the check set needs at least 1 image, got {check_size}")
    calibration_folder = _folder(calibration, "--calibration")
    check_folder = _folder(check, "--check-images") if check is not None else calibration_folder
    calibrating = _ask(hubconf, package, "calibration", calibration_folder, calibration_size, 0, shape)
    skip = len(calibrating) if check_folder is not None and check_folder == calibration_folder else 0
    none_left = None
    if skip:  # the check images were to come after the calibration images, in the same folder
        taken = f"{skip} image" if skip == 1 else f"all {skip} images"
        none_left = UsageError(
            f"the calibration took {taken} of {check_folder}, so none is left to check the INT8 "
            "export on",
            hint="give check images with --check-images DIR, or a larger folder or a smaller "
                 "--calibration-size")
    checking = _ask(hubconf, package, "check", check_folder, check_size, skip, shape,
                    none_left=none_left)
    seen = set(_digests(calibrating.images))
    held = [index for index, digest in enumerate(_digests(checking.images)) if digest not in seen]
    if not held:
        raise UsageError(
            f"every check image ({checking.source}) is also a calibration image",
            hint="give --check-images a folder of other images",
        )
    return calibrating, ImageSet(checking.images[held], checking.source)


__all__ = ["ENTRY_POINT", "ImageSet", "calibration_sets"]
