"""The calibration and check sets of an INT8 export, with a stand-in package (no MindSpore): a
calibration that takes every image of its folder says so and how to give check images (issue 28,
item 4: it said "no check images in <folder>")."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hub_plugin.errors import UsageError
from hub_plugin.exports.calibration import calibration_sets

SHAPE = (1, 3, 4, 4)


def package() -> SimpleNamespace:
    """A hubconf whose ``calibration_images`` reads one image per file of the folder, in name order."""

    def calibration_images(role: str, *, folder: Path | None = None, count: int, skip: int = 0):  # type: ignore[no-untyped-def]
        names = sorted(p.name for p in folder.iterdir()) if folder is not None else ["a", "b"]
        picked = names[skip:skip + count]
        return np.stack([np.full(SHAPE[1:], float(ord(n[0])), np.float32) for n in picked]) if picked \
            else np.zeros((0, *SHAPE[1:]), np.float32)

    return SimpleNamespace(calibration_images=calibration_images)


def folder_of(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "pictures"
    folder.mkdir()
    for index in range(count):
        (folder / f"{chr(ord('a') + index)}.png").write_bytes(b"x")
    return folder


def test_a_calibration_that_takes_every_image_says_how_to_give_check_images(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, 4)
    with pytest.raises(UsageError) as raised:
        calibration_sets(package(), "stand-in", SHAPE, calibration=folder, calibration_size=8,
                         check_size=4)
    message = str(raised.value)
    assert message.startswith(f"the calibration took all 4 images of {folder.resolve()}, so none is "
                              "left to check the INT8 export on")
    assert "--check-images DIR" in message and "smaller --calibration-size" in message
    assert "no check images" not in message


def test_check_images_come_after_the_calibration_images(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, 6)
    calibrating, checking = calibration_sets(package(), "stand-in", SHAPE, calibration=folder,
                                             calibration_size=4, check_size=4)
    assert (len(calibrating), len(checking)) == (4, 2)


def test_an_empty_check_folder_given_by_name_keeps_its_own_message(tmp_path: Path) -> None:
    calibration = folder_of(tmp_path, 3)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"^no check images in .*empty"):
        calibration_sets(package(), "stand-in", SHAPE, calibration=calibration, calibration_size=3,
                         check=tmp_path / "empty", check_size=4)
