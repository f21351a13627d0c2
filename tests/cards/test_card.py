"""Reading cards: front matter, positions, and every kind of bad input, reported, never raised."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, line_of

from hub_plugin.cards.card import MAX_CARD_BYTES, MAX_DEPTH, parse_card


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_card("card.md", data)


def rules(parsed) -> list[str]:
    return [d.rule for d in parsed.defects]


def test_a_valid_card_gives_a_mapping_with_positions() -> None:
    text = card_text()
    parsed = parse(text)
    assert parsed.defects == []
    root = parsed.front_matter
    assert root is not None and root.kind == "mapping"
    keys = {k.text(): (k, v) for k, v in root.items()}
    key, value = keys["model-version"]
    assert value.text() == "1.10"  # as written, never the float 1.1
    assert (key.line, key.column) == (line_of(text, "model-version"), 1)
    assert value.column == len("model-version: ") + 1
    assert "## Body" in parsed.body


def test_text_before_the_front_matter_is_allowed_and_lines_count_from_the_file() -> None:
    text = card_text(title="# A title\n\nSome words.\n\n")
    parsed = parse(text)
    assert parsed.defects == []
    key = next(k for k, _ in parsed.front_matter.items() if k.text() == "author")
    assert key.line == line_of(text, "author:")


def test_bom_and_crlf_are_read_as_if_absent_with_the_same_positions() -> None:
    plain = parse(card_text())
    text = "\ufeff" + card_text().replace("\n", "\r\n")
    crlf = parse(text)
    assert crlf.defects == []
    positions = [(k.line, k.column, v.line, v.column) for k, v in plain.front_matter.items()]
    assert [(k.line, k.column, v.line, v.column) for k, v in crlf.front_matter.items()] == positions


def test_dash_value_is_read_as_text_with_a_warning() -> None:
    front = VALID_FRONT_MATTER.replace("evaluation: top1acc76.97 | top5acc93.44", "evaluation: -")
    text = card_text(front)
    parsed = parse(text)
    assert [d.rule for d in parsed.errors] == []
    (warning,) = parsed.defects
    assert warning.rule == "yaml-dash" and warning.severity == "warning"
    assert warning.line == line_of(text, "evaluation: -")
    value = dict((k.text(), v) for k, v in parsed.front_matter.items())["evaluation"]
    assert value.text() == "-"


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ("# only a title\n\nno front matter here\n", "front-matter", 1),
        ("# title\n---\nmodel-name: x\nauthor: y\n", "front-matter", 2),
        ("---\nmodel-name: [unclosed\nauthor: y\n---\n", "yaml", None),
        ("---\n- a\n- b\n---\n", "front-matter", 2),
        ("---\njust text\n---\n", "front-matter", 2),
        ("---\n---\n", "front-matter", 2),
    ],
    ids=["no-front-matter", "unclosed", "yaml-syntax", "a-list", "a-scalar", "empty-front-matter"],
)
def test_structural_problems_are_reported_with_their_line(
    text: str, rule: str, line: int | None
) -> None:
    parsed = parse(text)
    assert parsed.front_matter is None
    assert rule in rules(parsed)
    defect = next(d for d in parsed.defects if d.rule == rule)
    if line is not None:
        assert defect.line == line
    else:
        assert defect.line is not None and 2 <= defect.line <= 4


def test_yaml_syntax_error_line_is_the_file_line() -> None:
    text = '# t\n\n---\nmodel-name: ok\nauthor: "unterminated\nsummary: x\n---\n'
    (defect,) = parse(text).defects
    assert defect.rule == "yaml"
    assert defect.line is not None and defect.line >= 5  # inside the front matter, not line 1-2


def test_duplicate_keys_are_reported_at_the_second_one() -> None:
    text = card_text(VALID_FRONT_MATTER + "author: Someone Else\n")
    parsed = parse(text)
    (defect,) = parsed.defects
    assert defect.rule == "duplicate-key"
    assert defect.line == line_of(text, "Someone Else")
    assert f"first on line {line_of(text, 'author: Test')}" in defect.message


def test_duplicate_keys_inside_an_asset_are_reported() -> None:
    front = VALID_FRONT_MATTER.replace(
        "    file-format: ckpt\n", "    file-format: ckpt\n    file-format: onnx\n"
    )
    assert "duplicate-key" in rules(parse(card_text(front)))


def test_tab_indentation_is_reported_per_line() -> None:
    front = VALID_FRONT_MATTER.replace("    file-format", "\tfile-format").replace(
        "    asset-link", "\tasset-link"
    )
    text = card_text(front)
    parsed = parse(text)
    tabs = [d for d in parsed.defects if d.rule == "tab-indent"]
    assert [d.line for d in tabs] == [line_of(text, "\tfile-format"), line_of(text, "\tasset-link")]
    assert parsed.front_matter is None


def test_non_utf8_is_reported_with_its_position() -> None:
    data = card_text().encode("utf-8").replace(b"Test Author", b"Test Auth\xe9r")
    (defect,) = parse(data).defects
    assert defect.rule == "encoding" and "UTF-8" in defect.message
    assert defect.line == line_of(card_text(), "Test Author")
    assert defect.column == len("author: Test Auth") + 1


def test_binary_files_are_refused() -> None:
    (defect,) = parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").defects
    assert defect.rule == "encoding" and "binary" in defect.message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf\r\n"])
def test_empty_files_are_refused(data: bytes) -> None:
    assert rules(parse(data)) == ["empty"]


def test_files_over_the_size_limit_are_refused_before_parsing() -> None:
    data = card_text().encode() + b"x" * MAX_CARD_BYTES
    assert rules(parse(data)) == ["size"]


def test_object_constructing_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    front = VALID_FRONT_MATTER + f"hook: !!python/object/apply:os.system ['touch {marker}']\n"
    text = card_text(front)
    (defect,) = parse(text).defects
    assert defect.rule == "tag" and defect.line == line_of(text, "hook:")
    assert not marker.exists()


def test_custom_local_tags_are_refused() -> None:
    assert rules(parse(card_text(VALID_FRONT_MATTER + "x: !custom value\n"))) == ["tag"]


def test_alias_expansion_bombs_are_refused_at_once() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    started = time.perf_counter()
    parsed = parse("---\n" + "\n".join(lines) + "\n---\n")
    assert time.perf_counter() - started < 5  # a guard against a hang, not a speed test
    assert rules(parsed) == ["alias"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 200_000])
def test_deep_nesting_is_refused_without_recursion_errors(depth: int) -> None:
    deep = "x: " + "[" * depth + "]" * depth + "\n"
    parsed = parse("---\n" + deep + "---\n")
    assert rules(parsed) == ["depth"]


def test_block_nesting_over_the_limit_is_refused() -> None:
    deep = (
        "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 2))
        + " " * (MAX_DEPTH + 2)
        + "v: 1\n"
    )
    parsed = parse("---\n" + deep + "---\n")
    assert rules(parsed) == ["depth"]
    assert str(MAX_DEPTH) in parsed.defects[0].message


def test_defect_string_form_is_path_line_column_rule_message() -> None:
    text = card_text(VALID_FRONT_MATTER + "author: Twice\n")
    (defect,) = parse(text).defects
    assert str(defect) == f"card.md:{defect.line}:1: duplicate-key: {defect.message}"
