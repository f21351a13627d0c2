"""Progress on a terminal, the console's (:mod:`.console`) moving part: a ``rich`` bar on stderr
for downloads (bytes, speed, time left), and :class:`Activity` for any other long work (a phase
with a spinner and the time taken, or N of M done: hub syncs, zoo fetches, export phases, eval
epochs, link checks, predict batches).

Both are drawn only when stderr is a terminal: off a terminal they are quiet, so logs, pipes and
CI output stay line-based and unchanged, except for an :class:`Activity` made with ``lines=True``
(the long phases of ``load``, ``export`` and ``eval``, issue 28 item 6), which writes one line
when a phase has run for two seconds and one when it ends, with its time and its counts
(:func:`.console.progress_line`). Descriptions (which name cards, files and hubs) are shown
as data (:func:`.console.markup_text`), never as markup or escape sequences. ``rich`` is imported
only when something is actually drawn.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any, Protocol, TextIO

from .console import markup_text, progress_line, rich_console

#: The displays drawing now. A download's bar pauses the activity around it (a zoo fetch, an
#: export) while it draws, so that two displays never write over each other.
_DRAWING: list[Any] = []


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
    advancing it for every chunk costs next to nothing. It draws only while an asset is moving (from
    :meth:`start` to :meth:`finish`), so that an :class:`Activity` can show the other phases of the
    same command.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: Any = None
        self._task: Any = None
        self._paused: list[Activity] = []

    def _open(self) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as RichBar

        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=rich_console(file=self._stream),
            transient=False,
        )
        paused = [shown for shown in _DRAWING if isinstance(shown, Activity)]
        for activity in paused:
            activity.pause()
        self._paused = paused
        self._bar.start()
        _DRAWING.append(self)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            _DRAWING.remove(self)
            for activity in self._paused:
                activity.resume()

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    def start(self, description: str, total: int | None, completed: int = 0) -> None:
        if self._bar is None:
            self._open()
        if self._task is None:
            self._task = self._bar.add_task(markup_text(description), total=total, completed=completed)
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
            self._close()


class Activity:
    """Shows that long work is alive: a spinner, a description (the phase, changed with
    :meth:`phase`), N of M done when ``total`` is known (:meth:`advance`), and the time taken.

    A context manager; on a terminal it draws on ``stream`` (stderr) and clears itself at the
    end (``transient``: the command's own output stays as it was); elsewhere it does nothing,
    unless ``lines``: then a phase still running after :data:`LINE_AFTER` seconds gets a line
    (``DESCRIPTION ...``) and, when it ends, another (``DESCRIPTION: done in 3.1 s``, with ``N of
    M`` when counted), and counted work a line at most every :data:`LINE_EVERY` seconds, so that a
    pipe or a log shows that long work is alive (issue 28 item 6). A phase shorter than that
    prints nothing: a quick command, or a mistake's one line, stays as it was.
    """

    #: How long a phase runs before it is shown off a terminal.
    LINE_AFTER = 2.0
    #: The fewest seconds between two count lines off a terminal.
    LINE_EVERY = 10.0

    def __init__(self, description: str, total: int | None = None, *,
                 stream: TextIO | None = None, lines: bool = False) -> None:
        self.description = description
        self.total = total
        self._stream = stream or sys.stderr
        self._bar: Any = None
        self._task: Any = None
        self._done = 0
        self._paused = False
        self._lines = False
        self._lines_wanted = lines
        self._phase_started = 0.0
        self._last_line = 0.0
        self._shown = False  # this phase's start line is out
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Activity:
        if not wants_progress_bar(self._stream):
            if self._lines_wanted:
                self._lines = True
                self._start_line()
            return self
        if _DRAWING:  # a bar is drawing: it shows life
            return self
        self._draw()
        _DRAWING.append(self)
        return self

    def _draw(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichBar

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
        if self.total is not None:
            columns += [BarColumn(), MofNCompleteColumn()]
        self._bar = RichBar(*columns, TimeElapsedColumn(), console=rich_console(file=self._stream),
                            transient=True)
        self._bar.start()
        self._task = self._bar.add_task(markup_text(self.description), total=self.total,
                                        completed=self._done)

    def pause(self) -> None:
        """Stop drawing for a while (a download's bar takes the terminal)."""
        if self._bar is not None and not self._paused:
            self._bar.stop()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._draw()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._lines:
            self._end_line("stopped" if error is not None else "done")
            self._lines = False
        if self._bar is not None:
            if not self._paused:
                self._bar.stop()
            self._bar = None
            self._paused = False
            _DRAWING.remove(self)

    def _counts(self) -> str:
        if self.total is not None:
            return f" ({self._done} of {self.total})"
        return ""

    def _start_line(self) -> None:
        """Start a phase: its line comes after :data:`LINE_AFTER` seconds if it still runs."""
        self._phase_started = self._last_line = time.monotonic()
        self._shown = False
        self._timer = threading.Timer(self.LINE_AFTER, self._show_start)
        self._timer.daemon = True
        self._timer.start()

    def _show_start(self) -> None:
        with self._lock:
            if self._timer is not None and not self._shown:
                self._shown = True
                self._last_line = time.monotonic()
                progress_line(f"{self.description} ...", self._stream)

    def _end_line(self, how: str) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._shown:
                seconds = time.monotonic() - self._phase_started
                progress_line(f"{self.description}: {how} in {seconds:.1f} s{self._counts()}",
                              self._stream)
            self._shown = False

    def phase(self, description: str) -> None:
        """Say what is being done now (off a terminal with ``lines``: the last phase's end line and
        this one's start line)."""
        if self._lines:
            self._end_line("done")
        self.description = description
        if self._lines:
            self._start_line()
        if self._bar is not None and not self._paused:
            self._bar.update(self._task, description=markup_text(description))

    def advance(self, count: int = 1) -> None:
        """``count`` more of the ``total`` done."""
        self._done += count
        if self._lines and self._shown and time.monotonic() - self._last_line >= self.LINE_EVERY:
            with self._lock:
                self._last_line = time.monotonic()
                progress_line(f"{self.description}{self._counts()}", self._stream)
        if self._bar is not None and not self._paused:
            self._bar.advance(self._task, count)


def wants_progress_bar(stream: TextIO | None = None) -> bool:
    """Whether a bar should be drawn: only when ``stream`` (stderr) is a terminal."""
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
