"""The msrun launch plan: its checks, and the command it runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hub_plugin.errors import UsageError
from hub_plugin.packages.launch import LaunchPlan, launched_by_msrun, msrun_command


def test_one_worker_needs_no_msrun() -> None:
    assert not LaunchPlan(workers=1).needs_msrun
    assert LaunchPlan(workers=2).needs_msrun and LaunchPlan(workers=1, nodes=2).needs_msrun


def test_two_nodes_pass_msrun_the_node_options(tmp_path: Path) -> None:
    plan = LaunchPlan(workers=4, nodes=2, node_rank=1, master_addr="10.0.0.1", master_port=9000)
    command = msrun_command(plan, ["train", "simclr", "--data", "d"], tmp_path)
    assert command[:3] == [sys.executable, "-P", "-c"]
    assert "--worker_num=8" in command and "--local_worker_num=4" in command
    assert "--node_rank=1" in command and "--master_addr=10.0.0.1" in command
    assert "--master_port=9000" in command and f"--log_dir={tmp_path}" in command
    tail = command[command.index("-m") - 2 :]
    assert tail[1:] == ["-P", "-m", "hub_plugin", "train", "simclr", "--data", "d"]
    assert tail[0] in ("python", "python3")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, "--workers"),
        ({"workers": 2, "nodes": 2, "node_rank": 2}, "--node-rank"),
        ({"workers": 2, "master_port": 80}, "--master-port"),
    ],
)
def test_bad_plans_are_usage_errors(options: dict[str, int], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        LaunchPlan(**options)


def test_msrun_processes_are_recognised() -> None:
    assert launched_by_msrun({"MS_ROLE": "MS_WORKER"}) and launched_by_msrun({"MS_ROLE": "MS_SCHED"})
    assert not launched_by_msrun({})


def test_a_failed_job_quotes_the_first_worker_error(tmp_path: Path) -> None:
    from hub_plugin.errors import LaunchFailed
    from hub_plugin.packages.launch import first_error

    (tmp_path / "worker_0.log").write_text("[WARNING] ME noise\nstep 1/4\n")
    (tmp_path / "worker_1.log").write_text("[WARNING] x\nhub-plugin: error: loss is nan at step 3\n")
    assert first_error(tmp_path) == "worker_1: error: loss is nan at step 3"
    failure = LaunchFailed(1, tmp_path, first_error(tmp_path))
    assert str(failure).startswith("data-parallel job failed: worker_1: error: loss is nan at step 3")
    assert first_error(tmp_path / "empty") is None


def test_workers_do_not_import_from_the_working_directory(tmp_path: Path) -> None:
    """Issue 17, case 18: msrun's workers ran ``python -m hub_plugin`` with the working directory
    on ``sys.path``, so a ``hub_plugin/`` or ``mindspore.py`` there shadowed the real one. The
    worker part of the command, run as msrun runs it, in a folder holding such shadows."""
    import subprocess

    marker = tmp_path / "shadowed"
    for shadow in ("hub_plugin/__init__.py", "hub_plugin/__main__.py", "mindspore.py"):
        (tmp_path / shadow).parent.mkdir(exist_ok=True)
        (tmp_path / shadow).write_text(f"open({str(marker)!r}, 'a').write({shadow!r})\n")
    command = msrun_command(LaunchPlan(workers=2), ["--version"], tmp_path / "logs")
    worker = command[command.index("-m") - 2 :]
    worker[0] = str(Path(sys.executable).parent / worker[0])
    done = subprocess.run(worker, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert done.stdout.startswith("hub-plugin ")


def test_sigterm_is_an_interrupt_inside_and_the_old_handler_comes_back() -> None:
    """MindSpore's data workers answer Ctrl-C by sending the main process SIGTERM ("Terminated",
    exit 143): inside a package's job it is a KeyboardInterrupt, hence one line and exit 130
    (issue 28 item 4); outside, the handler is what it was."""
    import os
    import signal

    import pytest

    from hub_plugin.packages.launch import terminate_as_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between bytecodes
            pass
    assert signal.getsignal(signal.SIGTERM) is before
