"""A small TOML writer for the lock file's fixed shape (TOML 1.0, https://toml.io/en/v1.0.0).

Python 3.11 reads TOML (:mod:`tomllib`) but writes none. The lock file holds only tables, arrays of
tables, strings, integers and booleans, so a few lines write it, in a stable order that reads well
in a diff; the ``tomli-w`` package would be a new dependency of the light install for the same.
``None`` values are left out (TOML has no null: an absent key is the spelling).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def key(text: str) -> str:
    """A key, bare when TOML allows it, else quoted."""
    return text if _BARE_KEY.fullmatch(text) else string(text)


def string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def comment(text: str) -> str:
    """Comment text: TOML allows no control character but tab in a comment, so each is spelled
    as its ``\\uXXXX`` escape (a line break too: one comment line stays one line)."""
    return "".join(f"\\u{ord(c):04x}" if (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F else c
                   for c in text)


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Sequence):
        return "[" + ", ".join(value(v) for v in item) + "]"
    raise TypeError(f"no TOML value for {type(item).__name__}")


def _is_tables(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(v, Mapping) for v in item)


def _table(path: list[str], table: Mapping[str, Any], lines: list[str]) -> None:
    for name, item in table.items():
        if item is not None and not isinstance(item, Mapping) and not _is_tables(item):
            lines.append(f"{key(name)} = {value(item)}")
    for name, item in table.items():
        if isinstance(item, Mapping):
            lines.extend(["", f"[{'.'.join(map(key, [*path, name]))}]"])
            _table([*path, name], item, lines)
    for name, item in table.items():
        if _is_tables(item):
            for element in item:
                lines.extend(["", f"[[{'.'.join(map(key, [*path, name]))}]]"])
                _table([*path, name], element, lines)


def dumps(document: Mapping[str, Any], *, header: Sequence[str] = ()) -> str:
    """``document`` as TOML text, preceded by ``header`` as comment lines."""
    lines = [f"# {comment(line)}" for line in header]
    _table([], document, lines)
    return "\n".join(lines).lstrip("\n") + "\n"
