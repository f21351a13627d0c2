"""Reading a model card: Markdown with YAML front matter, into a tree of positioned nodes.

A card is optional text (real cards start with ``# title``), a line ``---``, YAML front matter, a
line ``---``, then the Markdown body. This module finds the front matter and parses it into
:class:`Node` objects that remember their line and column, reporting every problem as a
:class:`Defect` rather than raising.

The YAML is read as a stream of events from libyaml (PyYAML's C parser when present), and the tree is
built here, iteratively, so that nothing a card says is ever executed or expanded:

* scalars keep their text as written (``model-version: 1.10`` stays ``"1.10"``);
* explicit tags other than YAML's plain types are refused (``!!python/object`` is never built);
* anchors and aliases are refused (no alias-expansion bombs);
* nesting deeper than :data:`MAX_DEPTH` and files larger than :data:`MAX_CARD_BYTES` are refused;
* duplicate keys, which YAML silently resolves to the last one, are reported;
* tabs in indentation are reported by line, before YAML sees them;
* ``key: -``, which is not valid YAML yet common in real cards (``evaluation: -``), is read as the
  text ``-`` with a warning.

A byte-order mark and CRLF line ends are read as if absent; positions stay those an editor shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

MAX_CARD_BYTES = 1024 * 1024
MAX_DEPTH = 32

Severity = Literal["error", "warning", "note"]

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map")
}
_DASH_VALUE = re.compile(r"^(?P<head>[^\s#][^:#]*:[ \t]+)-[ \t]*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


@dataclass(slots=True)
class Node:
    """A YAML node of the front matter: a scalar (``value`` is its text), a sequence (a list of
    nodes) or a mapping (a list of key/value node pairs, in the order written)."""

    kind: Literal["scalar", "sequence", "mapping"]
    line: int
    column: int
    value: str | list[Node] | list[tuple[Node, Node]] = ""
    plain: bool = True  # a plain (unquoted, not block) scalar, whose type YAML would guess

    def items(self) -> list[tuple[Node, Node]]:
        assert self.kind == "mapping"
        return self.value  # type: ignore[return-value]

    def children(self) -> list[Node]:
        assert self.kind == "sequence"
        return self.value  # type: ignore[return-value]

    def text(self) -> str:
        assert self.kind == "scalar"
        return self.value  # type: ignore[return-value]


@dataclass
class ParsedCard:
    """What :func:`parse_card` found: the front matter tree (``None`` if it could not be read),
    the Markdown body, and the defects."""

    path: str
    front_matter: Node | None
    body: str = ""
    defects: list[Defect] = field(default_factory=list)

    @property
    def errors(self) -> list[Defect]:
        return [d for d in self.defects if d.severity == "error"]


class _Abort(Exception):
    """Stops building the tree after a defect that leaves nothing sensible to read."""


def _decode(path: str, data: bytes, defects: list[Defect]) -> str | None:
    if len(data) > MAX_CARD_BYTES:
        defects.append(Defect(path, None, None, "size",
                              f"the file is {len(data)} bytes; cards are limited to "
                              f"{MAX_CARD_BYTES} bytes"))
        return None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        defects.append(Defect(path, None, None, "empty", "the file is empty"))
        return None
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        defects.append(Defect(path, line, None, "encoding",
                              "the file is binary (it holds NUL bytes), not a Markdown card"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        defects.append(Defect(path, line, column, "encoding",
                              f"the file is not UTF-8 (byte 0x{data[error.start]:02x})"))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


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


def _events(text: str) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=_Loader)


def _build(path: str, first_line: int, text: str, defects: list[Defect]) -> Node | None:
    """Build the node tree from YAML events, iteratively, refusing what a card must not hold."""

    def at(mark: Any) -> tuple[int, int]:
        return first_line + mark.line, mark.column + 1

    def defect(mark: Any, rule: str, message: str) -> Defect:
        line, column = at(mark)
        return Defect(path, line, column, rule, message)

    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    documents = 0

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == "sequence":
            parent.children().append(node)
        elif pending_key[-1] is None:
            pending_key[-1] = node
        else:
            key = pending_key[-1]
            pending_key[-1] = None
            parent.items().append((key, node))

    try:
        for event in _events(text):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    defects.append(defect(event.start_mark, "front-matter",
                                          "the front matter holds more than one YAML document"))
                    raise _Abort
                continue
            if isinstance(event, yaml.AliasEvent):
                defects.append(defect(event.start_mark, "alias",
                                      "YAML aliases (*name) are not allowed in cards"))
                raise _Abort
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                defects.append(defect(event.start_mark, "alias",
                                      f"YAML anchors (&{event.anchor}) are not allowed in cards"))
                raise _Abort
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                tag = event.tag
                if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
                    defects.append(defect(event.start_mark, "tag",
                                          f"the YAML tag {tag} is not allowed in cards "
                                          "(only plain text, numbers, lists and mappings)"))
                    raise _Abort
            if isinstance(event, yaml.ScalarEvent):
                line, column = at(event.start_mark)
                plain = not event.style and event.implicit[0]
                attach(Node("scalar", line, column, event.value, plain))
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    defects.append(defect(event.start_mark, "depth",
                                          f"nesting deeper than {MAX_DEPTH} levels"))
                    raise _Abort
                line, column = at(event.start_mark)
                is_seq = isinstance(event, yaml.SequenceStartEvent)
                node = Node("sequence" if is_seq else "mapping", line, column, [])
                attach(node)
                stack.append(node)
                pending_key.append(None)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                stack.pop()
                pending_key.pop()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        if error.context:
            problem = f"{problem} ({error.context})"
        rule = "depth" if "nesting depth" in problem else "yaml"
        if mark is None:
            defects.append(Defect(path, first_line, 1, rule, problem))
        else:
            defects.append(defect(mark, rule, problem))
        return None
    except yaml.YAMLError as error:
        defects.append(Defect(path, first_line, 1, "yaml", str(error).splitlines()[0]))
        return None
    except _Abort:
        return None
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
    text = _decode(path, data, defects)
    if text is None:
        return None, defects
    yaml_text = _prepare(path, 1, text.split("\n"), defects)
    root = _build(path, 1, yaml_text, defects) if yaml_text is not None else None
    if root is not None and root.kind == "mapping":
        _check_mapping_keys(path, root, "", defects)
    elif root is not None:
        defects.append(Defect(path, root.line, root.column, "yaml", "the file must be a mapping"))
        root = None
    return root, defects


def parse_card(path: str, data: bytes) -> ParsedCard:
    """Parse a card's bytes; every problem becomes a defect of the result, nothing raises."""
    defects: list[Defect] = []
    text = _decode(path, data, defects)
    if text is None:
        return ParsedCard(path, None, "", defects)
    split = _split(path, text, defects)
    if split is None:
        return ParsedCard(path, None, "", defects)
    first_line, lines, body = split
    yaml_text = _prepare(path, first_line, lines, defects)
    if yaml_text is None:
        return ParsedCard(path, None, body, defects)
    root = _build(path, first_line, yaml_text, defects)
    if root is None:
        if not any(d.severity == "error" for d in defects):
            defects.append(Defect(path, first_line, 1, "front-matter", "the front matter is empty"))
        return ParsedCard(path, None, body, defects)
    if root.kind != "mapping":
        what = "a list" if root.kind == "sequence" else "plain text"
        defects.append(Defect(path, root.line, root.column, "front-matter",
                              f"the front matter is {what}, not a mapping of fields"))
        return ParsedCard(path, None, body, defects)
    _check_mapping_keys(path, root, "", defects)
    return ParsedCard(path, root, body, defects)
