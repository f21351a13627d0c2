"""Data-parallel launches through MindSpore's own launcher, ``msrun``.

``hub-plugin train NAME --workers N`` re-runs the same command, without the launch options, as ``N``
worker processes under ``msrun`` (and msrun runs it once more as its scheduler). Each process finds
msrun's variables in its environment (``MS_ROLE=MS_WORKER`` or ``MS_SCHED``, ``RANK_ID``,
``MS_WORKER_NUM``), and the model package initialises MindSpore's communication from them
(:func:`launched_by_msrun`): nothing else tells a worker that it is one.

Several machines: run the same command on each with ``--nodes M --node-rank R --master-addr HOST
--master-port PORT``; ``--workers`` is the number of workers per machine, so ``msrun`` gets
``--worker_num=N*M --local_worker_num=N``.

msrun starts workers as ``python <script>`` with whatever ``python`` the ``PATH`` finds, so the
launcher puts this interpreter's folder first on the ``PATH`` and starts ``python -m hub_plugin``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.console import err
from ..errors import Interrupted, UsageError
from ..errors import (  # moved to errors.py (issue 26); importable here too
    LaunchFailed as LaunchFailed,
)

DEFAULT_MASTER_ADDR = "127.0.0.1"
DEFAULT_MASTER_PORT = 8118


@dataclass(frozen=True)
class LaunchPlan:
    """How to start a data-parallel job: workers per machine, machines, and the scheduler."""

    workers: int
    nodes: int = 1
    node_rank: int = 0
    master_addr: str = DEFAULT_MASTER_ADDR
    master_port: int = DEFAULT_MASTER_PORT
    log_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise UsageError(f"--workers must be at least 1, got {self.workers}")
        if self.nodes < 1:
            raise UsageError(f"--nodes must be at least 1, got {self.nodes}")
        if not 0 <= self.node_rank < self.nodes:
            raise UsageError(f"--node-rank must be in 0..{self.nodes - 1}, got {self.node_rank}")
        if not 1024 <= self.master_port <= 65535:
            raise UsageError(f"--master-port must be in 1024..65535, got {self.master_port}")

    @property
    def world_size(self) -> int:
        """Workers over all machines."""
        return self.workers * self.nodes

    @property
    def needs_msrun(self) -> bool:
        return self.world_size > 1

    def msrun_arguments(self, log_dir: Path) -> list[str]:
        """msrun's own options for this plan."""
        arguments = [
            f"--worker_num={self.world_size}",
            f"--local_worker_num={self.workers}",
            f"--master_addr={self.master_addr}",
            f"--master_port={self.master_port}",
            f"--log_dir={log_dir}",
            "--join=True",
            "--tail_worker_log=0",
        ]
        if self.nodes > 1:
            arguments.append(f"--node_rank={self.node_rank}")
        return arguments


def launched_by_msrun(environ: dict[str, str] | None = None) -> bool:
    """Whether msrun started this process: a worker, or msrun's scheduler.

    msrun runs the same command as its scheduler (``MS_ROLE=MS_SCHED``) beside the workers; the
    scheduler must reach ``mindspore.communication.init()`` too, which serves the job and exits
    the process when the workers are done.
    """
    env = os.environ if environ is None else environ
    return env.get("MS_ROLE") in ("MS_WORKER", "MS_SCHED")


def msrun_command(plan: LaunchPlan, hub_plugin_arguments: Sequence[str], log_dir: Path) -> list[str]:
    """The command that runs ``hub-plugin <hub_plugin_arguments>`` as the plan's workers.

    Workers start as ``python -P -m hub_plugin``: ``-P`` (and ``PYTHONSAFEPATH`` in
    :func:`launch`) keeps the working directory off ``sys.path``, so a ``mindspore.py`` or
    ``hub_plugin/`` in the folder the user runs from cannot shadow the real ones."""
    launcher = "from mindspore.parallel.cluster.run import main; main()"
    return [
        sys.executable, "-P", "-c", launcher,
        *plan.msrun_arguments(log_dir),
        _python_name(), "-P", "-m", "hub_plugin", *hub_plugin_arguments,
    ]


