"""SimCLR's data augmentation: two random views of every image, and the evaluation transform.

Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020, arXiv 2002.05709, section 3 and appendix A: a random crop resized back
to the input size (with a random horizontal flip), then random colour distortion (colour jitter of
strength ``s`` with probability 0.8, grayscale with probability 0.2), applied independently to give
the two views ``x_i = t(x)``, ``x_j = t'(x)``. For CIFAR-10 the paper drops the Gaussian blur and uses
a colour-jitter strength of ``s = 0.5`` (appendix B.9; ``0.8 s`` for brightness, contrast and
saturation and ``0.2 s`` for hue). Two presets:

- ``official``: MindSpore's official SimCLR recipe: Resize to 256 (bicubic), RandomResizedCrop to 32
  with scale (0.31, 1), horizontal flip, colour jitter (0.48, 0.48, 0.48, 0.12) with p=0.8,
  grayscale with p=0.2; raw 0-255 pixel values, no normalisation.
- ``paper``: RandomResizedCrop to 32 with scale (0.08, 1), horizontal flip, colour jitter (0.4, 0.4,
  0.4, 0.1), i.e. ``s = 0.5``, with p=0.8, grayscale with p=0.2, no blur; pixels scaled to [0, 1].

Every operation is a ``mindspore.dataset`` C++ operation, so the pipeline runs in the dataset's
worker threads without the Python interpreter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import mindspore
import numpy as np
from mindspore.dataset import Dataset
from mindspore.dataset import transforms as T
from mindspore.dataset import vision as V

from .errors import UnknownName


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

_INTERPOLATION = {"bilinear": V.Inter.BILINEAR, "bicubic": V.Inter.BICUBIC}


def preset(name: str, **overrides: Any) -> AugmentationPreset:
    """The preset called ``name`` (``official`` or ``paper``), with any field overridden."""
    try:
        base = PRESETS[name]
    except KeyError:
        raise UnknownName("augmentation preset", name, list(PRESETS)) from None
    return replace(base, **overrides)


def _to_network_input(pixel_scale: float) -> list[Any]:
    """HWC uint8 to CHW float32, pixels times ``pixel_scale``."""
    return [V.Rescale(pixel_scale, 0.0), V.HWC2CHW(), T.TypeCast(mindspore.float32)]


class SimCLRTransform:
    """The random augmentation ``t ~ T`` of SimCLR, giving two independent views of each image.

    Args:
        preset: ``official`` (the default, MindSpore's recipe) or ``paper`` (the paper's CIFAR-10
            setting); see the module docstring.
        **overrides: any field of :class:`AugmentationPreset`, e.g. ``crop_scale=(0.2, 1.0)``. For
            small images such as CIFAR, the paper uses a colour-jitter strength of 0.5,
            ``jitter=(0.4, 0.4, 0.4, 0.1)``; ImageNet uses 1.0, ``(0.8, 0.8, 0.8, 0.2)``.

    ``transform(image)`` augments one HWC uint8 image (NumPy) and returns ``(view1, view2)``, each CHW
    float32. :meth:`apply` adds the two views to a ``mindspore.dataset`` pipeline.
    """

    def __init__(self, preset_name: str = "official", **overrides: Any) -> None:
        self.settings = preset(preset_name, **overrides)
        self.preset_name = preset_name

    def operations(self) -> list[Any]:
        """The augmentation, one view's worth, as a list of ``mindspore.dataset`` operations."""
        s = self.settings
        steps: list[Any] = []
        if s.pre_resize is not None:
            steps.append(V.Resize(s.pre_resize, _INTERPOLATION[s.crop_interpolation]))
        steps.append(
            V.RandomResizedCrop(
                s.crop_size,
                scale=s.crop_scale,
                ratio=s.crop_ratio,
                interpolation=_INTERPOLATION[s.crop_interpolation],
            )
        )
        if s.flip_probability > 0:
            steps.append(V.RandomHorizontalFlip(s.flip_probability))
        if s.jitter_probability > 0 and any(s.jitter):
            brightness, contrast, saturation, hue = s.jitter
            steps.append(
                T.RandomApply(
                    [V.RandomColorAdjust(brightness, contrast, saturation, hue)],
                    prob=s.jitter_probability,
                )
            )
        if s.grayscale_probability > 0:
            steps.append(
                T.RandomApply(
                    [
                        V.ConvertColor(V.ConvertMode.COLOR_RGB2GRAY),
                        V.ConvertColor(V.ConvertMode.COLOR_GRAY2RGB),
                    ],
                    prob=s.grayscale_probability,
                )
            )
        return steps + _to_network_input(s.pixel_scale)

    def __call__(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pipeline = T.Compose(self.operations())
        return pipeline(image), pipeline(image)

    def apply(
        self,
        dataset: Dataset,
        *,
        input_column: str = "image",
        output_columns: Sequence[str] = ("view1", "view2"),
        num_parallel_workers: int | None = None,
    ) -> Dataset:
        """``dataset`` with ``input_column`` replaced by two independently augmented views."""
        first, second = output_columns
        dataset = dataset.map(
            operations=T.Duplicate(),
            input_columns=[input_column],
            output_columns=[first, second],
            num_parallel_workers=num_parallel_workers,
        )
        for column in (first, second):
            dataset = dataset.map(
                operations=self.operations(),
                input_columns=[column],
                num_parallel_workers=num_parallel_workers,
            )
        return dataset


class EvaluationTransform:
    """The transform without augmentation, for feature extraction, evaluation and prediction.

    Resizes the image to ``size`` x ``size`` (bicubic; a no-op for 32x32 CIFAR-10 images) and
    converts it as the training views are (same ``pixel_scale`` as the preset's).
    """

    def __init__(self, preset_name: str = "official", *, size: int = 32) -> None:
        self.settings = preset(preset_name)
        self.preset_name = preset_name
        self.size = size

    def operations(self) -> list[Any]:
        """The transform as a list of ``mindspore.dataset`` operations."""
        resize = V.Resize((self.size, self.size), V.Inter.BICUBIC)
        return [resize, *_to_network_input(self.settings.pixel_scale)]

    def __call__(self, image: np.ndarray) -> np.ndarray:
        result: np.ndarray = T.Compose(self.operations())(image)
        return result

    def apply(
        self,
        dataset: Dataset,
        *,
        input_column: str = "image",
        num_parallel_workers: int | None = None,
    ) -> Dataset:
        """``dataset`` with ``input_column`` transformed in place."""
        return dataset.map(
            operations=self.operations(),
            input_columns=[input_column],
            num_parallel_workers=num_parallel_workers,
        )


__all__ = ["PRESETS", "AugmentationPreset", "EvaluationTransform", "SimCLRTransform", "preset"]
