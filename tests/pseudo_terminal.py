"""Running hub-plugin on a real pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from collections.abc import Sequence


def run_on_a_terminal(arguments: Sequence[str], answer: bytes | None = None,
                      timeout: float = 120) -> tuple[int, str]:
    """Run ``python -m hub_plugin ARGUMENTS`` on a pseudo-terminal; type ``answer`` when it asks
    ``[y/N]``; its exit code and everything it wrote to the terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command line on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "hub_plugin", *arguments])
    output = b""
    answered = answer is None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"[y/N]" in output:
            os.write(fd, answer or b"")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
