"""``hub-plugin inspect`` and ``convert`` from the command line, and the ``asset/not-a-checkpoint``
check of ``download`` and ``validate --verify-assets``: a .ckpt that does not parse, is cut short
or holds no tensor fails even when its sha256 is the card's (issue 29). Cards in a temporary
registry, assets on a real HTTP server on 127.0.0.1; no MindSpore."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

import pytest
from asset_server import AssetServer, asset_server
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes, tensors_bytes

import hub_plugin
from hub_plugin.checkpoints.convert import safetensors_metadata
from hub_plugin.checkpoints.reader import read_checkpoint
from hub_plugin.cli import main
from hub_plugin.errors import CheckpointError

__all__ = ["asset_server"]

TENSORS = [
    ("conv.weight", "Float32", (2, 3), struct.pack("<6f", *range(6))),
    ("conv.bias", "Float16", (2,), b"\x00\x3c\x00\xc0"),
    ("global_step", "Int32", (), struct.pack("<i", 9)),
]
HTML = b"<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not Found</body></html>\n"


def card(registry: Path, name: str, link: str, content: bytes) -> Path:
    front = (VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
             .replace(DIGEST, hashlib.sha256(content).hexdigest()))
    return write_card(registry, name, card_text(front))


@pytest.fixture
def ckpt(tmp_path: Path) -> Path:
    path = tmp_path / "model.ckpt"
    path.write_bytes(tensors_bytes(TENSORS))
    return path


def test_inspect_piped_prints_one_plain_line_per_tensor(
        ckpt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(ckpt)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"# {ckpt}: 3 tensors, 9 elements, 32 B (32 bytes)",
        "conv.weight\tFloat32\t[2, 3]\t24",
        "conv.bias\tFloat16\t[2]\t4",
        "global_step\tInt32\t[]\t4",
    ]


def test_inspect_json_is_exact(ckpt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(ckpt), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    data = ckpt.read_bytes()
    assert document["size"] == len(data) and document["card"] is None
    assert document["total"] == {"tensors": 3, "elements": 9, "bytes": 32}
    for entry, (name, dtype, shape, content) in zip(document["tensors"], TENSORS, strict=True):
        assert (entry["name"], entry["dtype"], entry["shape"], entry["bytes"]) == (
            name, dtype, list(shape), len(content))
        assert data[entry["offset"]:entry["offset"] + entry["bytes"]] == content


def test_inspect_a_card_name_fetches_and_tells_what_the_card_says(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tensors_bytes(TENSORS)
    card(tmp_path / "registry", "tiny", asset_server.add("/m/tiny.ckpt", content), content)
    assert main(["--registry", str(tmp_path / "registry"), "inspect", "tiny", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["card"]["name"] == "tiny"
    assert document["card"]["file"] == "tiny.ckpt"
    assert document["card"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["card"]["format"] == "ckpt"
    assert [t["name"] for t in document["tensors"]] == [t[0] for t in TENSORS]


@pytest.mark.parametrize(("data", "reason"), [
    (HTML, "wire type"), (b"", "holds no tensor"), (tensors_bytes(TENSORS)[:-3], "remain")])
def test_inspect_a_broken_file_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str) -> None:
    path = tmp_path / "broken.ckpt"
    path.write_bytes(data)
    assert main(["inspect", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"hub-plugin: error: {path}: not a MindSpore checkpoint: ") and reason in line


def test_inspect_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nothing.ckpt")]) == 2
    assert capsys.readouterr().err.strip() == f"hub-plugin: error: {tmp_path / 'nothing.ckpt'}: no such file"


def test_convert_both_ways_keeps_every_byte(
        ckpt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("safetensors")
    out = tmp_path / "out" / "model.safetensors"
    assert main(["convert", str(ckpt), "--to", "safetensors", "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    metadata = safetensors_metadata(out)
    assert metadata["source"] == "model.ckpt"
    assert metadata["source_sha256"] == hashlib.sha256(ckpt.read_bytes()).hexdigest()
    back = tmp_path / "back.ckpt"
    assert main(["convert", str(out), "--to", "ckpt", "-o", str(back)]) == 0
    assert back.read_bytes() == ckpt.read_bytes()


def test_convert_refuses_a_dtype_safetensors_lacks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("safetensors")
    path = tmp_path / "text.ckpt"
    path.write_bytes(tensors_bytes(TENSORS[:1]) + _str_value("note", "hello"))
    assert main(["convert", str(path), "--to", "safetensors"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "safetensors has no dtype for str" in line
    assert not (tmp_path / "text.safetensors").exists()


def _str_value(name: str, text: str) -> bytes:
    from hub_plugin.checkpoints.convert import _bytes_field, _varint_field

    tensor = _varint_field(1, 0) + _bytes_field(2, b"str") + _bytes_field(3, text.encode("utf-32-le"))
    return _bytes_field(1, _bytes_field(1, name.encode()) + _bytes_field(2, tensor))


@pytest.mark.parametrize("broken", [HTML, b"", checkpoint_bytes(4096)[:-100]],
                         ids=["html-page", "empty", "cut-short"])
def test_download_of_a_broken_ckpt_with_the_cards_digest_fails(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: bytes) -> None:
    registry = tmp_path / "registry"
    card(registry, "broken", asset_server.add("/m/broken.ckpt", broken), broken)
    assert main(["--registry", str(registry), "download", "broken"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "not a MindSpore checkpoint" in line and "asset/not-a-checkpoint" in line
    with pytest.raises(CheckpointError):
        hub_plugin.download("broken", registry=[registry])


def test_download_of_a_real_ckpt_passes(asset_server: AssetServer, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    content = tensors_bytes(TENSORS)
    registry = tmp_path / "registry"
    card(registry, "good", asset_server.add("/m/good.ckpt", content), content)
    assert main(["--registry", str(registry), "download", "good"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert len(read_checkpoint(path).tensors) == 3


def test_validate_verify_assets_reports_not_a_checkpoint(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cards"
    path = card(folder, "html", asset_server.add("/m/html.ckpt", HTML), HTML)
    good = tensors_bytes(TENSORS)
    card(folder, "good", asset_server.add("/m/good.ckpt", good), good)
    assert main(["validate", "--verify-assets", "--format", "json", str(folder)]) == 1
    report = json.loads(capsys.readouterr().out)
    found = [(Path(f["path"]).name, d["rule"]) for f in report["files"] for d in f["errors"]]
    assert found == [(path.name, "asset/not-a-checkpoint")]


def test_inspect_on_a_terminal_draws_a_table(ckpt: Path) -> None:
    from pseudo_terminal import run_on_a_terminal

    code, shown = run_on_a_terminal(["inspect", str(ckpt)])
    assert code == 0, shown
    assert "conv.weight" in shown and "Float32" in shown and "[2, 3]" in shown
    assert "3 tensors, 9 elements, 32 B (32 bytes)" in shown
    assert "\t" not in shown  # a table, not the piped lines


def test_convert_a_card_name_records_the_link_and_digest(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("safetensors")
    content = tensors_bytes(TENSORS)
    link = asset_server.add("/m/tiny.ckpt", content)
    card(tmp_path / "registry", "tiny", link, content)
    out = tmp_path / "tiny.safetensors"
    assert main(["--registry", str(tmp_path / "registry"), "convert", "tiny", "--to", "safetensors",
                 "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    metadata = safetensors_metadata(out)
    assert (metadata["source"], metadata["source_sha256"]) == (link, hashlib.sha256(content).hexdigest())


def test_an_unwritable_output_is_one_line(
        ckpt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("safetensors")
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    target = blocker / "x.safetensors"
    assert main(["convert", str(ckpt), "--to", "safetensors", "--output", str(target)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("hub-plugin: error: ") and "internal error" not in line


def test_an_unreadable_file_is_one_line(ckpt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ckpt.chmod(0)
    try:
        if os.access(ckpt, os.R_OK):
            pytest.skip("running as a user who reads any file (root)")
        assert main(["inspect", str(ckpt)]) == 2
        assert "cannot read it" in capsys.readouterr().err
    finally:
        ckpt.chmod(0o644)
