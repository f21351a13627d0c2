"""MindSpore's own log lines are hidden by default: ``eval``, ``predict`` and ``load`` print no
``[WARNING] ME`` line unless ``--verbose`` (or the person's own ``GLOG_v``) lets them through."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from asset_server import AssetServer
from PIL import Image
from small_simclr import SMALL_ARGS, small_simclr_registry

from hub_plugin.packages.mindspore_log import quiet_mindspore_logs

pytestmark = pytest.mark.mindspore
REPOSITORY = Path(__file__).resolve().parents[2]
TINY = ["--backbone", "resnet18", "--width-multiplier", "0.125"]
MINDSPORE_WARNING = "[WARNING] ME"


def _hub_plugin(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GLOG_v"}
    env.update(environment)
    return subprocess.run([sys.executable, "-m", "hub_plugin", *arguments], capture_output=True,
                          text=True, timeout=300, cwd=REPOSITORY, env=env)


def test_the_level_is_set_only_when_nobody_asked_for_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "mindspore", raising=False)
    environ: dict[str, str] = {}
    assert quiet_mindspore_logs(environ=environ) and environ == {"GLOG_v": "3"}
    mine = {"GLOG_v": "1"}
    assert not quiet_mindspore_logs(environ=mine) and mine == {"GLOG_v": "1"}
    verbose: dict[str, str] = {}
    assert not quiet_mindspore_logs(verbose=True, environ=verbose) and verbose == {}


def test_eval_predict_and_load_print_no_mindspore_warnings(
    tmp_path: Path, asset_server: AssetServer
) -> None:
    sys.path.insert(0, str(REPOSITORY / "tests" / "models" / "simclr"))
    try:
        from tiny_cifar import write_cifar_bin
    finally:
        sys.path.pop(0)
    data = write_cifar_bin(tmp_path / "data", train=20, test=10)
    small = small_simclr_registry(tmp_path, asset_server)
    evaluated = _hub_plugin(
        "eval", "simclr", "--data", str(data), "--encoder", str(small.encoder), *TINY,
        "--epochs", "1", "--output", str(tmp_path / "eval"), "--card-name", "tiny",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert MINDSPORE_WARNING not in evaluated.stdout + evaluated.stderr

    image = tmp_path / "cat.png"
    Image.fromarray(np.full((32, 32, 3), 120, np.uint8)).save(image)
    predict = ["predict", "simclr", str(image), *TINY, "--encoder", str(small.encoder),
               "--classifier", str(small.classifier)]
    predicted = _hub_plugin(*predict)
    assert predicted.returncode == 0, predicted.stderr
    assert MINDSPORE_WARNING not in predicted.stdout + predicted.stderr
    # the person's own GLOG_v is respected (MindSpore's info lines show): the test above can fail
    loud = _hub_plugin("--verbose", *predict, GLOG_v="1")
    assert loud.returncode == 0 and "[INFO] ME" in loud.stdout + loud.stderr

    loaded = _hub_plugin("--registry", str(small.registry), "load", "simclr_small", "--trust",
                         *SMALL_ARGS)
    assert loaded.returncode == 0, loaded.stderr
    assert MINDSPORE_WARNING not in loaded.stdout + loaded.stderr