def _python_name() -> str:
    """``python`` or ``python3``: the name msrun accepts that finds this interpreter's folder."""
    folder = Path(sys.executable).parent
    for name in ("python", "python3"):
        if (folder / name).exists():
            return name
    return "python"


_NOISE = ("[WARNING]", "[INFO]", "[ERROR] DISTRIBUTED", "[ERROR] DEVICE", "[DEBUG]")
"""Prefixes of MindSpore's own log lines, left in the logs but not echoed to the terminal."""


def _echo_new_lines(path: Path, position: int) -> int:
    """Print the lines added to ``path`` since ``position`` (MindSpore's noise left out)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            handle.seek(position)
            text = handle.read()
    except OSError:
        return position
    complete = text[: text.rfind("\n") + 1]
    for line in complete.splitlines():
        if line.strip() and not line.startswith(_NOISE):
            err(line)
    return position + len(complete.encode("utf-8"))


def first_error(log_dir: Path) -> str | None:
    """The first one-line ``hub-plugin: error`` a worker wrote, with the worker's log name."""
    for path in sorted(log_dir.glob("worker_*.log")):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("hub-plugin: "):
                return f"{path.stem}: {line.removeprefix('hub-plugin: ')}"
    return None


def launch(plan: LaunchPlan, hub_plugin_arguments: Sequence[str]) -> int:
    """Run ``hub-plugin <hub_plugin_arguments>`` under msrun as ``plan`` says; returns 0.

    Rank 0's output (its log, without MindSpore's own log lines) is shown as it runs; every
    worker's full log, the scheduler's and msrun's own (``msrun.out``) stay in ``plan.log_dir``
    (a new temporary folder by default). Raises :class:`LaunchFailed`, quoting the first error a
    worker reported, when msrun or a worker fails.
    """
    log_dir = plan.log_dir or Path(tempfile.mkdtemp(prefix="hub-plugin-msrun-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    environ = dict(os.environ)
    environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    environ.setdefault("GLOG_v", "3")  # MindSpore's C++ log: errors only
    environ["PYTHONSAFEPATH"] = "1"  # no worker puts its working directory on sys.path
    command = msrun_command(plan, hub_plugin_arguments, log_dir)
    err(f"hub-plugin: starting {plan.world_size} data-parallel workers with msrun "
        f"({plan.workers} on this machine); logs in {log_dir}")
    rank0 = log_dir / "worker_0.log"
    position = 0
    with open(log_dir / "msrun.out", "wb") as output:
        process = subprocess.Popen(command, env=environ, stdout=output, stderr=subprocess.STDOUT)
        try:
            while process.poll() is None:
                time.sleep(0.5)
                position = _echo_new_lines(rank0, position)
        except KeyboardInterrupt:  # the workers got Ctrl-C too: say what rank 0 said it kept
            process.terminate()
            process.wait()
            _echo_new_lines(rank0, position)
            said = first_error(log_dir)
            raise Interrupted(
                f"the {plan.world_size} data-parallel workers were interrupted"
                + (f"; {said}" if said else ""), hint=f"every worker's log is in {log_dir}",
            ) from None
        except BaseException:
            process.terminate()
            process.wait()
            raise
    _echo_new_lines(rank0, position)
    if process.returncode != 0:
        raise LaunchFailed(process.returncode, log_dir, first_error(log_dir))
    return 0


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises ``KeyboardInterrupt`` inside, as Ctrl-C does: MindSpore's data workers, hit
    by the terminal's Ctrl-C too, end the main process with SIGTERM (the shell's "Terminated",
    exit 143), which would leave no word about what was kept (issue 28 item 4); so a package's
    job (train, eval, predict) ends with its one line and exit 130 instead. Only in the main
    thread (a signal handler can be set nowhere else); the previous handler is put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = [
    "LaunchFailed", "LaunchPlan", "first_error", "launch", "launched_by_msrun", "msrun_command",
    "terminate_as_interrupt",
]
