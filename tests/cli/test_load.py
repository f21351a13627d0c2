"""``hub-plugin load``: what it prints, and its errors as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.cli import main

pytestmark = pytest.mark.mindspore
SMALL = ["--arg", "backbone=resnet18", "--arg", "width_multiplier=0.125"]


def test_load_without_weights_builds_and_runs_the_network(capsys) -> None:
    assert main(["load", "simclr", "--no-pretrained", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "simclr_linearclassifier_cifar10" in out
    assert "network: simclr_classifier" in out
    assert "input shape: (2, 3, 32, 32)" in out
    assert "forward pass: output shape (2, 10)" in out


def test_load_offline_with_an_empty_cache_is_one_line(capsys) -> None:
    assert main(["load", "simclr", "--offline"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("hub-plugin: error: offline:") and "\n" not in err


def test_a_bad_arg_is_a_usage_error(capsys) -> None:
    assert main(["load", "simclr", "--no-pretrained", "--arg", "no-equals"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_untrusted_code_in_a_non_interactive_run_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "outsider"
    write_card(folder, "outsider_card", card_text())
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text("def outsider():\n    'A net.'\n")
    (folder / "package.yaml").write_text("cards:\n  outsider_card: {network: outsider}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub_plugin",
            "--registry",
            str(tmp_path),
            "load",
            "outsider",
            "--no-pretrained",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "--trust" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_absent_device_is_one_line_naming_what_was_found(capsys) -> None:
    assert main(["load", "simclr", "--no-pretrained", "--device", "ascend"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hub-plugin: error: device 'ascend' is not available: found cpu")
    assert "\n" not in err


def test_in_a_pipe_the_build_and_the_forward_pass_are_lines(capsys, monkeypatch) -> None:
    """Issue 28 item 6: the forward pass (36 to 61 s on zoo networks) said nothing; piped, a
    phase that runs long is a line when it starts and one when it ends."""
    from hub_plugin.core.progress import Activity

    monkeypatch.setattr(Activity, "LINE_AFTER", 0.0)
    assert main(["load", "simclr", "--no-pretrained", *SMALL]) == 0
    err = capsys.readouterr().err
    for phase in ("building the network", "forward pass on a batch of 2"):
        assert f"hub-plugin: load of simclr: {phase} ...\n" in err, err
        assert f"hub-plugin: load of simclr: {phase}: done in " in err, err
