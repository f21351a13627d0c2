"""The pre-training data order: reproducible, disjoint shards, resumable mid-epoch."""

from __future__ import annotations

import numpy as np
import pytest
from hub_plugin_models.simclr.data.data_order import check_enough, epoch_indices, steps_per_epoch
from hub_plugin_models.simclr.errors import DatasetError


def test_same_seed_and_epoch_same_order_and_epochs_differ() -> None:
    first = epoch_indices(100, seed=3, epoch=0, batch_size=10)
    assert np.array_equal(first, epoch_indices(100, seed=3, epoch=0, batch_size=10))
    assert not np.array_equal(first, epoch_indices(100, seed=3, epoch=1, batch_size=10))
    assert sorted(first.tolist()) == list(range(100))


def test_worker_shards_are_disjoint_equal_and_cover_the_single_worker_steps() -> None:
    shards = [epoch_indices(103, seed=1, epoch=2, batch_size=5, world_size=2, rank=r) for r in (0, 1)]
    assert len(shards[0]) == len(shards[1]) == steps_per_epoch(103, 5, 2) * 5 == 50
    assert not set(shards[0]) & set(shards[1])
    # step s of the two workers together sees the images of the permutation's slice for that step
    single = np.random.default_rng([1, 2]).permutation(103)
    for step in range(5):
        together = set(shards[0][step * 5 : step * 5 + 5]) | set(shards[1][step * 5 : step * 5 + 5])
        assert together == set(single[step * 10 : step * 10 + 10])


def test_resuming_mid_epoch_continues_the_same_order() -> None:
    whole = epoch_indices(64, seed=0, epoch=4, batch_size=8)
    tail = epoch_indices(64, seed=0, epoch=4, batch_size=8, start_step=3)
    assert np.array_equal(tail, whole[24:])


def test_a_dataset_smaller_than_one_batch_is_an_error() -> None:
    check_enough(16, 8, 2, "data")
    with pytest.raises(DatasetError, match="fewer than one batch"):
        check_enough(15, 8, 2, "data")
