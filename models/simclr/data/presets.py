"""SimCLR's augmentation presets and the network's input format, without MindSpore.

The presets are the settings of :class:`~.transforms.SimCLRTransform` (whose module docstring says
where each comes from); :func:`to_network_input` is the last step of every transform, HWC uint8 to
CHW float32. Both live here, apart from the ``mindspore.dataset`` operations, so that code that only
needs them (running an exported classifier on images that are already 32x32) does not import
MindSpore.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import UnknownName


@dataclass(frozen=True)
class AugmentationPreset:
    """The settings of :class:`SimCLRTransform`; see :data:`PRESETS` for the two named ones.

    ``pre_resize``: resize the image to this size before cropping (None: crop the image as it is).
    ``crop_scale``, ``crop_ratio``: the RandomResizedCrop area and aspect-ratio ranges. ``jitter``:
    brightness, contrast, saturation, hue. ``pixel_scale``: multiplies the 0-255 pixels (1.0 keeps
    them raw, 1/255 gives [0, 1]).
    """

    crop_size: int = 32
    pre_resize: int | None = None
    crop_scale: tuple[float, float] = (0.08, 1.0)
    crop_ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0)
    crop_interpolation: str = "bilinear"
    flip_probability: float = 0.5
    jitter: tuple[float, float, float, float] = (0.4, 0.4, 0.4, 0.1)
    jitter_probability: float = 0.8
    grayscale_probability: float = 0.2
    pixel_scale: float = 1.0 / 255.0


PRESETS: dict[str, AugmentationPreset] = {
    "official": AugmentationPreset(
        pre_resize=256,
        crop_scale=(0.31, 1.0),
        crop_interpolation="bicubic",
        jitter=(0.48, 0.48, 0.48, 0.12),
        pixel_scale=1.0,
    ),
    "paper": AugmentationPreset(),
}


def preset(name: str, **overrides: Any) -> AugmentationPreset:
    """The preset called ``name`` (``official`` or ``paper``), with any field overridden."""
    try:
        base = PRESETS[name]
    except KeyError:
        raise UnknownName("augmentation preset", name, list(PRESETS)) from None
    return replace(base, **overrides)


def to_network_input(image: NDArray[Any], pixel_scale: float) -> NDArray[Any]:
    """HWC uint8 to CHW float32, pixels times ``pixel_scale``."""
    chw = np.ascontiguousarray(image.transpose(2, 0, 1), dtype=np.float32)
    if pixel_scale != 1.0:
        chw *= np.float32(pixel_scale)
    return chw


__all__ = ["PRESETS", "AugmentationPreset", "preset", "to_network_input"]
