"""The one YAML reader and the one card writer of hub-plugin.

**Reading.** Every YAML file hub-plugin reads (a card's front matter, a model package's
``package.yaml``, a model zoo folder's config, a saved run config) goes through :func:`compose`,
with the same limits:

* at most :data:`MAX_YAML_BYTES` bytes, UTF-8, no NUL byte (a byte-order mark and CRLF line ends
  are read as if absent; positions stay those an editor shows);
* the YAML is read as a stream of events from libyaml (PyYAML's C parser when present) and the tree
  is built here, iteratively, so that nothing a file says is ever executed or expanded: explicit
  tags other than YAML's plain types are refused (``!!python/object`` is never built), anchors and
  aliases are refused (no alias-expansion bombs), nesting deeper than :data:`MAX_DEPTH` is refused;
* every node remembers its line and column, and every problem is a :class:`YamlProblem` at a
  position, never an exception.

:func:`compose` gives the positioned tree (the card parser, :mod:`hub_plugin.cards.card`,
builds on it); :func:`load` gives plain Python values typed as ``yaml.safe_load`` types them (YAML
1.1, PyYAML's resolver) and raises :class:`~hub_plugin.errors.YamlError`, one line with the file and
position, for any problem, including a ``RecursionError`` or ``MemoryError`` on the way.

**Writing.** :func:`card_text` writes a whole card (title, front matter, body) in MindSpore Hub's
layout (``key: value`` lines with a blank line between fields, ``asset:`` as ``-`` entries indented
by four spaces). Every scalar is written so that both readers of a card read back exactly the value
given: hub-plugin's card parser (YAML 1.2 core typing, :func:`core_scalar`) and MindSpore Hub's own
validator (``yaml.load`` with PyYAML's YAML 1.1 resolver). A string is written plain only when it is
made of a few safe characters and both resolvers read it as that same string (``resnet50``,
``<https://...>``; in a field the card parser takes as written, also a version or a date such as
``2.10``, as MindSpore Hub's cards write them); any other string is double-quoted on one line,
with JSON's escapes for quotes, backslashes, line breaks and every control or non-printable
character (YAML 1.2 reads JSON strings as written), so no value can start a new line, a new field,
or the closing ``---``. A body line starting with ``---`` is indented by one space, so that the
file holds exactly the two ``---`` lines MindSpore Hub's validator counts. :func:`dump` writes plain
data files (a run's saved config) with ``yaml.safe_dump``.

This is the only module of hub-plugin that imports ``yaml`` (a test checks it).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import YamlError

MAX_YAML_BYTES = 1024 * 1024
"""The largest YAML file (or card) read, in bytes."""
MAX_DEPTH = 32
"""The deepest nesting of lists and mappings read (and written)."""

PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
"""The explicit tags a file may give: YAML's plain types, nothing that builds an object."""

_STR_TAG = "tag:yaml.org,2002:str"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """One problem met while reading YAML: where (1-based line and column, ``None`` where the
    whole file is concerned) and the rule it breaks (``size``, ``empty``, ``encoding``, ``yaml``,
    ``alias``, ``tag``, ``depth``, ``documents``)."""

    line: int | None
    column: int | None
    rule: str
    message: str

    def where(self, path: str) -> str:
        """``path:line:column: rule: message``, the one line that reports it."""
        at = path if self.line is None else f"{path}:{self.line}:{self.column or 1}"
        return f"{at}: {self.rule}: {self.message}"


@dataclass(slots=True)
class Node:
    """A YAML node: a scalar (``value`` is its text), a sequence (a list of nodes) or a mapping (a
    list of key/value node pairs, in the order written). ``plain``: an unquoted, untagged scalar,
    whose type YAML would guess; ``tag``: an explicit tag of :data:`PLAIN_TAGS`, else ``None``."""

    kind: Literal["scalar", "sequence", "mapping"]
    line: int
    column: int
    value: str | list[Node] | list[tuple[Node, Node]] = ""
    plain: bool = True
    tag: str | None = None

    def items(self) -> list[tuple[Node, Node]]:
        assert self.kind == "mapping"
        return self.value  # type: ignore[return-value]

    def children(self) -> list[Node]:
        assert self.kind == "sequence"
        return self.value  # type: ignore[return-value]

    def text(self) -> str:
        assert self.kind == "scalar"
        return self.value  # type: ignore[return-value]


# --- Reading -------------------------------------------------------------------------------------


