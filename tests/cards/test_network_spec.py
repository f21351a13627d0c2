"""The ``network`` and ``requires`` fields (issue 28 item 1): one grammar, valid under both
profiles, a malformed value named at its file:line:column, contradictions named."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, line_of, write_card
from hypothesis import given
from hypothesis import strategies as st

from hub_plugin.cards.manifest import Position
from hub_plugin.cards.network_spec import (
    NetworkSpec,
    contradictions,
    parse_network,
    parse_requires,
    value_text,
)
from hub_plugin.errors import CardFieldError
from hub_plugin.validation.validator import validate_file

BUILT = ("network: simclr.simclr_classifier backbone=resnet18 width_multiplier=0.25 "
         "cifar_stem=True num_classes=10\nrequires: simclr_encoder_tiny\n")


def _card(tmp_path: Path, extra: str) -> tuple[Path, str]:
    text = card_text(VALID_FRONT_MATTER + extra)
    return write_card(tmp_path, "own", text), text


def test_the_field_reads_into_typed_arguments_and_writes_back_the_same() -> None:
    spec = parse_network("simclr.simclr_classifier backbone=resnet18 width_multiplier=0.25 "
                         "cifar_stem=True num_classes=10 name=a-b/c")
    assert (spec.package, spec.network) == ("simclr", "simclr_classifier")
    assert dict(spec.arguments) == {"backbone": "resnet18", "width_multiplier": 0.25,
                                    "cifar_stem": True, "num_classes": 10, "name": "a-b/c"}
    assert type(spec.arguments["num_classes"]) is int
    assert parse_network(spec.text()) == spec
    assert parse_requires("simclr_encoder_tiny alice/2.10/simclr_encoder_tiny") == (
        "simclr_encoder_tiny", "alice/2.10/simclr_encoder_tiny")


_names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
_values = st.one_of(st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.from_regex(r"[a-z][a-z0-9_./-]{0,8}", fullmatch=True))


@given(_names, _names, st.dictionaries(_names, _values, max_size=5))
def test_every_spec_the_writer_writes_reads_back_as_itself(package: str, network: str,
                                                           arguments: dict[str, object]) -> None:
    spec = NetworkSpec(package, network, arguments)  # type: ignore[arg-type]
    text = spec.text()
    assert ":" not in text and "\n" not in text
    assert parse_network(text) == spec


def test_a_value_the_field_cannot_hold_is_refused_when_written() -> None:
    for value in ("a:b", "two words", "0.25", "True", None, [1]):
        with pytest.raises(ValueError):
            value_text(value)


@pytest.mark.parametrize("profile", ["strict", "mindspore-hub"])
def test_a_card_that_says_what_builds_it_is_valid_under_both_profiles(
    tmp_path: Path, profile: str
) -> None:
    path, _ = _card(tmp_path, BUILT)
    report = validate_file(path, profile)  # type: ignore[arg-type]
    assert report.valid, report.errors
    assert not [w for w in report.warnings if "network" in w.message or "requires" in w.message]
    assert report.manifest is not None
    spec = report.manifest.network_spec
    assert spec is not None and spec.arguments["width_multiplier"] == 0.25
    assert report.manifest.requires == ("simclr_encoder_tiny",)


@pytest.mark.parametrize(("value", "column_of", "said"), [
    ("simclr backbone=resnet18", "simclr", "must start with <package>.<network>"),
    ("simclr.simclr_encoder backbone", "backbone", "must be written name=value"),
    ("simclr.simclr_encoder backbone=a,b", "a,b", "a value is True/False"),
    ("simclr.simclr_encoder depth=1 depth=2", "depth=2", "twice"),
])
def test_a_malformed_network_is_named_at_its_column(
    tmp_path: Path, value: str, column_of: str, said: str
) -> None:
    path, text = _card(tmp_path, f"network: {value}\n")
    line = line_of(text, "network:")
    column = text.splitlines()[line - 1].index(column_of) + 1
    strict = validate_file(path)
    assert not strict.valid
    (defect,) = [d for d in strict.errors if d.rule == "network"]
    assert (defect.line, defect.column) == (line, column) and said in defect.message
    assert str(defect).startswith(f"{path}:{line}:{column}: network: ")
    # MindSpore Hub's validator lets flat text through: a warning there, not an error
    hub = validate_file(path, "mindspore-hub")
    assert hub.valid and [d for d in hub.warnings if d.rule == "network"]
    with pytest.raises(CardFieldError, match=rf"^{path}:{line}:{column}: "):
        assert hub.manifest is not None
        hub.manifest.network_spec  # noqa: B018 - the property parses


def test_a_colon_is_refused_by_both_profiles(tmp_path: Path) -> None:
    path, _ = _card(tmp_path, "network: simclr.simclr_encoder backbone=a:b\n")
    assert not validate_file(path).valid
    hub = validate_file(path, "mindspore-hub")
    assert not hub.valid and any(d.rule == "mindspore-hub/colon" for d in hub.errors)


def test_requires_names_cards_by_name_or_uid(tmp_path: Path) -> None:
    path, text = _card(tmp_path, "requires: simclr_encoder_tiny ../x\n")
    (defect,) = [d for d in validate_file(path).errors if d.rule == "requires"]
    assert defect.column == text.splitlines()[line_of(text, "requires:") - 1].index("../x") + 1
    with pytest.raises(CardFieldError, match=r"^c\.md:3:12: 'requires' names cards"):
        parse_requires("a ../x", path="c.md", position=Position(3, 10))


def test_an_argument_that_contradicts_the_card_names_both() -> None:
    spec = parse_network("simclr.simclr_encoder backbone=resnet18 width_multiplier=0.25")
    assert contradictions(spec, {"backbone": "resnet18", "width_multiplier": "0.25",
                                 "cifar_stem": False}) == []
    assert contradictions(spec, {"width_multiplier": 0.25}) == []
    assert contradictions(spec, {"backbone": "resnet50", "width_multiplier": 1}) == [
        "backbone='resnet50' (the card says backbone=resnet18)",
        "width_multiplier=1 (the card says width_multiplier=0.25)",
    ]
