"""Reading a model card: Markdown with YAML front matter, into a tree of positioned nodes.

A card is optional text (real cards start with ``# title``), a line ``---``, YAML front matter, a
line ``---``, then the Markdown body. This module finds the front matter and parses it into
:class:`Node` objects that remember their line and column, reporting every problem as a
:class:`Defect` rather than raising.

The YAML itself is read by hub-plugin's one reader, :mod:`hub_plugin.core.yamlio`, with its limits
(size, nesting depth, no aliases, no object-building tags; see there). On top of it, for cards:

* scalars keep their text as written (``model-version: 1.10`` stays ``"1.10"``);
* duplicate keys, which YAML silently resolves to the last one, are reported;
* tabs in indentation are reported by line, before YAML sees them;
* ``key: -``, which is not valid YAML yet common in real cards (``evaluation: -``), is read as the
  text ``-`` with a warning.

A byte-order mark and CRLF line ends are read as if absent; positions stay those an editor shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..core.yamlio import MAX_DEPTH, MAX_YAML_BYTES, Node, YamlProblem, compose, decode

MAX_CARD_BYTES = MAX_YAML_BYTES

Severity = Literal["error", "warning", "note"]

_DASH_VALUE = re.compile(r"^(?P<head>[^\s#][^:#]*:[ \t]+)-[ \t]*$")


@dataclass(frozen=True, slots=True)
class Defect:
    """One problem in a card, where it is, and the rule it breaks.

    ``line`` and ``column`` are 1-based, or ``None`` where no position exists (a missing field is
    reported at the start of the front matter, so this is rare). ``pointer`` is the JSON pointer of
    the value concerned (``/asset/0/asset-sha256``), ``""`` for the whole card.
    """

    path: str
    line: int | None
    column: int | None
    rule: str
    message: str
    pointer: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.rule}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class ParsedCard:
    """What :func:`parse_card` found: the front matter tree (``None`` if it could not be read),
    the Markdown body, and the defects."""

    path: str
    front_matter: Node | None
    body: str = ""
    defects: list[Defect] = field(default_factory=list)
    #: The numbers of the lines that start with ``---`` anywhere in the card (MindSpore Hub's
    #: validator takes each as a front-matter fence and wants exactly two).
    dash_lines: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[Defect]:
        return [d for d in self.defects if d.severity == "error"]


def _defect(path: str, problem: YamlProblem) -> Defect:
    rule = "front-matter" if problem.rule == "documents" else problem.rule
    return Defect(path, problem.line, problem.column, rule, problem.message)


def _decode(path: str, data: bytes, defects: list[Defect], what: str) -> str | None:
    text, problem = decode(data, what=what)
    if problem is not None:
        defects.append(_defect(path, problem))
    return text


def _split(path: str, text: str, defects: list[Defect]) -> tuple[int, list[str], str] | None:
    """Find the front matter: (number of the first front-matter line, its lines, the body)."""
    lines = text.split("\n")
    opening = next((i for i, line in enumerate(lines) if line.rstrip() == "---"), None)
    if opening is None:
        defects.append(Defect(path, 1, 1, "front-matter",
                              "no front matter: a card needs YAML between two '---' lines"))
        return None
    closing = next(
        (i for i in range(opening + 1, len(lines)) if lines[i].rstrip() in ("---", "...")), None
    )
    if closing is None:
        defects.append(Defect(path, opening + 1, 1, "front-matter",
                              "the front matter opened here has no closing '---' line"))
        return None
    return opening + 2, lines[opening + 1 : closing], "\n".join(lines[closing + 1 :])


def _prepare(path: str, first_line: int, lines: list[str], defects: list[Defect]) -> str | None:
    """Report tab indentation and read ``key: -`` as ``key: '-'``; the YAML text, or None."""
    tabbed = False
    prepared = []
    for offset, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            tabbed = True
            defects.append(Defect(path, first_line + offset, indent.index("\t") + 1, "tab-indent",
                                  "tab in indentation: YAML indents with spaces only"))
        match = _DASH_VALUE.match(line)
        if match:
            key = match["head"].rstrip().rstrip(":").strip()
            defects.append(Defect(
                path, first_line + offset, len(match["head"]) + 1, "yaml-dash",
                f"'{key}: -' is not valid YAML; read as the text '-' (write '{key}: \"-\"')",
                pointer=f"/{key}", severity="warning",
            ))
            line = f"{match['head']}'-'"
        prepared.append(line)
    return None if tabbed else "\n".join(prepared)


def _build(path: str, first_line: int, text: str, defects: list[Defect], what: str) -> Node | None:
    """The node tree of the YAML text, by the one reader; its problems become defects."""
    root, problems = compose(text, first_line=first_line, what=what)
    defects.extend(_defect(path, problem) for problem in problems)
    return root


def _check_mapping_keys(path: str, node: Node, pointer: str, defects: list[Defect]) -> None:
    """Report non-text keys and duplicate keys, everywhere in the tree."""
    pending = [(node, pointer)]
    while pending:
        current, where = pending.pop()
        if current.kind == "sequence":
            pending.extend((child, f"{where}/{i}") for i, child in enumerate(current.children()))
            continue
        if current.kind != "mapping":
            continue
        seen: dict[str, Node] = {}
        for key, value in current.items():
            if key.kind != "scalar":
                defects.append(Defect(path, key.line, key.column, "yaml",
                                      "a key must be plain text", pointer=where))
                continue
            name = key.text()
            if name in seen:
                first = seen[name]
                defects.append(Defect(
                    path, key.line, key.column, "duplicate-key",
                    f"'{name}' is given twice (first on line {first.line}); YAML would keep only "
                    "the last",
                    pointer=f"{where}/{escape_pointer(name)}",
                ))
            else:
                seen[name] = key
            pending.append((value, f"{where}/{escape_pointer(name)}"))


def escape_pointer(key: str) -> str:
    """Escape a key for a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def parse_yaml(path: str, data: bytes) -> tuple[Node | None, list[Defect]]:
    """Parse a whole YAML file (``package.yaml``) with the same guards as a card's front matter."""
    defects: list[Defect] = []
    text = _decode(path, data, defects, "file")
    if text is None:
        return None, defects
    yaml_text = _prepare(path, 1, text.split("\n"), defects)
    root = _build(path, 1, yaml_text, defects, "file") if yaml_text is not None else None
    if root is not None and root.kind == "mapping":
        _check_mapping_keys(path, root, "", defects)
    elif root is not None:
        defects.append(Defect(path, root.line, root.column, "yaml", "the file must be a mapping"))
        root = None
    return root, defects


