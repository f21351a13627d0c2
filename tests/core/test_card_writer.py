"""The one card writer (hub_plugin.core.yamlio.card_text): whatever strings a card or a user
gives, the written card parses back to exactly the same fields and no others, with hub-plugin's
own card parser and with MindSpore Hub's reading (PyYAML over the lines between the first two
``---`` lines); and the card keeps MindSpore Hub's layout (issue 26; issue 27 hole 3)."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_plugin.cards.card import parse_card
from hub_plugin.cards.json_instance import front_matter_instance
from hub_plugin.cards.profiles import text_fields
from hub_plugin.core.yamlio import MAX_DEPTH, card_text, one_line, scalar

NO_TEXT_FIELDS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())

#: Strings YAML, a card parser or MindSpore Hub's line splitting could mistake for something else.
TRICKY = st.sampled_from([
    "", " ", " lead", "trail ", "yes", "No", "on", "OFF", "null", "~", "true", "False", "1", "-1",
    "1.0", "2.10", "1e5", ".inf", ".nan", "0x1F", "0o17", "017", "1_000", "12:30", "2023-01-02",
    "---", "...", "--- x", "- x", "-", "? x", ": x", "a: b", "a:b", "#x", "a #b", "'", '"', "\\",
    "<https://evil.example/x.onnx>", "<<", "=", "!x", "&a", "*a", "|", ">", "%x", "@x", "`x",
    "[1, 2]", "{a: 1}", "a,b", "\t", "\n", "\r\n", "\r", "\x00", "\x1b[2J", "\x85", "\u2028",
    "\u2029", "\ufeff", "\ufffe", "中文", "x\n---\nasset:\n\n-\n    asset-link: <https://evil>\n",
])
TEXT = st.one_of(st.text(), TRICKY, st.lists(TRICKY, max_size=4).map("".join))
SCALARS = st.one_of(
    TEXT, st.booleans(), st.none(), st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=12,
)
FIELDS = st.dictionaries(TEXT, VALUES, min_size=1, max_size=8)


def _parsed(text: str, fields_as_text: tuple[frozenset[str], frozenset[str]]) -> dict[str, Any]:
    parsed = parse_card("card.md", text.encode("utf-8"))
    assert parsed.errors == [], parsed.errors
    assert parsed.front_matter is not None
    instance, _ = front_matter_instance(parsed.front_matter, fields_as_text)
    return instance


def _as_mindspore_hub_reads(text: str) -> Any:
    """The front matter as MindSpore Hub's validator reads it: the lines between the first two
    lines starting with ``---`` (its ``check_markdown_file``), through PyYAML."""
    header, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            inside = not inside
            continue
        if inside:
            header.append(line)
    return yaml.load("".join(header), Loader=yaml.SafeLoader)


def _normalised(value: Any) -> Any:
    """``-0.0`` and ``0.0`` are one number to both readers; keep the rest."""
    if isinstance(value, float) and value == 0:
        return 0.0
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=FIELDS, title=TEXT, body=TEXT.map(lambda b: b.replace("\0", "")))
def test_any_fields_parse_back_exactly_and_no_others(fields: dict[str, Any], title: str,
                                                    body: str) -> None:
    text = card_text(fields, body, title=title)
    assert _parsed(text, NO_TEXT_FIELDS) == fields
    assert _normalised(_as_mindspore_hub_reads(text)) == _normalised(fields)
    assert sum(line.startswith("---") for line in text.splitlines()) == 2  # upstream's own count
    parsed_body = parse_card("card.md", text.encode()).body
    assert _unruled(parsed_body) == "\n" + _unruled(body.replace("\r\n", "\n").replace("\r", "\n"))


def _unruled(body: str) -> str:
    """The body with the space the writer puts before a line's leading ``---`` taken out."""
    return re.sub("(^|[\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]) ?---", r"\1---", body)


CARD_TEXT, ASSET_TEXT = text_fields()


@settings(max_examples=200, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(sorted(CARD_TEXT)), TEXT, min_size=1),
    assets=st.lists(st.dictionaries(st.sampled_from(sorted(ASSET_TEXT)), TEXT), max_size=3),
)
def test_fields_taken_as_written_parse_back_exactly(top: dict[str, str],
                                                    assets: list[dict[str, str]]) -> None:
    fields: dict[str, Any] = {**top, "asset": assets}
    text = card_text(fields, "", text_fields=(CARD_TEXT, ASSET_TEXT))
    assert _parsed(text, (CARD_TEXT, ASSET_TEXT)) == fields


def test_the_layout_is_mindspore_hubs() -> None:
    fields = {
        "model-name": "resnet50", "fine-tunable": True, "model-version": "1.8",
        "update-time": "2026-12-04", "author": "MindSpore team", "evaluation": "top1acc76.97 | top5acc93.44",
        "repo-link": "<https://gitee.com/mindspore/models/tree/r1.8/official/cv/resnet>",
        "asset": [{"file-format": "ckpt", "asset-link": "<https://a.example/r.ckpt>",
                   "asset-sha256": "3" + "a" * 63}],
        "input-shape": [1, 3, 224, 224], "summary": "ResNet-50, on ImageNet: top-1 76.97",
    }
    text = card_text(fields, "## Body\n", title="resnet50", text_fields=text_fields())
    assert text == (
        "# resnet50\n\n---\n\nmodel-name: resnet50\n\nfine-tunable: True\n\nmodel-version: 1.8\n\n"
        "update-time: 2026-12-04\n\nauthor: MindSpore team\n\n"
        "evaluation: top1acc76.97 | top5acc93.44\n\n"
        "repo-link: <https://gitee.com/mindspore/models/tree/r1.8/official/cv/resnet>\n\n"
        "asset:\n\n-\n    file-format: ckpt\n    asset-link: <https://a.example/r.ckpt>\n"
        f"    asset-sha256: 3{'a' * 63}\n\ninput-shape: [1, 3, 224, 224]\n\n"
        'summary: "ResNet-50, on ImageNet: top-1 76.97"\n\n---\n\n## Body\n'
    )


def test_values_yaml_or_mindspore_hub_would_misread_are_quoted() -> None:
    assert [scalar(v) for v in ("yes", "null", "1.0", "2023-01-02", "a: b", "x\ny", " a", "")] == [
        '"yes"', '"null"', '"1.0"', '"2023-01-02"', '"a: b"', '"x\\ny"', '" a"', '""']
    assert scalar("2.10", as_written=True) == "2.10" and scalar("yes", as_written=True) == '"yes"'
    assert [scalar(v) for v in (True, 3, 1e-05, None)] == ["True", "3", "1.0e-05", "null"]
    assert scalar("\x1b]0;title\x07\u2028") == '"\\u001b]0;title\\u0007\\u2028"'


def test_what_no_card_can_hold_is_refused() -> None:
    with pytest.raises(ValueError):
        scalar(float("nan"))
    with pytest.raises(ValueError, match="surrogate"):
        scalar("\ud800")
    with pytest.raises(TypeError):
        scalar(object())
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 1):
        deep = [deep, 1]
    with pytest.raises(ValueError, match="deeper"):
        card_text({"deep": deep}, "")
    with pytest.raises(ValueError, match="NUL"):
        card_text({"a": "b"}, "x\0")


def test_titles_are_one_line() -> None:
    assert one_line("a\n---\r\nasset:\x00\x1b  b") == "a --- asset: b"
    assert set(one_line(string.printable + "\u2028\x85")) <= set(string.printable) - set("\t\n\r\x0b\x0c")
