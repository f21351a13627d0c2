"""Issue 27, hole 13: image bombs. A PNG of a few kilobytes that declares 13,300 x 13,300 pixels
(under Pillow's error threshold) cost 1.9 GB and seconds per image in ``predict`` and in INT8
calibration, and leaked Pillow's DecompressionBombWarning. ``read_image``, the one place both
decode images, checks the size from the header first."""

from __future__ import annotations

import struct
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from hub_plugin_models.simclr.data.calibration_images import calibration_images
from hub_plugin_models.simclr.errors import ImageError
from hub_plugin_models.simclr.evaluation.predict import MAX_IMAGE_PIXELS, read_image
from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(path: Path, side: int) -> Path:
    """A valid 1-bit PNG of ``side`` x ``side`` white pixels: all zero rows, compressed to a few
    kilobytes (decoded as RGB it is 3 bytes a pixel)."""
    row = b"\0" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
                     + _chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("side", [13_300, 20_000])
def test_a_bomb_is_refused_from_its_header_without_a_warning(tmp_path: Path, side: int) -> None:
    bomb = bomb_png(tmp_path / "bomb.png", side)
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ImageError) as error:
            read_image(str(bomb))
    assert time.monotonic() - started < 1.0
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert "not decoded" in error.value.reason and "\n" not in error.value.reason
    if side == 13_300:
        assert "13300 x 13300 pixels" in error.value.reason


def test_one_row_past_the_limit_is_refused_and_a_photo_is_not(tmp_path: Path) -> None:
    side = int(MAX_IMAGE_PIXELS**0.5)
    path = tmp_path / "past.png"
    Image.new("1", (side + 1, side)).save(path)
    with pytest.raises(ImageError, match=f"{side + 1} x {side} pixels"):
        read_image(str(path))
    Image.new("RGB", (3000, 2000)).save(tmp_path / "photo.png")
    assert read_image(str(tmp_path / "photo.png")).shape == (2000, 3000, 3)


def test_calibration_decodes_through_the_same_check(tmp_path: Path) -> None:
    folder = tmp_path / "calibration"
    folder.mkdir()
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(folder / "a.png")
    bomb_png(folder / "b.png", 13_300)
    with pytest.raises(ImageError, match="13300 x 13300 pixels"):
        calibration_images(folder=folder, count=2)