def decode(data: bytes, *, what: str = "file") -> tuple[str | None, YamlProblem | None]:
    """The text of ``data``, or the problem that stops it being read (too large, empty, binary,
    not UTF-8); ``what`` names the kind of file in messages (``card``)."""
    if len(data) > MAX_YAML_BYTES:
        return None, YamlProblem(None, None, "size", f"the file is {len(data)} bytes; {what}s are "
                                 f"limited to {MAX_YAML_BYTES} bytes")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return None, YamlProblem(None, None, "empty", "the file is empty")
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        kind = "a Markdown card" if what == "card" else "a YAML file"
        return None, YamlProblem(line, None, "encoding",
                                 f"the file is binary (it holds NUL bytes), not {kind}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return None, YamlProblem(line, column, "encoding",
                                 f"the file is not UTF-8 (byte 0x{data[error.start]:02x})")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


class _Abort(Exception):
    """Stops building the tree after a problem that leaves nothing sensible to read."""


def _events(text: str) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=_Loader)


def compose(
    text: str, *, first_line: int = 1, documents: Literal["one", "first"] = "one",
    what: str = "file",
) -> tuple[Node | None, list[YamlProblem]]:
    """The node tree of ``text`` (``None`` when it holds nothing or cannot be read) and the
    problems met; built from YAML events, iteratively, refusing what the module docstring lists.

    ``first_line``: the line number of the text's first line in its file (a card's front matter
    starts below its title). ``documents``: ``one`` refuses a second YAML document; ``first``
    reads the first and ignores the rest (a zoo config's later documents are help texts).
    """
    problems: list[YamlProblem] = []

    def at(mark: Any) -> tuple[int, int]:
        return first_line + mark.line, mark.column + 1

    def problem(mark: Any, rule: str, message: str) -> YamlProblem:
        line, column = at(mark)
        return YamlProblem(line, column, rule, message)

    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    count = 0

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
                count += 1
                if count > 1:
                    if documents == "first":
                        break
                    problems.append(problem(event.start_mark, "documents",
                                            f"the {what} holds more than one YAML document"))
                    raise _Abort
                continue
            if isinstance(event, yaml.AliasEvent):
                problems.append(problem(event.start_mark, "alias",
                                        "YAML aliases (*name) are not allowed"))
                raise _Abort
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                problems.append(problem(event.start_mark, "alias",
                                        f"YAML anchors (&{event.anchor}) are not allowed"))
                raise _Abort
            tag: str | None = None
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                tag = event.tag
                if tag is not None and tag != "!" and tag not in PLAIN_TAGS:
                    problems.append(problem(event.start_mark, "tag",
                                            f"the YAML tag {tag} is not allowed (only plain text, "
                                            "numbers, lists and mappings)"))
                    raise _Abort
                tag = tag if tag in PLAIN_TAGS else None
            if isinstance(event, yaml.ScalarEvent):
                line, column = at(event.start_mark)
                plain = not event.style and event.implicit[0]
                attach(Node("scalar", line, column, event.value, plain, tag))
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    problems.append(problem(event.start_mark, "depth",
                                            f"nesting deeper than {MAX_DEPTH} levels"))
                    raise _Abort
                line, column = at(event.start_mark)
                is_seq = isinstance(event, yaml.SequenceStartEvent)
                node = Node("sequence" if is_seq else "mapping", line, column, [], tag=tag)
                attach(node)
                stack.append(node)
                pending_key.append(None)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                stack.pop()
                pending_key.pop()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or "invalid YAML"
        if error.context:
            message = f"{message} ({error.context})"
        rule = "depth" if "nesting depth" in message else "yaml"
        if mark is None:
            problems.append(YamlProblem(first_line, 1, rule, message))
        else:
            problems.append(problem(mark, rule, message))
        return None, problems
    except yaml.YAMLError as error:
        problems.append(YamlProblem(first_line, 1, "yaml", str(error).splitlines()[0]))
        return None, problems
    except (RecursionError, MemoryError) as error:
        problems.append(YamlProblem(first_line, 1, "depth" if isinstance(error, RecursionError)
                                    else "size", "the YAML is too deep or too large to read"))
        return None, problems
    except _Abort:
        return None, problems
    return root, problems


def core_scalar(text: str) -> Any:
    """A plain scalar typed as YAML 1.2's core schema does (``yes`` and ``on`` stay text), as
    hub-plugin's card parser types front matter."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


@functools.lru_cache(maxsize=4096)  # a hub's cards repeat their values: "cv", "1.8", "ascend", ...
def _resolved_tag(text: str) -> str:
    """The tag PyYAML (YAML 1.1, as ``yaml.safe_load`` and MindSpore Hub) gives a plain scalar."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _scalar_value(node: Node) -> Any:
    tag = node.tag or (_resolved_tag(node.text()) if node.plain else _STR_TAG)
    if tag == _STR_TAG or tag not in yaml.SafeLoader.yaml_constructors:
        return node.text()
    return _constructed(tag, node.text())


@functools.lru_cache(maxsize=4096)  # scalars are immutable: an int, a float, a bool, a date, None
def _constructed(tag: str, text: str) -> Any:
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_object(yaml.ScalarNode(tag, text))


