"""``hub-plugin train | eval | predict simclr`` end to end on the CPU, and their one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hub_plugin.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]
TINY = ["--backbone", "resnet18", "--width-multiplier", "0.0625"]


def _tiny_cifar(root: Path, train: int, test: int) -> Path:
    sys.path.insert(0, str(REPOSITORY / "tests" / "models" / "simclr"))
    try:
        from tiny_cifar import write_cifar_bin
    finally:
        sys.path.pop(0)
    return write_cifar_bin(root, train=train, test=test)


def _hub_plugin(*arguments: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub_plugin", *arguments],
        capture_output=True, text=True, timeout=timeout, cwd=REPOSITORY,
    )


@pytest.mark.slow
def test_train_kill_resume_eval_predict(tmp_path: Path) -> None:
    data = _tiny_cifar(tmp_path / "data", train=24, test=10)
    run = tmp_path / "run"
    train = [
        "train", "simclr", "--data", str(data), "--output", str(run), *TINY, "--batch-size", "4",
        "--steps", "16", "--checkpoint-every", "4", "--log-every", "1", "--data-workers", "1",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "hub_plugin", *train],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPOSITORY,
    )
    checkpoints = run / "checkpoints"
    deadline = time.monotonic() + 180
    while not list(checkpoints.glob("step-*.ckpt")) and process.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint was written"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    survivors = sorted(p.name for p in checkpoints.glob("step-*.ckpt"))
    assert survivors and "step-00000016.ckpt" not in survivors
    good = max(survivors)
    # what a kill during a write leaves (a temporary file) and a damaged newer file: never loaded
    (checkpoints / ".partial-1-step-00000012.ckpt").write_bytes(b"half a checkpoint")
    (checkpoints / "step-00000015.ckpt").write_bytes((checkpoints / good).read_bytes()[:-64])

    resumed = _hub_plugin("train", "simclr", "--output", str(run), "--resume", "--format", "json")
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["resumed_from"] == str(checkpoints / good)
    assert result["first_step"] == int(good[5:13]) and result["steps"] == result["total_steps"] == 16
    assert (checkpoints / "step-00000016.ckpt").is_file()
    assert not list(checkpoints.glob(".partial-*"))
    steps = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    resumed_steps = [r["step"] for r in steps if r["kind"] == "step"][-(16 - result["first_step"]):]
    assert resumed_steps == list(range(result["first_step"] + 1, 17))

    evaluation = tmp_path / "eval"
    evaluated = _hub_plugin(
        "eval", "simclr", "--data", str(data), "--encoder", str(checkpoints / "step-00000016.ckpt"),
        *TINY, "--epochs", "2", "--output", str(evaluation), "--card-name", "tiny", "--format", "json",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    assert figures["test_images"] == 10 and 0 <= figures["top1"] <= figures["top5"] <= 100
    assert _hub_plugin("validate", str(evaluation)).returncode == 0

    image = tmp_path / "cat.jpg"
    Image.fromarray(np.full((48, 64, 3), 120, np.uint8)).save(image)
    predicted = _hub_plugin(
        "predict", "simclr", str(image), str(tmp_path / "missing.png"), *TINY,
        "--encoder", figures["encoder"], "--classifier", figures["classifier"], "--format", "json",
    )
    assert predicted.returncode == 1  # one image could not be answered
    answers = json.loads(predicted.stdout)
    assert answers[0]["image"] == str(image) and len(answers[0]["top"]) == 5
    assert answers[1] == {"image": str(tmp_path / "missing.png"), "error": "no such file"}


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("hub-plugin: ")]
    assert len(errors) == 1 and "Traceback" not in "\n".join(err), err
    return errors[0]


def test_a_missing_data_path_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["train", "simclr", "--data", str(tmp_path / "nowhere"), "--output", str(tmp_path / "o")])
    assert code == 2
    line = _one_line_error(capsys)
    assert "dataset path" in line and "does not exist" in line


def test_an_absent_device_says_what_was_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["train", "simclr", "--device", "ascend", "--data", str(tmp_path)])
    assert code == 2
    assert "device 'ascend' is not available: found cpu" in _one_line_error(capsys)


def test_bad_settings_and_missing_checkpoints(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["train", "simclr", "--data", str(tmp_path), "--batch-size", "0"]) == 2
    assert "batch_size must be positive" in _one_line_error(capsys)
    assert main(["eval", "simclr", "--data", str(tmp_path)]) == 2
    assert "--encoder CKPT or --pretrained" in _one_line_error(capsys)


def test_a_package_without_the_entry_point_names_what_it_offers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    package = tmp_path / "toy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hubconf.py").write_text("def create_network(name, **kwargs):\n    return None\n")
    code = main(["--registry", str(tmp_path), "train", "toy", "--trust"])
    assert code != 0
    line = _one_line_error(capsys)
    assert "'toy' has no train()" in line and "it offers: create_network" in line


def test_help_lists_the_packages_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "simclr", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--width-multiplier", "--resume", "--workers", "--master-addr", "--preset"):
        assert option in out


@pytest.mark.slow
def test_ctrl_c_after_a_checkpoint_is_one_line_naming_it_and_resume(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group (the data workers too, as on a terminal): the run
    ends with exit 130 and one line naming the checkpoint kept and the --resume command, not
    "Terminated" (143) from the SIGTERM MindSpore's workers send (issue 28 item 4)."""
    data = _tiny_cifar(tmp_path / "data", train=24, test=10)
    run = tmp_path / "run"
    train = [
        "train", "simclr", "--data", str(data), "--output", str(run), *TINY, "--batch-size", "4",
        "--steps", "400", "--checkpoint-every", "2", "--log-every", "1", "--data-workers", "2",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "hub_plugin", *train], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=REPOSITORY, start_new_session=True,
    )
    checkpoints = run / "checkpoints"
    deadline = time.monotonic() + 180
    while not list(checkpoints.glob("step-*.ckpt")) and process.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint was written"
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if line.startswith("hub-plugin: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    kept = sorted(checkpoints.glob("step-*.ckpt"))
    assert kept and "training interrupted; kept the checkpoint" in lines[0]
    assert str(kept[-1]) in lines[0] or any(str(path) in lines[0] for path in kept)
    assert f"hub-plugin train simclr --output {run} --resume" in lines[0]


def test_the_packages_own_option_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A mistake in the package's options is one line and exit 2, not argparse's twenty lines of
    usage (issue 28 item 4)."""
    for options in (["--no-such-option"], ["--batch-size", "many"], ["--workers", "two"],
                    ["--backbone", "resnet9"]):
        assert main(["train", "simclr", "--data", str(tmp_path), *options]) == 2
        captured = capsys.readouterr()
        err = captured.err.strip().splitlines()
        assert len(err) == 1 and not captured.out, (options, err)
        assert err[0].startswith("hub-plugin: error: hub-plugin train simclr: ")
        assert err[0].endswith("(see hub-plugin train simclr --help)")
