"""The order in which pre-training sees the images: reproducible, resumable and sharded.

Epoch ``e`` visits the training images in the permutation drawn from ``(seed, e)``. With ``W``
workers, worker ``r`` takes every ``W``-th image of it starting at ``r`` (the shards are disjoint
and, after dropping the remainder, equally long), and cuts its shard into batches of ``B``, so one
optimizer step consumes ``B * W`` distinct images. A run resumed at step ``s`` of an epoch rebuilds
the same permutation and starts at its batch ``s``: the images it sees are exactly those the
uninterrupted run would have seen. (The random augmentations are drawn afresh; they are seeded from
``(seed, epoch, step, rank)``, so a run is repeatable but a resumed one does not replay the exact
crops of the lost steps.)
"""

from __future__ import annotations

import numpy as np
from mindspore import dataset as ds

from ..errors import DatasetError
from .image_arrays import worker_threads
from .transforms import SimCLRTransform


def steps_per_epoch(num_images: int, batch_size: int, world_size: int = 1) -> int:
    """Optimizer steps in one epoch: full batches of every worker's shard."""
    return (num_images // world_size) // batch_size


def check_enough(num_images: int, batch_size: int, world_size: int, path: str) -> None:
    """Raise :class:`DatasetError` when the data cannot fill one batch of every worker."""
    if steps_per_epoch(num_images, batch_size, world_size) < 1:
        needed = batch_size * world_size
        raise DatasetError(
            f"the training set holds {num_images} images, fewer than one batch "
            f"({batch_size} x {world_size} worker{'s' if world_size > 1 else ''} = {needed})",
            path=path,
            hint="use a smaller --batch-size or more data",
        )


def epoch_indices(
    num_images: int,
    *,
    seed: int,
    epoch: int,
    batch_size: int,
    world_size: int = 1,
    rank: int = 0,
    start_step: int = 0,
) -> np.ndarray:
    """The image indices worker ``rank`` trains on in ``epoch``, from step ``start_step`` on.

    Whole batches only: ``(steps_per_epoch - start_step) * batch_size`` indices.
    """
    permutation = np.random.default_rng([seed, epoch]).permutation(num_images)
    steps = steps_per_epoch(num_images, batch_size, world_size)
    shard = permutation[rank::world_size][: steps * batch_size]
    return shard[start_step * batch_size :]


def training_stream(
    images: np.ndarray,
    indices: np.ndarray,
    transform: SimCLRTransform,
    *,
    batch_size: int,
    data_workers: int,
    seed: int,
) -> ds.Dataset:
    """Batches of two augmented views, ``view1`` and ``view2`` (B x 3 x 32 x 32 float32 each), of
    ``images[indices]`` in that order; ``seed`` fixes the augmentations."""
    ds.config.set_seed(int(seed) % (2**32))
    dataset = ds.NumpySlicesDataset({"image": images[indices]}, shuffle=False)
    dataset = transform.apply(dataset, num_parallel_workers=worker_threads(data_workers))
    return dataset.batch(batch_size, drop_remainder=True)


__all__ = ["check_enough", "epoch_indices", "steps_per_epoch", "training_stream"]
