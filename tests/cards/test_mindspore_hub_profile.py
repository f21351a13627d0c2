"""The mindspore-hub profile gives MindSpore Hub's own validator's verdict (issue 28, item 2).

Upstream: ValidMarkdown of mindspore-ai/hub (mindspore_hub/_utils/check.py), offline. Each rule has
a test with a card the test writes; the real cards of ../shared/cards (when present) get exactly
upstream's verdicts, as ../shared/README.md gives them for the 1.8 cards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, line_of, replace_field, write_card
from locations import SHARED

from hub_plugin.cards.profiles import load_schema, upstream_lists
from hub_plugin.errors import CardError
from hub_plugin.validation.validator import read_manifest, validate_file, validate_paths

HUB = "mindspore-hub"


def check(tmp_path: Path, front: str, name: str = "card", *, body: str = "\n## Body\n\nText.\n",
          profile: str = HUB):
    return validate_file(write_card(tmp_path, name, card_text(front, body=body)), profile)  # type: ignore[arg-type]


def rules(defects) -> list[str]:
    return sorted(d.rule for d in defects)


# -- train-dataset: split on '_', each part in the closed list, as written ------------------------

@pytest.mark.parametrize("value", ["cifar10", "cifar10_imagenet2012", "ImageNet2012", "None",
                                   "polarity_moviereview", "Gigaword corpus"])
def test_a_train_dataset_of_listed_parts_passes(tmp_path: Path, value: str) -> None:
    front = replace_field(VALID_FRONT_MATTER, "train-dataset", f"train-dataset: {value}")
    report = check(tmp_path, front)
    assert report.valid and report.warnings == [], report.errors


@pytest.mark.parametrize(("value", "bad"), [
    ("COCO2017", ["COCO2017"]),            # the list has coco2017: compared as written
    ("N/A", ["N/A"]),
    ("MVtecAD_bottle", ["MVtecAD", "bottle"]),  # listed whole, but upstream splits it first
    ("cifar10_CIFAR-10", ["CIFAR-10"]),
])
def test_a_train_dataset_outside_the_list_is_upstreams_error(
    tmp_path: Path, value: str, bad: list[str]
) -> None:
    front = replace_field(VALID_FRONT_MATTER, "train-dataset", f"train-dataset: {value}")
    report = check(tmp_path, front)
    assert rules(report.errors) == ["mindspore-hub/train-dataset"] * len(bad)
    for part, error in zip(bad, report.errors, strict=True):
        assert repr(part) in error.message and "closed list" in error.message
        assert error.line == line_of(card_text(front), "train-dataset:")
    # strict is hub-plugin's own rules, unchanged: any non-empty text
    assert check(tmp_path, front, profile="strict").valid


def test_the_dataset_error_suggests_the_listed_spelling(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "train-dataset", "train-dataset: COCO2017")
    (error,) = check(tmp_path, front).errors
    assert "did you mean 'coco2017'?" in error.message


def test_an_empty_or_missing_train_dataset_is_not_checked(tmp_path: Path) -> None:
    assert check(tmp_path, replace_field(VALID_FRONT_MATTER, "train-dataset", None)).valid
    assert check(tmp_path, replace_field(VALID_FRONT_MATTER, "train-dataset", "train-dataset:")).valid


# -- module-type, used-for, file-format: closed lists, in lower case ------------------------------

@pytest.mark.parametrize(("line", "rule"), [
    ("module-type: vision", "mindspore-hub/module-type"),
    ("module-type: cv-object-detection", "mindspore-hub/module-type"),  # two '-'
    ("used-for: inference/training", "mindspore-hub/used-for"),
])
def test_closed_lists_of_the_fields(tmp_path: Path, line: str, rule: str) -> None:
    key = line.split(":")[0]
    report = check(tmp_path, replace_field(VALID_FRONT_MATTER, key, line))
    assert rules(report.errors) == [rule]
    assert report.errors[0].pointer == f"/{key}"


def test_upstream_compares_types_in_lower_case_and_ours_warns(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "module-type", "module-type: CV-classification")
    front = replace_field(front, "used-for", "used-for: Inference")
    front = front.replace("file-format: ckpt", "file-format: CKPT")
    report = check(tmp_path, front)
    assert report.valid
    assert rules(report.warnings) == ["schema/enum", "schema/pattern", "schema/pattern"]
    assert not check(tmp_path, front, profile="strict").valid


def test_a_file_format_outside_the_list(tmp_path: Path) -> None:
    report = check(tmp_path, VALID_FRONT_MATTER.replace("file-format: ckpt", "file-format: pth"))
    (error,) = report.errors
    assert (error.rule, error.pointer) == ("mindspore-hub/file-format", "/asset/0/file-format")
    assert report.warnings == []  # the same finding of hub-plugin's rules is not said twice


# -- types, required fields, assets ---------------------------------------------------------------

def test_yaml_1_1_booleans_are_booleans_for_upstream(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: yes")
    report = check(tmp_path, front + "allow-cache-ckpt: off\n")
    assert report.valid, report.errors
    assert rules(report.warnings) == ["schema/type", "schema/type"]  # YAML 1.2 reads text


@pytest.mark.parametrize(("extra", "rule"), [
    ("accuracy: high\n", "schema/type"),
    ("allow-cache-ckpt: maybe\n", "schema/type"),
])
def test_typed_optional_fields(tmp_path: Path, extra: str, rule: str) -> None:
    (error,) = check(tmp_path, VALID_FRONT_MATTER + extra).errors
    assert error.rule == rule


def test_required_fields_are_present_whatever_their_value(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "author", "author:")
    report = check(tmp_path, front)
    assert report.valid  # upstream asks only that the field is there
    (warning,) = report.warnings
    assert warning.pointer == "/author"  # hub-plugin's rule: non-empty text
    missing = check(tmp_path, replace_field(VALID_FRONT_MATTER, "author", None))
    assert [d.message for d in missing.errors] == ["missing field 'author'"]


def test_an_empty_repo_link_is_not_checked(tmp_path: Path) -> None:
    report = check(tmp_path, replace_field(VALID_FRONT_MATTER, "repo-link", "repo-link:"))
    assert report.valid, report.errors
    assert [d.pointer for d in report.warnings] == ["/repo-link"]
    assert not check(tmp_path, replace_field(VALID_FRONT_MATTER, "repo-link", "repo-link:"),
                     profile="strict").valid


def test_an_asset_needs_its_three_fields(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace("    file-format: ckpt\n", "")
    assert [d.message for d in check(tmp_path, front).errors] == ["missing field 'file-format'"]


# -- the ':' rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [
    "summary2: see:the paper\n",
    'note: "a: b"\n',
    "quantization:\n    scheme: int8\n",  # a mapping: Python prints it with ':'
    "update-stamp: 2022-09-01 10:00:00\n",  # a YAML 1.1 timestamp prints with ':'
])
def test_a_colon_outside_repo_link_asset_and_evaluation(tmp_path: Path, extra: str) -> None:
    report = check(tmp_path, VALID_FRONT_MATTER + extra)
    (error,) = report.errors
    assert error.rule == "mindspore-hub/colon" and "':'" in error.message


def test_colons_where_upstream_allows_them(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "evaluation", "evaluation: 'top1: 76.9'")
    assert check(tmp_path, front).valid  # repo-link and asset hold URLs with ':' already
    front = replace_field(VALID_FRONT_MATTER, "evaluation", "evaluation: -")
    report = check(tmp_path, front)
    assert report.valid and rules(report.warnings) == ["yaml-dash"]  # read as 'no' upstream


def test_a_dash_value_other_than_evaluations_is_upstreams_error(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "license", "license: -")
    (error,) = check(tmp_path, front).errors
    assert (error.rule, error.pointer) == ("mindspore-hub/yaml-dash", "/license")
    assert """write 'license: "-"'""" in error.message
    assert check(tmp_path, front, profile="strict").valid  # a warning there, as before


# -- the '---' count ------------------------------------------------------------------------------

def test_a_body_dash_line_is_upstreams_error_and_our_warning(tmp_path: Path) -> None:
    body = "\n## Body\n\nText.\n\n----\n\nMore.\n"
    report = check(tmp_path, VALID_FRONT_MATTER, body=body)
    text = card_text(VALID_FRONT_MATTER, body=body)
    (error,) = report.errors
    assert error.rule == "mindspore-hub/dashes" and "has 3" in error.message
    assert error.line == line_of(text, "----")
    (warning,) = report.warnings
    assert warning.rule == "mindspore-hub/differs" and "would accept" in warning.message
    assert check(tmp_path, VALID_FRONT_MATTER, body=body, profile="strict").valid


# -- a key given twice -----------------------------------------------------------------------------

def test_a_repeated_key_is_upstreams_last_value_and_our_warning(tmp_path: Path) -> None:
    report = check(tmp_path, VALID_FRONT_MATTER + "license: MIT\n")
    assert report.valid
    (warning,) = report.warnings
    assert warning.rule == "duplicate-key" and "keeps the last" in warning.message
    assert rules(check(tmp_path, VALID_FRONT_MATTER + "license: MIT\n", profile="strict").errors) \
        == ["duplicate-key"]


# -- _cn cards: upstream checks the English sibling instead ---------------------------------------

def test_a_cn_card_has_its_english_siblings_verdict(tmp_path: Path) -> None:
    broken = replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes")
    write_card(tmp_path, "tiny", card_text(VALID_FRONT_MATTER))
    cn = write_card(tmp_path, "tiny_cn", card_text(broken))
    report = validate_file(cn, HUB)
    assert report.valid  # upstream never reads it: its sibling passes
    (warning,) = report.warnings
    assert warning.rule == "schema/type" and "never reads a _cn card" in warning.message
    with pytest.raises(CardError):
        read_manifest(cn, HUB)  # but nothing builds on its broken content
    assert not validate_file(cn, "strict").valid


def test_a_cn_card_of_a_refused_sibling_is_refused(tmp_path: Path) -> None:
    bad = replace_field(VALID_FRONT_MATTER, "train-dataset", "train-dataset: COCO2017")
    write_card(tmp_path, "tiny", card_text(bad))
    cn = write_card(tmp_path, "tiny_cn", card_text(VALID_FRONT_MATTER))
    (error,) = validate_file(cn, HUB).errors
    assert error.rule == "mindspore-hub/cn-card" and "tiny.md" in error.message
    assert "COCO2017" in error.message
    # the folder: the same verdict twice, each for the English card's defect
    report = validate_paths([tmp_path], HUB)
    assert report.summary() == {"files": 2, "valid": 0, "invalid": 2}


def test_a_cn_card_without_a_sibling_passes_with_a_warning(tmp_path: Path) -> None:
    cn = write_card(tmp_path, "lonely_cn", card_text(VALID_FRONT_MATTER))
    report = validate_file(cn, HUB)
    assert report.valid and [d.rule for d in report.warnings] == ["mindspore-hub/cn-card"]


# -- the closed lists: one home, upstream's -------------------------------------------------------

def test_the_closed_lists_name_upstream_and_agree_with_the_field_rules() -> None:
    data = load_schema("mindspore-hub-validator.json")
    assert "mindspore-ai/hub" in data["$comment"] and "29e408be0301" in data["$comment"]
    lists = upstream_lists()
    assert {"coco2017", "ImageNet2012", "MVtecAD_bottle", "None"} <= lists["train-dataset"]
    assert "COCO2017" not in lists["train-dataset"] and "N/A" not in lists["train-dataset"]
    fields = load_schema()["$defs"]["card-fields"]["properties"]
    assert set(load_schema()["$defs"]["hub-asset"]["properties"]["file-format"]["enum"]) == \
        lists["file-format"]
    assert all(f"{t}|" in fields["module-type"]["pattern"] or f"|{t})" in fields["module-type"]["pattern"]
               for t in lists["module-type"])
    assert all(u in fields["used-for"]["pattern"] for u in lists["used-for"])
    assert len(json.dumps(data)) < 10_000  # a small data file


def test_the_closed_dataset_list_is_upstreams(tmp_path: Path) -> None:
    reference = SHARED / "reference" / "mindspore-hub-datasets.json"
    if not reference.is_file():
        pytest.skip("../shared/reference is not here")
    names = json.loads(reference.read_text(encoding="utf-8"))["names"]
    assert upstream_lists()["train-dataset"] == frozenset(names)


# -- the real cards: upstream's verdict on every one ----------------------------------------------

CARDS = SHARED / "cards"
#: The 1.8 cards MindSpore Hub's validator rejects, all for their train-dataset (../shared/README.md:
#: 435 accepted, 13 rejected).
REJECTED_18 = {
    "bertfinetune_bilstmcrf_chinesener": "ChineseNER",
    "bertlarge_boost_enwiki512": "en-wiki-512",
    "bertthor_mlperf": "MLPerf-v0.7",
    "crnn_crnnds": "CRNN-DS",
    "deeptext_icdar2013": "ICDAR2013 | SCUT-FORU | CocoTextv2",
    "fasttext_agnews": "AG's News Topic Classification Dataset",
    "fasttext_dbpedia": "DBPedia Ontology Classification Dataset",
    "fasttext_yelp": "Yelp Review Polarity Dataset",
    "lstm_aclimdbv1": "AclImdb_v1",
    "osnet_dukemtmcreid": "dukemtmcreid",
    "patchcore_mvtecad": "MVTec AD",
    "slowfast_ava": "ava2.2",
    "tokenfusion_nyudv2": "NYUDv2",
}
#: The 2.3 cards it rejects by the same rule: COCO2017 (the list has coco2017), AISHELL-1, LMDBDataset.
REJECTED_23 = {"conformer_aishell", "crnn_vgg7_lmdbd", *(
    f"{n}_coco2017" for n in ("yolov3_darknet53", "yolov4_cspdarknet53", "yolov5n", "yolov5s",
                              "yolov7_tiny", "yolov8n", "yolov8s", "yolox_s"))}


@pytest.mark.skipif(not CARDS.is_dir(), reason="../shared/cards is not here")
def test_every_real_card_gets_upstreams_verdict() -> None:
    report = validate_paths([CARDS], HUB)
    assert len(report.files) == 508
    rejected = {Path(f.path).stem for f in report.files if not f.valid}
    assert rejected == set(REJECTED_18) | REJECTED_23  # 0 disagreements
    one_eight = [f for f in report.files if Path(f.path).parent.name == "mindspore-1.8"]
    assert sum(f.valid for f in one_eight) == 435
    for file in report.files:
        assert {d.rule for d in file.errors} <= {"mindspore-hub/train-dataset"}
        stem = Path(file.path).stem
        if stem in REJECTED_18:
            value = REJECTED_18[stem]
            assert any(value in d.message or repr(p) in d.message
                       for d in file.errors for p in value.split("_"))
        # no real card is one where hub-plugin knowingly decides otherwise
        assert not [d for d in file.warnings if d.rule.startswith("mindspore-hub/")]


def test_a_card_only_upstreams_lists_refuse_still_loads(tmp_path: Path) -> None:
    """The verdict gates a hub's pull requests; hub-plugin still reads the card (a registry and a
    hub's index read cards under this profile), as it did before the closed lists."""
    front = replace_field(VALID_FRONT_MATTER, "train-dataset", "train-dataset: COCO2017")
    quantization = ("quantization:\n    scheme: int8-static-qdq\n    calibration-size: 32\n"
                    "    top1-agreement: 0.95\n")
    card = write_card(tmp_path, "yolo", card_text(front + quantization))
    assert not validate_file(card, HUB).valid
    assert read_manifest(card, HUB).fields["train-dataset"] == "COCO2017"


def test_every_rule_of_the_profile_is_described() -> None:
    from hub_plugin.cards import mindspore_hub
    from hub_plugin.cards.rules import RULES

    ids = {getattr(mindspore_hub, name) for name in mindspore_hub.__all__
           if name.isupper() and name != "SAFETY_RULES"}
    assert len(ids) == 9 and ids <= set(RULES)
