"""Completing a card for publication: only the values publish knows are rewritten, missing ones
added where the card's own layout puts them, and hub paths are plain names."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, replace_field

from hub_plugin.cards.completion import AssetFill, complete_card, file_format_for, hub_layout_path
from hub_plugin.errors import UsageError
from hub_plugin.validation.validator import read_manifest, validate_file

NEW = "a" * 64


def _complete(tmp_path: Path, text: str, **kwargs: object) -> str:
    path = tmp_path / "card.md"
    path.write_text(text, encoding="utf-8")
    report = validate_file(path)
    assert report.fields is not None
    fill = AssetFill(0, "https://bucket.example/models/m.ckpt", NEW, "ckpt")
    return complete_card(text, report.fields, report.positions, [fill], update_time="2026-12-01",
                         **kwargs)  # type: ignore[arg-type]


def test_links_digests_and_date_are_replaced_and_nothing_else(tmp_path: Path) -> None:
    text = card_text(body="\n## Body\n\nKeep `asset-link: <x>` as written.\n")
    done = _complete(tmp_path, text, mindspore_version="2.10")
    changed = [(a, b) for a, b in zip(text.splitlines(), done.splitlines(), strict=True) if a != b]
    assert changed == [
        ("update-time: 2023-2-17", "update-time: 2026-12-01"),
        ("    asset-link: <https://example.org/models/tiny.ckpt>",
         "    asset-link: <https://bucket.example/models/m.ckpt>"),
        (f"    asset-sha256: {DIGEST}", f"    asset-sha256: {NEW}"),
    ]  # mindspore-version was given by the card: kept
    (tmp_path / "done.md").write_text(done)
    assert read_manifest(tmp_path / "done.md", "mindspore-hub").assets[0].sha256 == NEW


def test_missing_fields_are_added(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "mindspore-version", None)
    front = replace_field(front, "update-time", None)
    front = replace_field(front, "    file-format", None)
    front = replace_field(front, "    asset-sha256", None)
    done = _complete(tmp_path, card_text(front), mindspore_version="2.10")
    assert "update-time: 2026-12-01\n" in done and "mindspore-version: 2.10\n" in done
    assert "    file-format: ckpt\n" in done and f"    asset-sha256: {NEW}\n" in done
    (tmp_path / "done.md").write_text(done)
    manifest = read_manifest(tmp_path / "done.md", "strict")
    assert manifest.mindspore_version == "2.10" and manifest.assets[0].file_format == "ckpt"


def test_file_formats() -> None:
    assert [file_format_for(n) for n in ("a.ckpt", "b.MINDIR", "c.onnx", "d.ms", "e.bin")] == [
        "ckpt", "mindir", "onnx", "mslite", None]


def test_hub_layout_path() -> None:
    assert hub_layout_path("mindspore", "1.8", "alexnet") == "mshub_res/assets/mindspore/1.8/alexnet.md"
    assert hub_layout_path("me", "2.3", "x", root="") == "me/2.3/x.md"


@pytest.mark.parametrize("parts", [
    ("..", "1.8", "x"), ("a/b", "1.8", "x"), ("me", "../..", "x"), ("me", "1.8", "../x"),
    ("-rf", "1.8", "x"), (".git", "1.8", "x"), ("me", "1.8", "x\ny"), ("", "1.8", "x"),
    ("me", "1..8", "x"), ("me", "1.8", "a\\b"),
])
def test_hub_layout_path_refuses_what_is_not_a_plain_name(parts: tuple[str, str, str]) -> None:
    with pytest.raises(UsageError, match="cannot be a folder or file name"):
        hub_layout_path(*parts)
