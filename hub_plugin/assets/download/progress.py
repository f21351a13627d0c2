"""Download progress: a ``rich`` bar on stderr (bytes, speed, time left), or nothing at all.

The bar is shown only when stderr is a terminal, so logs and pipes stay clean. ``rich`` is imported
only when a bar is actually drawn.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    """What a transfer reports: one task per asset, advanced as bytes arrive."""

    def start(self, description: str, total: int | None, completed: int = 0) -> None: ...

    def advance(self, count: int) -> None: ...

    def reset(self, completed: int = 0) -> None: ...

    def finish(self) -> None: ...


class SilentProgress:
    """Reports nothing."""

    def start(self, description: str, total: int | None, completed: int = 0) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def reset(self, completed: int = 0) -> None:
        pass

    def finish(self) -> None:
        pass


class RichProgress:
    """A ``rich`` progress bar on ``stream`` (stderr by default), one line per asset.

    Use it as a context manager around the downloads; it redraws at most a few times a second, so
    advancing it for every chunk costs next to nothing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as RichBar

        console = Console(file=stream or sys.stderr)
        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def start(self, description: str, total: int | None, completed: int = 0) -> None:
        if self._task is None:
            self._task = self._bar.add_task(description, total=total, completed=completed)
        else:
            self._bar.update(self._task, total=total, completed=completed)

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, count)

    def reset(self, completed: int = 0) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=completed)

    def finish(self) -> None:
        if self._task is not None:
            self._bar.stop_task(self._task)
            self._task = None


def wants_progress_bar(stream: TextIO | None = None) -> bool:
    """Whether a bar should be drawn: only when ``stream`` (stderr) is a terminal."""
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