def parse_card(path: str, data: bytes) -> ParsedCard:
    """Parse a card's bytes; every problem becomes a defect of the result, nothing raises."""
    defects: list[Defect] = []
    text = _decode(path, data, defects, "card")
    if text is None:
        return ParsedCard(path, None, "", defects)
    dashes = [n for n, line in enumerate(text.split("\n"), start=1) if line.startswith("---")]
    split = _split(path, text, defects)
    if split is None:
        return ParsedCard(path, None, "", defects, dashes)
    first_line, lines, body = split
    yaml_text = _prepare(path, first_line, lines, defects)
    if yaml_text is None:
        return ParsedCard(path, None, body, defects, dashes)
    root = _build(path, first_line, yaml_text, defects, "front matter")
    if root is None:
        if not any(d.severity == "error" for d in defects):
            defects.append(Defect(path, first_line, 1, "front-matter", "the front matter is empty"))
        return ParsedCard(path, None, body, defects, dashes)
    if root.kind != "mapping":
        what = "a list" if root.kind == "sequence" else "plain text"
        defects.append(Defect(path, root.line, root.column, "front-matter",
                              f"the front matter is {what}, not a mapping of fields"))
        return ParsedCard(path, None, body, defects, dashes)
    _check_mapping_keys(path, root, "", defects)
    return ParsedCard(path, root, body, defects, dashes)


__all__ = [
    "MAX_CARD_BYTES", "MAX_DEPTH", "Defect", "Node", "ParsedCard", "escape_pointer",
    "parse_card", "parse_yaml",
]
