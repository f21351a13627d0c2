"""The evaluation input of one image, with NumPy alone where no resize is needed.

Kept apart from :mod:`.presets` (which :mod:`.transforms` imports) so that the MindSpore transform
it falls back on imports nothing that imports it back.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

from .presets import preset, to_network_input


def evaluation_input(image: NDArray[Any], preset_name: str = "official", *, size: int = 32) -> NDArray[Any]:
    """What :class:`~.transforms.EvaluationTransform` gives for ``image`` (HWC uint8 RGB).

    An image already ``size`` x ``size`` needs no resize, so it is converted here with NumPy alone
    (the same bytes as the MindSpore operations give: a test compares them); any other size goes
    through the transform's bicubic resize, which imports MindSpore.
    """
    if image.ndim == 3 and image.shape[:2] == (size, size):
        return to_network_input(image, preset(preset_name).pixel_scale)
    from .transforms import EvaluationTransform

    return EvaluationTransform(preset_name, size=size)(image)


__all__ = ["evaluation_input"]
