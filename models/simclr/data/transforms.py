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

The image operations are ``mindspore.dataset.vision``'s; the random draws are this module's (see
:class:`SimCLRTransform` for why).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mindspore
import numpy as np
from mindspore import dataset as ds
from mindspore.dataset import Dataset
from mindspore.dataset import transforms as T
from mindspore.dataset import vision as V
from numpy.typing import NDArray

from .presets import PRESETS, AugmentationPreset, preset
from .presets import to_network_input as _to_network_input

_INTERPOLATION = {"bilinear": V.Inter.BILINEAR, "bicubic": V.Inter.BICUBIC}
_MINDSPORE_DEFAULT_SEED = 5489  # mindspore.dataset.config.get_seed() when no seed was set


def _network_input_operations(pixel_scale: float) -> list[Any]:
    """HWC uint8 to CHW float32, pixels times ``pixel_scale``, as pipeline operations."""
    return [V.Rescale(pixel_scale, 0.0), V.HWC2CHW(), T.TypeCast(mindspore.float32)]


class SimCLRTransform:
    """The random augmentation ``t ~ T`` of SimCLR, giving two independent views of each image.

    Args:
        preset_name: ``official`` (the default, MindSpore's recipe) or ``paper`` (the paper's
            CIFAR-10 setting); see the module docstring.
        seed: seeds the transform's random draws. None: ``mindspore.dataset.config``'s seed when
            one was set, fresh entropy otherwise.
        **overrides: any field of :class:`AugmentationPreset`, e.g. ``crop_scale=(0.2, 1.0)``. For
            small images such as CIFAR, the paper uses a colour-jitter strength of 0.5,
            ``jitter=(0.4, 0.4, 0.4, 0.1)``; ImageNet uses 1.0, ``(0.8, 0.8, 0.8, 0.2)``.

    ``transform(image)`` takes one HWC uint8 RGB image (NumPy) and returns ``(view1, view2)``, each
    CHW float32; :meth:`apply` adds the two views to a ``mindspore.dataset`` pipeline.

    The random parameters (crop box, flip, jitter factors and order, grayscale) are drawn here, from
    one NumPy generator, and the image operations are ``mindspore.dataset.vision``'s own
    (``ResizedCrop``, ``HorizontalFlip``, ``AdjustBrightness`` ...). MindSpore's random operations
    cannot be used for two views: under ``mindspore.dataset.config.set_seed`` every random operation
    starts from the same seed, so two maps (one per view) would give identical views, and an
    eagerly called random operation repeats the same draw for every image.
    """

    def __init__(self, preset_name: str = "official", *, seed: int | None = None, **overrides: Any) -> None:
        self.settings = preset(preset_name, **overrides)
        self.preset_name = preset_name
        if seed is None and ds.config.get_seed() != _MINDSPORE_DEFAULT_SEED:
            seed = ds.config.get_seed()
        self.rng = np.random.default_rng(seed)
        s = self.settings
        interpolation = _INTERPOLATION[s.crop_interpolation]
        self._pre_resize = (
            None if s.pre_resize is None else V.Resize((s.pre_resize, s.pre_resize), interpolation)
        )
        self._flip = V.HorizontalFlip()
        self._gray = [
            V.ConvertColor(V.ConvertMode.COLOR_RGB2GRAY),
            V.ConvertColor(V.ConvertMode.COLOR_GRAY2RGB),
        ]

    def crop_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """A random crop ``(top, left, height, width)``: area fraction uniform in ``crop_scale``,
        log aspect ratio uniform in ``log crop_ratio`` (Szegedy et al. 2015, "Going Deeper with
        Convolutions"); after ten misses, the largest central crop within the ratio range."""
        s = self.settings
        area = height * width
        log_low, log_high = np.log(s.crop_ratio[0]), np.log(s.crop_ratio[1])
        for _ in range(10):
            target = area * self.rng.uniform(*s.crop_scale)
            aspect = float(np.exp(self.rng.uniform(log_low, log_high)))
            w = round(math.sqrt(target * aspect))
            h = round(math.sqrt(target / aspect))
            if 0 < w <= width and 0 < h <= height:
                top = int(self.rng.integers(0, height - h + 1))
                left = int(self.rng.integers(0, width - w + 1))
                return top, left, h, w
        ratio = width / height
        if ratio < s.crop_ratio[0]:
            w, h = width, round(width / s.crop_ratio[0])
        elif ratio > s.crop_ratio[1]:
            w, h = round(height * s.crop_ratio[1]), height
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def view(self, image: NDArray[Any]) -> NDArray[Any]:
        """One random view ``t(x)`` of an HWC uint8 RGB image, as CHW float32."""
        s = self.settings
        if self._pre_resize is not None:
            image = self._pre_resize(image)
        top, left, h, w = self.crop_box(image.shape[0], image.shape[1])
        interpolation = _INTERPOLATION[s.crop_interpolation]
        image = V.ResizedCrop(top, left, h, w, (s.crop_size, s.crop_size), interpolation)(image)
        if self.rng.uniform() < s.flip_probability:
            image = self._flip(image)
        if self.rng.uniform() < s.jitter_probability:
            for adjust in self._jitter_operations():
                image = adjust(image)
        if self.rng.uniform() < s.grayscale_probability:
            for convert in self._gray:
                image = convert(image)
        return _to_network_input(image, s.pixel_scale)

    def _jitter_operations(self) -> list[Any]:
        """Brightness, contrast, saturation and hue, each with a random factor, in random order."""
        brightness, contrast, saturation, hue = self.settings.jitter
        operations: list[Any] = []
        if brightness > 0:
            operations.append(V.AdjustBrightness(self._factor(brightness)))
        if contrast > 0:
            operations.append(V.AdjustContrast(self._factor(contrast)))
        if saturation > 0:
            operations.append(V.AdjustSaturation(self._factor(saturation)))
        if hue > 0:
            operations.append(V.AdjustHue(float(self.rng.uniform(-hue, hue))))
        order = self.rng.permutation(len(operations))
        return [operations[index] for index in order]

    def _factor(self, strength: float) -> float:
        return float(self.rng.uniform(max(0.0, 1.0 - strength), 1.0 + strength))

    def __call__(self, image: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        return self.view(image), self.view(image)

    def apply(
        self,
        dataset: Dataset,
        *,
        input_column: str = "image",
        output_columns: Sequence[str] = ("view1", "view2"),
        num_parallel_workers: int | None = None,
    ) -> Dataset:
        """``dataset`` with ``input_column`` replaced by two independently augmented views.

        Runs in the pipeline's worker threads (``num_parallel_workers``); not in worker processes,
        which would each copy the random generator and repeat each other's draws.
        """
        return dataset.map(
            operations=self,
            input_columns=[input_column],
            output_columns=list(output_columns),
            num_parallel_workers=num_parallel_workers,
            python_multiprocessing=False,
        )


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
        return [resize, *_network_input_operations(self.settings.pixel_scale)]

    def __call__(self, image: NDArray[Any]) -> NDArray[Any]:
        result: NDArray[Any] = T.Compose(self.operations())(image)
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
