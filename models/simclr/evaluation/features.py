"""Features ``h = f(x)`` of whole image sets, extracted once, without augmentation.

The kNN monitor and the linear evaluation both work on the frozen encoder's features of every
training and test image (Chen et al. 2020, arXiv 2002.05709, section 3: "linear evaluation
protocol"). Images go through :class:`~.transforms.EvaluationTransform` (no random crop, flip or
colour change) and the encoder in inference mode (BatchNorm uses its running statistics).
"""

from __future__ import annotations

from collections.abc import Callable

import mindspore
import numpy as np
from mindspore import dataset as ds
from mindspore import nn

from ..data.image_arrays import worker_threads
from ..data.transforms import EvaluationTransform


def extract_features(
    encoder: nn.Cell,
    images: np.ndarray,
    *,
    augmentation: str = "official",
    batch_size: int = 256,
    data_workers: int = 2,
    done: Callable[[int], object] | None = None,
) -> np.ndarray:
    """The features of ``images`` (N x H x W x 3 uint8) under ``encoder``: N x D float32.
    ``done`` is told the number of images of each batch once its features are out (the
    progress's image counts)."""
    if len(images) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    was_training = encoder.training
    encoder.set_train(False)
    dataset = ds.NumpySlicesDataset({"image": images}, shuffle=False)
    dataset = EvaluationTransform(augmentation).apply(
        dataset, num_parallel_workers=worker_threads(data_workers)
    )
    dataset = dataset.batch(batch_size, drop_remainder=False)
    chunks = []
    try:
        for (batch,) in dataset.create_tuple_iterator(num_epochs=1, output_numpy=True):
            output = encoder(mindspore.Tensor(batch))
            chunks.append(output.asnumpy().astype(np.float32))
            if done is not None:
                done(int(batch.shape[0]))
    finally:
        encoder.set_train(was_training)
    return np.concatenate(chunks)


__all__ = ["extract_features"]
