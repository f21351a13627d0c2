"""What a training run tells the person watching it, and what it leaves behind.

- On a terminal, a ``rich`` progress display: step, loss, learning rate, images per second, ETA.
  Elsewhere (a pipe, a CI log) the same figures as a line every ``log_every`` steps.
- ``train.log``: the run's messages, with times, as plain text.
- ``metrics.jsonl``: one JSON object per logged step or evaluation, for plotting and comparing.

In data-parallel training only rank 0 keeps a :class:`RunLog` with files; the other ranks use a
silent one (``folder=None``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_figures(loss: float, lr: float, speed: float) -> str:
    """The figures the progress bar shows after a step (none before the first: a NaN loss there
    would read as the failure that stops a run)."""
    return f"loss {loss:.4f}  lr {lr:.2e}  {speed:.1f} img/s"


class RunLog:
    """The log file, the metrics file and the progress display of one run (see the module doc).

    Args:
        folder: where ``train.log`` and ``metrics.jsonl`` go; ``None`` for a silent log.
        total_steps: the run's length, for the progress bar and ETA.
        first_step: the step the run starts at (after a resume).
        stream: where messages go (standard error by default).
    """

    def __init__(
        self,
        folder: Path | None,
        total_steps: int,
        *,
        first_step: int = 0,
        stream: TextIO | None = None,
        name: str = "train",
    ) -> None:
        self.folder = folder
        self.silent = folder is None
        self.total_steps = total_steps
        self.console = Console(file=stream or sys.stderr, soft_wrap=True)
        self.interactive = bool(self.console.is_terminal) and not self.silent
        self._log_file: TextIO | None = None
        self._metrics_file: TextIO | None = None
        self._progress: Progress | None = None
        self._task: Any = None
        self._first_step = first_step
        self._name = name

    def __enter__(self) -> RunLog:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._log_file = open(self.folder / f"{self._name}.log", "a", encoding="utf-8")
            self._metrics_file = open(self.folder / "metrics.jsonl", "a", encoding="utf-8")
        if self.interactive:
            self._progress = Progress(
                TextColumn("[bold]step"),
                MofNCompleteColumn(),
                BarColumn(),
                TextColumn("{task.fields[figures]}"),  # empty until the first step is done
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "train", total=self.total_steps, completed=self._first_step,
                figures="",
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
        for handle in (self._log_file, self._metrics_file):
            if handle is not None:
                handle.close()

    def info(self, message: str) -> None:
        """A message for the person and for the log file."""
        if self.silent:
            return
        if self._log_file is not None:
            self._log_file.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
            self._log_file.flush()
        self.console.print(message, markup=False, highlight=False)

    def record(self, kind: str, **values: Any) -> None:
        """A line of ``metrics.jsonl``: ``{"kind": kind, "time": ..., **values}``."""
        if self._metrics_file is None:
            return
        line = {"kind": kind, "time": round(time.time(), 3), **values}
        self._metrics_file.write(json.dumps(line, sort_keys=False) + "\n")
        self._metrics_file.flush()

    def step(self, step: int, *, loss: float, lr: float, speed: float, epoch: int, logged: bool) -> None:
        """Step ``step`` (1-based, done) finished; ``logged`` steps also go to the files."""
        if self._progress is not None:
            self._progress.update(self._task, completed=step, figures=progress_figures(loss, lr, speed))
        if logged:
            self.record("step", step=step, epoch=epoch, loss=loss, lr=lr, images_per_second=speed)
            line = (f"step {step}/{self.total_steps} epoch {epoch} loss {loss:.4f} lr {lr:.3e} "
                    f"{speed:.1f} img/s")
            if self._log_file is not None:
                self._log_file.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
                self._log_file.flush()
            if self._progress is None and not self.silent:
                self.console.print(line, markup=False, highlight=False)


__all__ = ["RunLog"]
