"""Zoo code's own output, kept off the user's terminal unless it matters.

Zoo folders print while they import (resnet's ``model_utils/config.py`` dumps its 73-line config
and "Please check the above information"). :func:`captured_output` collects what the code writes to
``sys.stdout`` and ``sys.stderr`` while it imports and builds the network; it is shown (on stderr,
its last :data:`SHOWN_LINES` lines, each marked ``zoo |``) only when the code fails, or always when
``verbose`` (``--verbose``, or ``HUB_PLUGIN_VERBOSE=1``).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from ..core.console import err, shown
from ..core.settings import VERBOSE_VARIABLE, Settings

#: How many of the last lines of output a failure shows.
SHOWN_LINES = 40


def verbose_from_environment() -> bool:
    """Whether ``HUB_PLUGIN_VERBOSE`` asks for zoo code's output."""
    return Settings.from_environment().verbose


def show(text: str, *, limit: int | None = SHOWN_LINES) -> None:
    """Write zoo code's output to stderr, each line marked ``zoo |`` (the last ``limit`` lines)."""
    lines = text.rstrip("\n").splitlines()
    if not lines:
        return
    if limit is not None and len(lines) > limit:
        err(f"zoo | ... ({len(lines) - limit} earlier lines)")
        lines = lines[-limit:]
    err("\n".join(f"zoo | {shown(line)}" for line in lines))  # a line of zoo code's is data


@contextlib.contextmanager
def captured_output(verbose: bool | None = None) -> Iterator[io.StringIO]:
    """Collect what the body writes to stdout and stderr; show it on failure, or when verbose."""
    wanted = verbose_from_environment() if verbose is None else verbose
    buffer = io.StringIO()
    failed = False
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            yield buffer
    except BaseException:
        failed = True
        raise
    finally:
        if failed or wanted:
            show(buffer.getvalue(), limit=SHOWN_LINES if failed and not wanted else None)


__all__ = ["SHOWN_LINES", "VERBOSE_VARIABLE", "captured_output", "show", "verbose_from_environment"]
