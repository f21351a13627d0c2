"""Training checkpoints: atomic writes, the last K kept, damaged ones skipped, a full disk survived."""

from __future__ import annotations

import errno
from pathlib import Path

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr.errors import CheckpointWriteError
from hub_plugin_models.simclr.pretraining import checkpoint_store
from hub_plugin_models.simclr.pretraining.checkpoint_store import CheckpointStore, TrainingState, restore
from mindspore import nn


def _train_cell(seed: int = 0) -> nn.TrainOneStepCell:
    mindspore.set_seed(seed)
    network = nn.Dense(4, 2)
    cell = nn.TrainOneStepCell(nn.WithLossCell(network, nn.MSELoss()), nn.Adam(network.trainable_params()))
    cell.set_train(True)
    return cell


def _step(cell: nn.TrainOneStepCell) -> None:
    x = mindspore.Tensor(np.ones((3, 4), np.float32))
    cell(x, mindspore.Tensor(np.zeros((3, 2), np.float32)))


def _state(step: int) -> TrainingState:
    return TrainingState(step=step, epoch=step // 5, seed=1, world_size=1, steps_per_epoch=5, total_steps=20)


def test_save_keeps_the_last_k_and_restores_model_and_optimizer(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, keep=2)
    cell = _train_cell()
    for step in (1, 2, 3):
        _step(cell)
        store.save(cell, _state(step))
    assert [p.name for p in store.checkpoints()] == ["step-00000002.ckpt", "step-00000003.ckpt"]
    loaded = store.load_latest()
    assert loaded is not None and loaded.state == _state(3)
    other = _train_cell(seed=5)
    restore(other, loaded.parameters, loaded.path)
    for mine, theirs in zip(cell.get_parameters(), other.get_parameters(), strict=True):
        assert mine.name == theirs.name
        np.testing.assert_array_equal(mine.asnumpy(), theirs.asnumpy())
    assert any(p.name.startswith("moment1.") for p in other.get_parameters())


def test_partial_and_damaged_checkpoints_are_never_loaded(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, keep=5)
    cell = _train_cell()
    store.save(cell, _state(4))
    good = store.path_for(4).read_bytes()
    # a write that was killed midway leaves a temporary file: not a checkpoint
    (tmp_path / ".partial-123-step-00000006.ckpt").write_bytes(good[: len(good) // 2])
    # a newer file cut short (copied by hand, a disk error) fails its CRC and is skipped
    store.path_for(5).write_bytes(good[: len(good) - 40])
    loaded = store.load_latest()
    assert loaded is not None and loaded.path == store.path_for(4)
    store.save(cell, _state(6))
    assert not list(tmp_path.glob(".partial-*"))


def test_a_full_disk_leaves_the_previous_checkpoint_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CheckpointStore(tmp_path, keep=3)
    cell = _train_cell()
    previous = store.save(cell, _state(2))
    before = previous.read_bytes()

    def full_disk(_cell: object, name: str, **_kwargs: object) -> None:
        Path(name).write_bytes(b"\0" * 100)  # what fitted before the disk filled
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_store.mindspore, "save_checkpoint", full_disk)
    with pytest.raises(CheckpointWriteError, match=r"No space left on device.*step-00000002\.ckpt is intact"):
        store.save(cell, _state(4))
    monkeypatch.undo()
    assert previous.read_bytes() == before
    assert store.checkpoints() == [previous]
    assert not list(tmp_path.glob(".partial-*"))
    loaded = store.load_latest()
    assert loaded is not None and loaded.state.step == 2


def test_nothing_to_load(tmp_path: Path) -> None:
    assert CheckpointStore(tmp_path / "none").load_latest() is None
