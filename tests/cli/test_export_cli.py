"""``hub-plugin export``: the command line over a small SimCLR package and a planted wrong export."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from asset_server import AssetServer
from noisy_package import noisy_registry
from s3_server import S3Server
from small_simclr import SMALL_ARGS, small_simclr_registry

from hub_plugin.cli import main

pytestmark = pytest.mark.mindspore


def test_export_onnx_prints_the_check_and_writes_a_valid_card(
    tmp_path: Path, asset_server: AssetServer, capsys: pytest.CaptureFixture[str]
) -> None:
    small = small_simclr_registry(tmp_path, asset_server)
    out = tmp_path / "out"
    code = main(["--registry", str(small.registry), "export", "simclr_small", "--format", "onnx",
                 "--output", str(out), "--batch-size", "2", "--trust", *SMALL_ARGS])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "round trip through onnxruntime on a seeded batch [2, 3, 32, 32]" in printed
    assert "absolute" in printed and "relative" in printed and "within the tolerance" in printed
    assert (out / "small_classifier.onnx").is_file()
    for profile in ("strict", "mindspore-hub"):
        assert main(["validate", "--profile", profile, str(out / "small_classifier_onnx.md")]) == 0
    capsys.readouterr()


def test_in_a_pipe_each_export_phase_is_a_line(
    tmp_path: Path, asset_server: AssetServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 28 item 6: piped, export said nothing until the end; each phase that runs long
    (here: every phase, ``LINE_AFTER`` 0) is a line when it starts and when it ends."""
    from hub_plugin.core.progress import Activity

    monkeypatch.setattr(Activity, "LINE_AFTER", 0.0)
    small = small_simclr_registry(tmp_path, asset_server)
    code = main(["--registry", str(small.registry), "export", "simclr_small", "--format", "onnx",
                 "--output", str(tmp_path / "out"), "--batch-size", "4", "--trust", *SMALL_ARGS])
    err = capsys.readouterr().err
    assert code == 0, err
    for phase in ("building the network", "writing small_classifier.onnx (input [4, 3, 32, 32])",
                  "round trip of small_classifier.onnx on 2 image(s)"):
        assert f"hub-plugin: export of simclr_small: {phase} ...\n" in err, err
        assert f"hub-plugin: export of simclr_small: {phase}: done in " in err, err


def test_a_planted_wrong_export_fails_deletes_the_file_and_names_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = noisy_registry(tmp_path)
    out = tmp_path / "out"
    code = main(["--registry", str(registry), "export", "noisy", "--format", "mindir",
                 "--output", str(out), "--no-pretrained", "--trust"])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert "noisy.mindir: the export does not reproduce the network: largest difference" in lines[0]
    assert "relative, above the tolerance 0.0001" in lines[0] and "the file was deleted" in lines[0]
    assert list(out.iterdir()) == []


def test_air_on_the_cpu_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--registry", str(noisy_registry(tmp_path)), "export", "noisy", "--format", "air",
                 "--device", "cpu", "--no-pretrained", "--trust", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "AIR export needs an Ascend device" in err and "cpu" in err


def test_without_onnxruntime_the_error_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    code = main(["--registry", str(noisy_registry(tmp_path)), "export", "noisy", "--format", "onnx",
                 "--no-pretrained", "--trust", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "hub-plugin: error: hub-plugin export --format onnx needs ONNX Runtime, which is not "
        "installed: pip install 'hub-plugin[onnx]'"
    )
    assert not (tmp_path / "out").exists()


def test_a_bad_batch_size_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--registry", str(noisy_registry(tmp_path)), "export", "noisy", "--format", "mindir",
                 "--batch-size", "0", "--no-pretrained", "--trust", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == "hub-plugin: error: --batch-size must be at least 1, got 0"
    assert not (tmp_path / "out").exists()


def test_the_exported_card_is_completed_by_the_publish_command_export_prints(
    tmp_path: Path, asset_server: AssetServer, s3_server: S3Server, capsys: pytest.CaptureFixture[str]
) -> None:
    small = small_simclr_registry(tmp_path, asset_server)
    out = tmp_path / "out"
    assert main(["--registry", str(small.registry), "export", "simclr_small", "--format", "mindir",
                 "--output", str(out), "--trust", *SMALL_ARGS]) == 0
    card = out / "small_classifier_mindir.md"
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"to publish: hub-plugin publish {card} --upload s3://BUCKET/PREFIX")
    bucket = s3_server.bucket("export-card")
    assert main(["publish", str(card), "--upload", f"s3://{bucket}/small",
                 "--endpoint-url", s3_server.endpoint]) == 0
    text = card.read_text()
    assert f"<{s3_server.endpoint}/{bucket}/small/small_classifier.mindir>" in text
    assert "download.example.com" not in text
