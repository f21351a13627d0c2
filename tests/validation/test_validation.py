"""The schema profiles and the checks a schema can't express."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, line_of, replace_field, write_card

from hub_plugin.cards.profiles import PROFILES, compile_profile, load_schema
from hub_plugin.errors import CardError, UsageError
from hub_plugin.validation.validator import read_manifest, validate_file, validate_paths


def check(tmp_path: Path, front_matter: str, profile: str = "strict"):
    return validate_file(write_card(tmp_path, "card", card_text(front_matter)), profile)


def error_rules(report) -> list[str]:
    return [d.rule for d in report.errors]


def test_the_schema_is_valid_json_schema_2020_12() -> None:
    from jsonschema import Draft202012Validator

    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    for profile in PROFILES:
        Draft202012Validator.check_schema(compile_profile(schema, profile))


@pytest.mark.parametrize("profile", PROFILES)
def test_a_valid_card_passes_both_profiles(tmp_path: Path, profile: str) -> None:
    report = check(tmp_path, VALID_FRONT_MATTER, profile)
    assert report.valid, report.errors
    assert report.warnings == []
    assert report.manifest is not None


def test_every_missing_field_is_reported_not_only_the_first(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER
    for key in ("author", "license", "summary"):
        front = replace_field(front, key, None)
    report = check(tmp_path, front)
    messages = sorted(d.message for d in report.errors)
    assert messages == [f"missing field '{k}'" for k in ("author", "license", "summary")]
    assert all(d.rule == "schema/required" for d in report.errors)


@pytest.mark.parametrize(
    ("key", "line", "rule", "words"),
    [
        ("fine-tunable", "fine-tunable: yes", "schema/type", "True or False"),
        ("module-type", "module-type: vision-classification", "schema/pattern", "cvtmodel"),
        ("used-for", "used-for: inference/training", "schema/pattern", "extract-feature"),
        ("update-time", "update-time: 2022-02-30", "date", "real date"),
        ("update-time", "update-time: July 2022", "date", "real date"),
        ("repo-link", "repo-link: <http://example.org/x>", "link", "https"),
        ("repo-link", "repo-link: ftp://example.org/x", "link", "https"),
        ("evaluation", "evaluation: very good", "evaluation", "metrics"),
        ("author", 'author: ""', "schema/minLength", "non-empty"),
        ("accuracy", "accuracy: high", "schema/type", "number"),
    ],
)
def test_field_rules_report_at_the_value(
    tmp_path: Path, key: str, line: str, rule: str, words: str
) -> None:
    front = (
        replace_field(VALID_FRONT_MATTER, key, line)
        if f"\n{key}:" in "\n" + VALID_FRONT_MATTER
        else (VALID_FRONT_MATTER + line + "\n")
    )
    text = card_text(front)
    report = validate_file(write_card(tmp_path, "card", text))
    (defect,) = report.errors
    assert defect.rule == rule
    assert words in defect.message
    assert defect.line == line_of(text, line.split(":")[0] + ":")
    assert defect.column == len(line.split(":")[0]) + 3
    assert defect.pointer == f"/{key}"


def test_asset_rules_point_into_the_asset(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace("file-format: ckpt", "file-format: pth")
    text = card_text(front)
    report = validate_file(write_card(tmp_path, "card", text))
    (defect,) = report.errors
    assert defect.rule == "schema/enum" and "mindir" in defect.message
    assert defect.pointer == "/asset/0/file-format"
    assert defect.line == line_of(text, "file-format: pth")


def test_asset_fields_are_required(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace(f"    asset-sha256: {DIGEST}\n", "")
    report = check(tmp_path, front, "mindspore-hub")
    assert [d.message for d in report.errors] == ["missing field 'asset-sha256'"]


def test_a_digest_prefix_is_strict_error_and_hub_warning(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace(DIGEST, "cc4fbd91")
    strict = check(tmp_path, front, "strict")
    (error,) = strict.errors
    assert (
        error.rule == "sha256" and "weak check" in error.message and "8 hex digits" in error.message
    )
    hub = check(tmp_path, front, "mindspore-hub")
    assert hub.valid
    (warning,) = hub.warnings
    assert warning.rule == "sha256" and "weak check" in warning.message
    assert hub.manifest is not None and hub.manifest.assets[0].is_digest_prefix


@pytest.mark.parametrize(
    ("digest", "words"),
    [
        (DIGEST.upper(), "lower-case"),
        ("cc4fbd9", "64 lower-case hex"),
        ("z" * 64, "64 lower-case hex"),
    ],
)
def test_malformed_digests_are_refused_in_strict(tmp_path: Path, digest: str, words: str) -> None:
    report = check(tmp_path, VALID_FRONT_MATTER.replace(DIGEST, digest))
    (error,) = report.errors
    assert error.rule == "sha256" and words in error.message


@pytest.mark.parametrize(
    "link", ["http://127.0.0.1:8000/a.ckpt", "http://localhost/a.ckpt", "http://[::1]:9/a.ckpt"]
)
def test_plain_http_is_allowed_to_loopback_only(tmp_path: Path, link: str) -> None:
    report = check(
        tmp_path, VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
    )
    assert report.valid, report.errors


def test_plain_http_elsewhere_is_refused(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace(
        "https://example.org/models/tiny.ckpt", "http://example.org/a.ckpt"
    )
    (error,) = check(tmp_path, front).errors
    assert error.rule == "link" and error.pointer == "/asset/0/asset-link"


def test_repeated_assets_are_refused(tmp_path: Path) -> None:
    asset = VALID_FRONT_MATTER.split("asset:\n\n", 1)[1].split("\nlicense", 1)[0]
    front = VALID_FRONT_MATTER.replace(asset, asset + asset)
    report = check(tmp_path, front)
    assert sorted(d.message for d in report.errors) == [
        "asset 1 repeats the link of asset 0",
        "asset 1 repeats the sha256 of asset 0",
    ]


def test_unknown_fields_are_strict_errors_with_a_suggestion(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER + "modle-version: 2\n"
    (error,) = check(tmp_path, front).errors
    assert error.rule == "schema/unknown-field"
    assert "did you mean 'model-version'" in error.message
    assert check(tmp_path, front, "mindspore-hub").valid


def test_the_hub_profile_keeps_unknown_fields_as_warnings_with_their_suggestion(tmp_path: Path) -> None:
    front = VALID_FRONT_MATTER.replace("backbone-name:", "backbone-nmae:")
    report = check(tmp_path, front, "mindspore-hub")
    assert [(d.rule, d.message) for d in report.errors] == [
        ("schema/required", "missing field 'backbone-name'")]
    (warning,) = report.warnings
    assert (warning.rule, warning.pointer) == ("schema/unknown-field", "/backbone-nmae")
    assert warning.message == "unknown field 'backbone-nmae' (did you mean 'backbone-name'?)"
    assert warning.line == line_of(card_text(front), "backbone-nmae:")
    strict = check(tmp_path, front)
    assert sorted(d.rule for d in strict.errors) == ["schema/required", "schema/unknown-field"]
    assert strict.warnings == []


def test_hub_profile_makes_our_extra_rules_warnings(tmp_path: Path) -> None:
    front = replace_field(VALID_FRONT_MATTER, "update-time", "update-time: 2022-13-01")
    front = replace_field(front, "model-name", None)
    hub = check(tmp_path, front, "mindspore-hub")
    assert hub.valid
    assert sorted(d.rule for d in hub.warnings) == ["date", "model-name"]
    assert sorted(error_rules(check(tmp_path, front, "strict"))) == ["date", "model-name"]


def test_hub_profile_optional_fields(tmp_path: Path) -> None:
    front = (
        VALID_FRONT_MATTER
        + "allow-cache-ckpt: False\naccuracy: 76.9\ninput-shape: [1, 3, 32, 32]\n"
    )
    assert check(tmp_path, front, "mindspore-hub").valid
    bad = VALID_FRONT_MATTER + "allow-cache-ckpt: maybe\n"
    (error,) = check(tmp_path, bad, "mindspore-hub").errors
    assert error.rule == "schema/type"


def test_hub_profile_does_not_require_our_fields(tmp_path: Path) -> None:
    front = replace_field(
        replace_field(VALID_FRONT_MATTER, "evaluation", None), "train-dataset", None
    )
    assert check(tmp_path, front, "mindspore-hub").valid
    assert sorted(d.message for d in check(tmp_path, front).errors) == [
        "missing field 'evaluation'",
        "missing field 'train-dataset'",
    ]


@pytest.mark.parametrize("profile", PROFILES)
def test_compiled_profile_agrees_with_the_schema_as_written(tmp_path: Path, profile: str) -> None:
    from jsonschema import Draft202012Validator

    schema = load_schema()
    reference = Draft202012Validator({**schema, "$ref": f"#/$defs/{profile}"})
    compiled = Draft202012Validator(compile_profile(schema, profile))
    samples = [
        {"model-name": "x"},
        {"fine-tunable": "yes", "asset": [{"file-format": "pth"}]},
        {"asset": [], "unknown": 1, "used-for": "inference"},
        {
            "asset": [{"file-format": "ckpt", "asset-link": "", "asset-sha256": "a"}],
            "accuracy": "x",
        },
    ]
    valid = json.loads(
        json.dumps(
            dict(
                zip(
                    [
                        "backbone-name",
                        "module-type",
                        "fine-tunable",
                        "model-version",
                        "author",
                        "update-time",
                        "repo-link",
                        "user-id",
                        "used-for",
                        "mindspore-version",
                        "license",
                        "summary",
                        "train-dataset",
                        "evaluation",
                        "model-name",
                    ],
                    [
                        "b",
                        "cv",
                        True,
                        "1",
                        "a",
                        "2022-01-01",
                        "https://x",
                        "u",
                        "inference",
                        "1.8",
                        "L",
                        "s",
                        "c",
                        "-",
                        "n",
                    ],
                    strict=True,
                )
            )
        )
    )
    valid["asset"] = [{"file-format": "ckpt", "asset-link": "https://x/a", "asset-sha256": DIGEST}]
    samples.append(valid)

    def verdicts(validator, sample):
        found = set()
        for error in validator.iter_errors(sample):
            kind = (
                "additionalProperties"
                if error.validator == "unevaluatedProperties"
                else error.validator
            )
            found.add((tuple(error.absolute_path), kind))
        return found

    # The two agree on validity and on every error but one: where another error fails the
    # referenced profile, 2020-12 drops its annotations and the reference also calls the known
    # fields "unevaluated". The compiled form reports only the fields that really are unknown.
    samples.append({**valid, "unknown": 1})
    for sample in samples:
        ours, theirs = verdicts(compiled, sample), verdicts(reference, sample)
        assert {v for v in ours if v[1] != "additionalProperties"} == {
            v for v in theirs if v[1] != "additionalProperties"
        }, sample
        assert ours <= theirs, sample
        assert reference.is_valid(sample) == compiled.is_valid(sample)
    assert compiled.is_valid(valid)


def test_validate_paths_searches_folders_and_skips_readmes(tmp_path: Path) -> None:
    write_card(tmp_path / "a", "one", card_text())
    write_card(tmp_path / "a" / "b", "two", card_text())
    (tmp_path / "a" / "README.md").write_text("# not a card\n")
    (tmp_path / "a" / "notes.txt").write_text("not a card\n")
    report = validate_paths([tmp_path / "a"])
    assert sorted(Path(f.path).name for f in report.files) == ["one.md", "two.md"]
    assert report.summary() == {"files": 2, "valid": 2, "invalid": 0}


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        validate_paths([tmp_path / "nope"])


def test_read_manifest_raises_card_error_with_every_defect(tmp_path: Path) -> None:
    path = write_card(
        tmp_path, "bad", card_text(replace_field(VALID_FRONT_MATTER, "author", None) + "x: 1\n")
    )
    with pytest.raises(CardError) as caught:
        read_manifest(path)
    assert len(caught.value.defects) == 2
    assert str(path) in str(caught.value)


def write_package(folder: Path, settings: str, hubconf: str = "def tiny_net():\n    'A net.'\n") -> Path:
    write_card(folder, "tiny", card_text())
    write_card(folder, "tiny_head", card_text())
    (folder / "hubconf.py").write_text(hubconf)
    (folder / "package.yaml").write_text(settings)
    return folder / "package.yaml"


def test_package_settings_are_validated_with_the_package(tmp_path: Path) -> None:
    path = write_package(
        tmp_path / "tiny",
        "default-card: tiny\ncards:\n  tiny: {network: tiny_net}\n"
        "  tiny_head: {network: tiny_net, requires: [tiny]}\n",
    )
    report = validate_paths([tmp_path])
    assert report.summary() == {"files": 3, "valid": 3, "invalid": 0}
    assert validate_file(path).valid


def test_package_settings_name_real_cards_and_networks(tmp_path: Path) -> None:
    settings = (
        "default-card: tinny\n"
        "cards:\n"
        "  tiny: {network: missing_net}\n"
        "  tiny_head: {network: tiny_net, requires: [tiny, nowhere]}\n"
    )
    path = write_package(tmp_path / "tiny", settings)
    report = validate_file(path)
    assert [(d.line, d.rule) for d in report.errors] == [
        (1, "package/card"),
        (3, "package/network"),
        (4, "package/card"),
    ]
    assert "did you mean 'tiny'" in report.errors[0].message
    assert "it has: tiny_net" in report.errors[1].message


def test_package_settings_schema_errors(tmp_path: Path) -> None:
    path = write_package(tmp_path / "tiny", "default: tiny\ncards:\n  tiny: {requires: tiny}\n")
    rules = sorted(d.rule for d in validate_file(path).errors)
    assert rules == ["schema/required", "schema/type", "schema/unknown-field"]


def test_the_registry_refuses_an_invalid_package(tmp_path: Path) -> None:
    from hub_plugin.errors import RegistryError
    from hub_plugin.registry import Registry

    write_package(tmp_path / "tiny", "default-card: [not, text]\n")
    registry = Registry.open([tmp_path], bundled=False, environment=False, plugins=False)
    with pytest.raises(RegistryError, match=r"package\.yaml:1:\d+: schema/type"):
        registry.resolve("tiny")


@pytest.mark.parametrize(("link", "words"), [
    ("https://gitee.com/mindspore/models/tree/r1.8/official/../../../other", "'..'"),
    ("https://gitee.com/mindspore/models/tree/master/%2Fany%2Ffolder", "encoded '/'"),
    ("https://gitee.com/mindspore/models/tree/--upload-pack=x/official", "starts with '-'"),
])
def test_a_repo_link_hub_plugin_would_refuse_is_a_defect(
    tmp_path: Path, link: str, words: str
) -> None:
    """Issue 17: a card whose repo-link traverses or smuggles an option fails validation, so a
    hub's CI gate stops the pull request that adds it."""
    front = replace_field(VALID_FRONT_MATTER, "repo-link", f"repo-link: <{link}>")
    for profile in ("strict", "mindspore-hub"):
        report = validate_file(write_card(tmp_path, "card", card_text(front)), profile)
        defects = [d for d in report.errors if d.pointer == "/repo-link"]
        assert defects and words in defects[0].message
