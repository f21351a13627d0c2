"""Prediction: CIFAR-10's classes, with probabilities, for image files.

Each image (PNG or JPEG, any size, any mode) is decoded with Pillow, converted to RGB and passed
through the evaluation transform (:func:`~..data.evaluation_input.evaluation_input`, the same as
:class:`~..data.transforms.EvaluationTransform`: a bicubic resize to 32x32, skipped with NumPy
alone for an image already 32x32, and the preset's pixel scale), then through the classifier
(encoder plus linear layer, :class:`~.network.SimCLRClassifier`, run by MindSpore, or an export of
it run by ONNX Runtime or ``nn.GraphCell``: see :mod:`.classifier_runtime`); the softmax of the
logits gives the probabilities. An image that is missing or cannot be decoded gets an error of its
own and the others are still answered; the report's exit code is then 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hub_plugin.core.progress import Activity

from .. import config as config_module
from ..config import PredictConfig
from ..data.classes import CLASSES
from ..data.evaluation_input import evaluation_input
from ..errors import ImageError
from .classifier_runtime import classifier_logits, require_runtime


@dataclass
class ImagePrediction:
    """The answer for one image: the top classes with probabilities, or the error."""

    path: str
    classes: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"image": self.path, "error": self.error}
        return {
            "image": self.path,
            "top": [{"class": name, "probability": round(p, 6)} for name, p in self.classes],
        }


@dataclass
class PredictionReport:
    """The answers for every image, in the order given."""

    predictions: list[ImagePrediction]

    @property
    def exit_code(self) -> int:
        return 0 if all(prediction.ok for prediction in self.predictions) else 1

    def summary(self) -> str:
        lines = []
        for prediction in self.predictions:
            if prediction.error is not None:
                lines.append(f"{prediction.path}: error: {prediction.error}")
            else:
                shown = ", ".join(f"{name} {p:.1%}" for name, p in prediction.classes)
                lines.append(f"{prediction.path}: {shown}")
        return "\n".join(lines)

    def to_json(self) -> list[dict[str, Any]]:
        return [prediction.to_json() for prediction in self.predictions]


#: The most pixels an image may declare to be decoded: 8192 x 8192 (64 Mi pixels, 192 MiB as RGB),
#: past any photograph a person gives ``predict`` or INT8 calibration, while the network needs
#: 32 x 32. Pillow's own limit (89.5 M pixels, an error only at twice that) let a 168 KB PNG of
#: 13,300 x 13,300 cost 1.9 GB and seconds per image (issue 27, hole 13).
MAX_IMAGE_PIXELS = 8192 * 8192


def read_image(path: str) -> np.ndarray:
    """The image at ``path`` as H x W x 3 uint8 RGB; :class:`ImageError` when it can't be read.

    The one place predict and INT8 calibration decode an image. Its size is checked from the
    header (:func:`PIL.Image.open` reads only that) against :data:`MAX_IMAGE_PIXELS` before any
    pixel is decoded; Pillow's ``DecompressionBombWarning`` is not shown (this check says more).
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    file = Path(path)
    if not file.exists():
        raise ImageError(path, "no such file")
    if not file.is_file():
        raise ImageError(path, "not a file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file)
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageError(path, f"{width} x {height} pixels is more than the "
                                       f"{MAX_IMAGE_PIXELS:,} an image may have here (8192 x 8192): "
                                       f"not decoded")
            image.load()
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except UnidentifiedImageError:
        raise ImageError(path, "not an image Pillow can decode (PNG or JPEG expected)") from None
    except Image.DecompressionBombError:
        raise ImageError(path, f"more pixels than the {MAX_IMAGE_PIXELS:,} an image may have here "
                               f"(8192 x 8192): not decoded") from None
    except (OSError, ValueError) as error:
        raise ImageError(path, f"cannot decode: {error}") from None


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed stably in float64."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def predict_images(overrides: PredictConfig | Mapping[str, Any]) -> PredictionReport:
    """Top-k CIFAR-10 classes for each image of the config; see the module docstring."""
    if isinstance(overrides, PredictConfig):
        config = overrides.check()
    else:
        values = dict(overrides)
        values.setdefault("augmentation", values.get("preset", "official"))
        config = config_module.build(PredictConfig, values)
    require_runtime(config)
    predictions = [ImagePrediction(path) for path in config.images]
    ready: list[tuple[int, np.ndarray]] = []
    for index, path in enumerate(config.images):
        try:
            ready.append((index, evaluation_input(read_image(path), config.augmentation)))
        except ImageError as error:
            predictions[index].error = error.reason
    if not ready:
        return PredictionReport(predictions)
    logits = classifier_logits(config, min(config.batch_size, len(ready)))
    top_k = min(config.top_k, len(CLASSES))
    with Activity("predicting: images", total=len(ready)) as shown:  # on a terminal only
        for first in range(0, len(ready), config.batch_size):
            chunk = ready[first : first + config.batch_size]
            batch = np.stack([image for _, image in chunk]).astype(np.float32)
            probabilities = softmax(logits(batch))
            for (index, _), row in zip(chunk, probabilities, strict=True):
                order = np.argsort(-row)[:top_k]
                predictions[index].classes = [(CLASSES[int(c)], float(row[c])) for c in order]
            shown.advance(len(chunk))
    return PredictionReport(predictions)


__all__ = ["MAX_IMAGE_PIXELS", "ImagePrediction", "PredictionReport", "predict_images", "read_image",
           "softmax"]
