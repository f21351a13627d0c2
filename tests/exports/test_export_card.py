"""The card ``export`` writes, through the one card writer: a hub card's values stay values (issue 27
hole 3: a multi-line ``author`` that holds ``asset:`` lines and a ``---`` can no longer forge the
user's own card), and the card is read back and checked to describe the file written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field

import hub_plugin
from hub_plugin.exports import card as export_card
from hub_plugin.exports.card import ExportDescription, write_export_card
from hub_plugin.exports.results import ExportError
from hub_plugin.validation.validator import read_manifest

EVIL_LINK = "https://evil.example/models/resnet18.onnx"
EVIL_SHA256 = hashlib.sha256(b"the attacker's model").hexdigest()
#: The author of a hub card served by the mindcv package (no trust question): it closes the front
#: matter the export writes after the fields it names itself, and hides the rest in a comment.
FORGED_AUTHOR = (
    "<MindSpore team>\n"
    "repo-link: <https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/resnet>\n"
    "user-id: MindSpore\nused-for: inference\nupdate-time: 2026-01-01\nmindspore-version: 2.3\n"
    f"asset:\n\n-\n    file-format: onnx\n    asset-link: <{EVIL_LINK}>\n    asset-sha256: {EVIL_SHA256}\n\n"
    "input-shape: [1, 3, 224, 224]\nlicense: Apache2.0\nsummary: resnet18 exported to ONNX\n"
    "---\n<!-- >"
)


def _hub_card(tmp_path: Path, author: str) -> Path:
    front = replace_field(VALID_FRONT_MATTER, "author", f"author: {json.dumps(author)}")
    front = replace_field(front, "model-name", "model-name: resnet18")
    front = replace_field(front, "repo-link",
                          "repo-link: <https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/resnet>")
    path = tmp_path / "hub" / "resnet18_imagenet2012.md"
    path.parent.mkdir(parents=True)
    path.write_text(card_text(front, title="# resnet18\n\n"), encoding="utf-8")
    return path


def _description(tmp_path: Path, author: str, data: bytes = b"onnx bytes",
                 **changes: Any) -> ExportDescription:
    exported = tmp_path / "out" / "resnet18.onnx"
    exported.parent.mkdir(parents=True, exist_ok=True)
    exported.write_bytes(data)
    values: dict[str, Any] = {
        "source": read_manifest(_hub_card(tmp_path, author), "mindspore-hub"), "package": "mindcv",
        "network_name": "mindcv_model", "network_arguments": {"model_name": "resnet18"},
        "file": exported, "file_format": "onnx", "sha256": hashlib.sha256(data).hexdigest(),
        "input_shape": (1, 3, 224, 224), "check": None, "mindspore_version": "2.10",
        "size": len(data),
    }
    values.update(changes)
    return ExportDescription(**values)


def test_a_forged_author_stays_the_author_and_adds_no_asset(tmp_path: Path) -> None:
    description = _description(tmp_path, FORGED_AUTHOR)
    card_path = tmp_path / "out" / "resnet18_onnx.md"
    manifest = write_export_card(description, card_path)
    (asset,) = manifest.assets
    assert asset.link == "https://download.example.com/models/mindcv/resnet18.onnx"
    assert asset.sha256 == description.sha256 and EVIL_LINK not in {a.link for a in manifest.assets}
    assert manifest.fields["author"] == FORGED_AUTHOR
    text = card_path.read_text(encoding="utf-8")
    assert sum(line.startswith("---") for line in text.splitlines()) == 2
    assert hub_plugin.validate([card_path], profile="strict").valid
    # MindSpore Hub's own validator refuses the ':' the forged author holds (issue 28): the value
    # stays a value, and that is upstream's one objection to it
    (file,) = hub_plugin.validate([card_path], profile="mindspore-hub").files
    assert [(d.rule, d.pointer) for d in file.errors] == [("mindspore-hub/colon", "/author")]


def test_the_card_is_checked_against_the_file_on_disk(tmp_path: Path) -> None:
    description = _description(tmp_path, "MindSpore team",
                               sha256=hashlib.sha256(b"what was hashed").hexdigest())
    with pytest.raises(ExportError, match=r"does not describe resnet18\.onnx: the file changed after "
                                          r"it was hashed"):
        write_export_card(description, tmp_path / "out" / "resnet18_onnx.md")


def test_a_card_naming_another_asset_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fields = export_card.card_fields

    def with_an_extra_asset(description: ExportDescription, **kwargs: Any) -> dict[str, Any]:
        written = fields(description, **kwargs)
        written["asset"].append({"file-format": "onnx", "asset-link": f"<{EVIL_LINK}>",
                                 "asset-sha256": EVIL_SHA256})
        return written

    monkeypatch.setattr(export_card, "card_fields", with_an_extra_asset)
    with pytest.raises(ExportError, match=r"resnet18_onnx\.md: the card written does not describe "
                                          r"resnet18\.onnx: it names 2 assets"):
        write_export_card(_description(tmp_path, "MindSpore team"), tmp_path / "out" / "resnet18_onnx.md")