def to_python(root: Node) -> Any:
    """The node tree as plain Python values, typed as ``yaml.safe_load`` types them; a repeated
    key keeps its last value, as YAML libraries do. Raises ``ValueError`` for a key that is a list
    or a mapping."""

    def convert(node: Node) -> Any:
        if node.kind == "scalar":
            return _scalar_value(node)
        if node.kind == "sequence":
            return [convert(child) for child in node.children()]
        result: dict[Any, Any] = {}
        for key, value in node.items():
            if key.kind != "scalar":
                raise ValueError(f"{key.line}:{key.column}: a key must be plain text")
            result[_scalar_value(key)] = convert(value)
        return result

    return convert(root)  # nesting is at most MAX_DEPTH: the recursion is bounded


def _error(path: str, problem: YamlProblem) -> YamlError:
    return YamlError(path, problem.line, problem.column, problem.rule, problem.message)


def load(source: Path | bytes, *, name: str | None = None,
         documents: Literal["one", "first"] = "one") -> Any:
    """The plain Python values of a YAML file (``None`` when it holds no document): a path, or
    bytes read elsewhere (``name`` then shows where they came from).

    Raises :class:`~hub_plugin.errors.YamlError` (one line: the file, the position, the rule) for
    an unreadable file, invalid YAML, or anything refused by the limits of the module docstring.
    """
    shown = name or str(source if isinstance(source, Path) else "<yaml>")
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as error:
        raise _error(shown, YamlProblem(None, None, "read", error.strerror or str(error))) from None
    text, problem = decode(data)
    if problem is not None:
        if problem.rule == "empty":
            return None
        raise _error(shown, problem)
    root, problems = compose(text or "", documents=documents)
    if problems:
        raise _error(shown, problems[0])
    if root is None:
        return None
    try:
        return to_python(root)
    except (ValueError, TypeError, yaml.YAMLError, RecursionError, MemoryError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _error(shown, YamlProblem(root.line, root.column, "yaml", first)) from None


def load_mapping(source: Path | bytes, *, name: str | None = None,
                 documents: Literal["one", "first"] = "one") -> dict[str, Any]:
    """:func:`load` of a file that must hold a mapping (or nothing: ``{}``)."""
    value = load(source, name=name, documents=documents)
    if value is None:
        return {}
    if not isinstance(value, dict):
        shown = name or str(source if isinstance(source, Path) else "<yaml>")
        raise _error(shown, YamlProblem(1, 1, "yaml", "the file must be a mapping of settings"))
    return value


def dump(data: Mapping[str, Any]) -> str:
    """Plain data as YAML text (block style, keys in the order given), for data files such as a
    run's saved config; cards are written by :func:`card_text`."""
    text: str = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    return text


# --- Writing cards -------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_<](?:[A-Za-z0-9 _.,/<>|()+=@%~'-]|:(?=[^\s,\[\]{}]))*")
_PLAIN_FLOW = re.compile(r"[A-Za-z0-9_<](?:[A-Za-z0-9 _./<>|()+=@%~'-])*")
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_VERSION_OR_DATE = re.compile(r"[0-9]+(?:[.-][0-9]+)*")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_INDENT = "    "
_BODY_RULE = re.compile("(^|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])---")


def _printable(code: int) -> bool:
    """Whether YAML lets the character stand as itself inside a double-quoted scalar on one line
    (YAML 1.2, 5.1 "c-printable", less the characters YAML 1.1 reads as line breaks and the BOM)."""
    if code in (0x85, 0x2028, 0x2029, 0xFEFF):
        return False
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def quoted(text: str) -> str:
    """``text`` as a YAML (and JSON) double-quoted scalar, on one line."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _printable(code):
            out.append(char)
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError("a lone surrogate cannot be written in a UTF-8 card")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _reads_as_itself(text: str) -> bool:
    return _resolved_tag(text) == _STR_TAG and core_scalar(text) == text and not text.endswith(" ")


def scalar(value: object, *, as_written: bool = False, flow: bool = False) -> str:
    """One value of a card as YAML text: plain where both YAML readers read it back as given,
    double-quoted otherwise (see the module docstring). ``flow``: inside ``[...]``.

    ``as_written``: the value of a field hub-plugin's card parser takes as written, whatever YAML
    would guess (the schema's text fields, :func:`~hub_plugin.cards.profiles.
    text_fields`): a version or a date (``2.10``, ``2026-12-04``) is then written plain, as MindSpore
    Hub's cards write them.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written in a card")
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 reads 1e-05 as text, 1.0e-05 as a number
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if not isinstance(value, str):
        raise TypeError(f"a card value must be text, a number, a boolean or null, not "
                        f"{type(value).__name__}")
    pattern = _PLAIN_FLOW if flow else _PLAIN
    if pattern.fullmatch(value) and (
            _reads_as_itself(value) or (as_written and _VERSION_OR_DATE.fullmatch(value))):
        return value
    return quoted(value)


def _key(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"a card field's name must be text, not {type(name).__name__}")
    return name if _KEY.fullmatch(name) and _reads_as_itself(name) else quoted(name)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float)


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _inline(value: object, as_written: bool = False) -> str | None:
    """The value on the line of its key (a scalar, ``[]``, ``{}``, a flow list of scalars), or
    ``None`` when it takes lines of its own."""
    if _is_scalar(value):
        return scalar(value, as_written=as_written)
    if isinstance(value, Mapping):
        return "{}" if not value else None
    if _is_list(value):
        items = list(value)  # type: ignore[call-overload]
        if all(_is_scalar(item) for item in items):
            return "[" + ", ".join(scalar(item, flow=True) for item in items) + "]"
        return None
    raise TypeError(f"a card value must be text, a number, a boolean, null, a list or a mapping, "
                    f"not {type(value).__name__}")


TextFields = tuple[Collection[str], Collection[str]]
"""The card fields and the asset fields (keys of a mapping inside a list) taken as written."""


class _Writer:
    def __init__(self, text_fields: TextFields) -> None:
        self.card_text, self.asset_text = text_fields

    def mapping(self, fields: Mapping[Any, Any], indent: int, depth: int, top: bool,
                text_keys: Collection[str]) -> list[str]:
        if depth > MAX_DEPTH:
            raise ValueError(f"the value is nested deeper than {MAX_DEPTH} levels")
        lines: list[str] = []
        pad = _INDENT * indent
        for name, value in fields.items():
            inline = _inline(value, as_written=name in text_keys)
            if inline is not None:
                lines.append(f"{pad}{_key(name)}: {inline}")
            elif isinstance(value, Mapping):
                lines.append(f"{pad}{_key(name)}:")
                lines += self.mapping(value, indent + 1, depth + 1, False, ())
            else:
                lines.append(f"{pad}{_key(name)}:")
                lines += self.sequence(list(value), indent, depth + 1, top)
            if top:
                lines.append("")
        return lines

    def sequence(self, items: list[Any], indent: int, depth: int, top: bool) -> list[str]:
        if depth > MAX_DEPTH:
            raise ValueError(f"the value is nested deeper than {MAX_DEPTH} levels")
        lines: list[str] = []
        pad = _INDENT * indent
        for item in items:
            if top:
                lines.append("")
            inline = _inline(item)
            if inline is not None:
                lines.append(f"{pad}- {inline}")
            elif isinstance(item, Mapping):
                lines.append(f"{pad}-")
                lines += self.mapping(item, indent + 1, depth + 1, False, self.asset_text)
            else:
                lines.append(f"{pad}-")
                lines += self.sequence(list(item), indent + 1, depth + 1, False)
        return lines


def front_matter(fields: Mapping[str, Any], *, text_fields: TextFields = ((), ())) -> str:
    """The YAML between a card's two ``---`` lines, in MindSpore Hub's layout: each field on its
    line followed by a blank one, lists of mappings (``asset``) as ``-`` entries indented by four
    spaces, lists of scalars in brackets (``input-shape: [1, 3, 224, 224]``). ``text_fields``: see
    :func:`scalar` (``as_written``); the card parser's rule decides which keys count."""
    writer = _Writer(text_fields)
    return "\n".join(writer.mapping(fields, 0, 1, True, writer.card_text)) + "\n"


def one_line(text: str) -> str:
    """``text`` on one line: every line break, control or other non-printable character becomes a
    space, and runs of spaces one."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def card_text(fields: Mapping[str, Any], body: str, *, title: str | None = None,
              text_fields: TextFields = ((), ())) -> str:
    """A whole card: ``# title`` (made one line), the front matter of ``fields`` between two
    ``---`` lines, then ``body``. A body line starting with ``---`` (which MindSpore Hub's validator
    would count as a front-matter line, whatever character ends the line before) is indented by one
    space, which Markdown renders alike. A NUL byte, which no card can hold, is a ``ValueError``."""
    if "\0" in body:
        raise ValueError("a card's body cannot hold a NUL byte")
    head = f"# {one_line(title)}\n\n" if title is not None else ""
    body = _BODY_RULE.sub(r"\1 ---", body)
    return f"{head}---\n\n{front_matter(fields, text_fields=text_fields)}---\n\n{body}"


__all__ = [
    "MAX_DEPTH", "MAX_YAML_BYTES", "PLAIN_TAGS", "Node", "TextFields", "YamlProblem", "card_text", "compose",
    "core_scalar", "decode", "dump", "front_matter", "load", "load_mapping", "one_line", "quoted",
    "scalar", "to_python",
]
