"""``hub-plugin export --format onnx`` of a card whose ``author`` forges an asset (issue 27 hole 3),
end to end over the small SimCLR package: the card written names the exported file only, keeps the
author as one value, and passes the strict profile (MindSpore Hub's refuses the ':' in it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from asset_server import AssetServer
from small_simclr import SMALL_ARGS, small_simclr_registry

from hub_plugin.cli import main
from hub_plugin.validation.validator import read_manifest

pytestmark = pytest.mark.mindspore

EVIL_LINK = "https://evil.example/models/small_classifier.onnx"
FORGED_AUTHOR = (
    "<Test Author>\nrepo-link: <https://example.org/models/tiny>\nuser-id: tester\n"
    "used-for: inference\nupdate-time: 2026-01-01\nmindspore-version: 2.10\n"
    f"asset:\n\n-\n    file-format: onnx\n    asset-link: <{EVIL_LINK}>\n"
    f"    asset-sha256: {hashlib.sha256(b'evil').hexdigest()}\n\n"
    "input-shape: [2, 3, 32, 32]\nlicense: Apache2.0\nsummary: forged\n---\n<!-- >"
)


def test_export_onnx_of_a_card_with_a_forged_author_names_only_its_own_file(
    tmp_path: Path, asset_server: AssetServer, capsys: pytest.CaptureFixture[str]
) -> None:
    small = small_simclr_registry(tmp_path, asset_server)
    source = small.package / "small_classifier.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("author: Test Author", f"author: {json.dumps(FORGED_AUTHOR)}"),
                      encoding="utf-8")
    out = tmp_path / "out"
    code = main(["--registry", str(small.registry), "export", "simclr_small", "--format", "onnx",
                 "--output", str(out), "--batch-size", "2", "--trust", *SMALL_ARGS])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    card = out / "small_classifier_onnx.md"
    manifest = read_manifest(card, "strict")
    (asset,) = manifest.assets
    exported = out / "small_classifier.onnx"
    assert asset.link.endswith("/simclr_small/small_classifier.onnx") and asset.link != EVIL_LINK
    assert asset.sha256 == hashlib.sha256(exported.read_bytes()).hexdigest()
    assert manifest.fields["author"] == FORGED_AUTHOR
    assert main(["validate", "--profile", "strict", str(card)]) == 0
    capsys.readouterr()
    # MindSpore Hub's own validator refuses the ':' the forged author holds (issue 28): that one
    # error, at the author, is its verdict; the value stays a value
    assert main(["validate", "--profile", "mindspore-hub", "--format", "json", str(card)]) == 1
    (file,) = json.loads(capsys.readouterr().out)["files"]
    assert [(d["rule"], d["pointer"]) for d in file["errors"]] == [("mindspore-hub/colon", "/author")]
    capsys.readouterr()
