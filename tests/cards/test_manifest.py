"""The manifest: typed, immutable, values as written, positions remembered."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, line_of, write_card

from hub_plugin.cards.manifest import Metric, ModuleType, parse_evaluation, parse_metric, unwrap_link
from hub_plugin.validation.validator import read_manifest


@pytest.fixture
def manifest(tmp_path: Path):
    return read_manifest(write_card(tmp_path, "tiny", card_text()))


def test_values_are_kept_as_written(manifest) -> None:
    assert manifest.model_version == "1.10"
    assert manifest.mindspore_version == "2.3"
    assert manifest.fields["model-version"] == "1.10"
    assert manifest.fields["update-time"] == "2023-2-17"
    assert manifest.to_card_dict()["repo-link"] == "<https://example.org/models/tiny>"


def test_typed_views(manifest) -> None:
    assert manifest.name == "tiny"
    assert manifest.model_name == "tiny"
    assert manifest.fine_tunable is True
    assert manifest.module_type == ModuleType("cv", "classification")
    assert manifest.used_for == ("inference", "extract-feature")
    assert manifest.train_datasets == ("cifar10", "imagenet2012")
    assert manifest.update_time == datetime.date(2023, 2, 17)
    assert manifest.repo_link == "https://example.org/models/tiny"
    assert [(m.name, m.value) for m in manifest.evaluation] == [
        ("top1acc", 76.97),
        ("top5acc", 93.44),
    ]
    (asset,) = manifest.assets
    assert asset.link == "https://example.org/models/tiny.ckpt"
    assert asset.sha256 == DIGEST and not asset.is_digest_prefix
    assert asset.file_format == "ckpt" and asset.file_name == "tiny.ckpt"


def test_every_field_remembers_its_position(manifest) -> None:
    text = card_text()
    position = manifest.position("/asset/0/asset-sha256")
    assert position is not None
    assert (position.line, position.column) == (
        line_of(text, "asset-sha256"),
        len("    asset-sha256: ") + 1,
    )
    assert manifest.position("/author").line == line_of(text, "author:")
    assert manifest.assets[0].position.line == line_of(text, "file-format")


def test_the_manifest_is_immutable(manifest) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        manifest.name = "other"
    with pytest.raises(TypeError):
        manifest.fields["author"] = "someone"
    with pytest.raises(TypeError):
        manifest.fields["asset"][0]["asset-link"] = "https://elsewhere"
    assert isinstance(manifest.fields["asset"], tuple)


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("acc84.88", "acc", 84.88),
        ("mAP39.8", "mAP", 39.8),
        ("top1acc76.97", "top1acc", 76.97),
        ("F1score88.71", "F1score", 88.71),
        ("vot2015acc59.59", "vot2015acc", 59.59),
        ("2.2m", "m", 2.2),
        ("acc 81%", "acc", 81.0),
    ],
)
def test_metrics_as_the_hub_writes_them(text: str, name: str, value: float) -> None:
    assert parse_metric(text) == Metric(name, value, text)


def test_evaluation_lists_and_none() -> None:
    assert parse_evaluation("-") == ()
    assert parse_evaluation("") == ()
    assert [m.name for m in parse_evaluation("2.2m | 3.44d")] == ["m", "d"]
    assert parse_evaluation("good") is None
    assert parse_evaluation("acc80 | bad") is None


def test_links_in_angle_brackets_are_unwrapped() -> None:
    assert unwrap_link("<https://x/y>") == "https://x/y"
    assert unwrap_link("https://x/y") == "https://x/y"


def test_a_digest_prefix_card_reads_under_the_hub_profile(tmp_path: Path) -> None:
    path = write_card(tmp_path, "newer", card_text(VALID_FRONT_MATTER.replace(DIGEST, "CC4FBD91")))
    manifest = read_manifest(path, "mindspore-hub")
    assert manifest.assets[0].sha256 == "cc4fbd91"
    assert manifest.assets[0].is_digest_prefix
