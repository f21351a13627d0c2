"""The checkpoints of a training run: written atomically, the last ``K`` kept, the newest good one
found again on ``--resume``.

A checkpoint ``step-00001234.ckpt`` holds the whole training cell (the network's parameters and
BatchNorm statistics, and the optimiser's state: Adam's moments, ``global_step``, ...) plus
``train_state``, a JSON text with the step, the epoch and what continues the data order (the seed
and the worker count). It is written with MindSpore's CRC check to a temporary file in the same
folder, flushed to disk, then renamed into place, so a checkpoint either exists whole or not at
all: a run killed mid-write leaves only a temporary file, which is never loaded and is removed on
the next write. When the disk is full the temporary file is removed and the previous checkpoint is
left as it was (:class:`~.errors.CheckpointWriteError`).

On resume the newest checkpoint whose CRC and contents check out is used; a damaged one is reported
and the one before it is tried.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mindspore
from mindspore import nn

from ..errors import CheckpointWriteError

STATE_KEY = "train_state"
"""The checkpoint entry that holds :class:`TrainingState` as JSON text."""

_NAME = re.compile(r"^step-(\d{8,})\.ckpt$")
_PARTIAL_PREFIX = ".partial-"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingState:
    """Where a run stands: ``step`` optimizer steps done (``epoch`` = step // steps_per_epoch),
    and what fixes its data order: ``seed``, ``world_size``, ``steps_per_epoch``."""

    step: int
    epoch: int
    seed: int
    world_size: int
    steps_per_epoch: int
    total_steps: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainingState:
        values = json.loads(text)
        return cls(**{name: int(values[name]) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class LoadedCheckpoint:
    """A checkpoint read back: its path, its parameters and its training state."""

    path: Path
    parameters: dict[str, Any]
    state: TrainingState


def _fsync_directory(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


class CheckpointStore:
    """The checkpoints in ``folder``; :meth:`save` keeps the newest ``keep``."""

    def __init__(self, folder: Path, *, keep: int = 3) -> None:
        self.folder = Path(folder)
        self.keep = keep

    def path_for(self, step: int) -> Path:
        return self.folder / f"step-{step:08d}.ckpt"

    def checkpoints(self) -> list[Path]:
        """The complete checkpoints, oldest first (temporary files are not among them)."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.iterdir():
            match = _NAME.match(path.name)
            if match and path.is_file():
                found.append((int(match.group(1)), path))
        return [path for _, path in sorted(found)]

    def latest_path(self) -> Path | None:
        paths = self.checkpoints()
        return paths[-1] if paths else None

    def save(self, cell: nn.Cell, state: TrainingState) -> Path:
        """Write ``cell``'s parameters and ``state`` as the checkpoint of ``state.step``.

        Atomic: a temporary file, fsync, rename. Raises :class:`CheckpointWriteError` (leaving the
        earlier checkpoints untouched) when it cannot be written.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_partials()
        final = self.path_for(state.step)
        partial = self.folder / f"{_PARTIAL_PREFIX}{os.getpid()}-{final.name}"
        previous = self.latest_path()
        try:
            mindspore.save_checkpoint(
                cell, str(partial), append_dict={STATE_KEY: state.to_json()}, crc_check=True
            )
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, final)
            _fsync_directory(self.folder)
        except (OSError, RuntimeError, ValueError) as error:
            partial.unlink(missing_ok=True)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise CheckpointWriteError(str(final), reason, str(previous) if previous else None) from error
        self._prune()
        return final

    def load_latest(self) -> LoadedCheckpoint | None:
        """The newest checkpoint that reads back whole, or ``None`` when there is none."""
        for path in reversed(self.checkpoints()):
            try:
                return read(path)
            except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
                _log.warning("skipping damaged checkpoint %s: %s", path, error)
        return None

    def _prune(self) -> None:
        for path in self.checkpoints()[: -self.keep]:
            path.unlink(missing_ok=True)

    def _remove_partials(self) -> None:
        for path in self.folder.glob(f"{_PARTIAL_PREFIX}*"):
            path.unlink(missing_ok=True)


def read(path: Path) -> LoadedCheckpoint:
    """Read one checkpoint, checking its CRC; raises ``ValueError`` when it is damaged."""
    parameters = mindspore.load_checkpoint(str(path), crc_check=True)
    state_text = parameters.pop(STATE_KEY, None)
    if not isinstance(state_text, str):
        raise ValueError(f"{path} holds no training state")
    return LoadedCheckpoint(path, dict(parameters), TrainingState.from_json(state_text))


SCHEDULE_KEYS = frozenset({"learning_rate"})
"""Entries rebuilt from the config on resume, not restored: the per-step learning rates (a longer
run has a longer schedule); ``global_step`` is restored and indexes the new schedule."""


def restore(cell: nn.Cell, parameters: Mapping[str, Any], source: Path) -> None:
    """Fill ``cell`` (the training cell) from a checkpoint's ``parameters``, every one of them
    except the learning-rate schedule (:data:`SCHEDULE_KEYS`)."""
    kept = {name: value for name, value in parameters.items() if name not in SCHEDULE_KEYS}
    not_loaded, _ = mindspore.load_param_into_net(cell, kept, strict_load=True)
    not_loaded = [name for name in not_loaded if name not in SCHEDULE_KEYS]
    if not_loaded:
        from ..errors import CheckpointMismatch

        raise CheckpointMismatch(missing=not_loaded, sources=[str(source)])


__all__ = ["STATE_KEY", "CheckpointStore", "LoadedCheckpoint", "TrainingState", "read", "restore"]
