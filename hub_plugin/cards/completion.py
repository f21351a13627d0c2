"""Completing a card for publication: its asset links and digests filled in, and where a hub keeps it.

``hub-plugin publish`` takes a card as ``eval`` or ``export`` wrote it (placeholder links, or local
paths) and rewrites only the values it knows better, leaving every other line, comment and the body
as the author wrote them:

- each published asset's ``asset-link`` (as a Markdown autolink, ``<https://...>``) and its full
  64-digit ``asset-sha256``; its ``file-format`` where the card has none (from the file's suffix);
- ``update-time`` (today, UTC) and, where the card has none, ``mindspore-version``;
- in the copy that goes to a hub, ``requires`` (issue 28): each card named by the name it is
  published under becomes the UID it is published at (:func:`replace_value`), so that the hub's
  card finds the user's own encoder, not the official one.

A value is replaced from its column to the end of its line (front-matter values are one-line
scalars), written by hub-plugin's one card writer (:func:`hub_plugin.core.yamlio.scalar`: quoted
where YAML needs it, so a link or a name holding a line break stays one value); a missing field is
added after the asset's ``asset-link`` line or before the closing ``---``. The result is validated
by the caller under both profiles before anything is published.

:func:`hub_layout_path` is MindSpore Hub's layout, ``<publisher>/<version>/<stem>.md`` below
``mshub_res/assets``, each segment checked to be a plain file name.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..core.yamlio import scalar
from ..errors import UsageError
from .manifest import Position
from .profiles import text_fields

#: ``file-format`` by file suffix (MindSpore Hub's formats; ``.ms`` is MindSpore Lite's).
FORMAT_BY_SUFFIX = {".ckpt": "ckpt", ".mindir": "mindir", ".onnx": "onnx", ".air": "air", ".ms": "mslite"}

_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class AssetFill:
    """What publication knows about asset ``index`` of a card: its public link and digest."""

    index: int
    link: str
    sha256: str
    file_format: str | None = None


def file_format_for(name: str) -> str | None:
    """The ``file-format`` a file's suffix means, or ``None`` for an unknown one."""
    return FORMAT_BY_SUFFIX.get(PurePosixPath(name).suffix.lower())


def complete_card(
    text: str,
    fields: Mapping[str, object],
    positions: Mapping[str, Position],
    fills: Sequence[AssetFill],
    *,
    update_time: str,
    mindspore_version: str | None = None,
) -> str:
    """``text`` with the fills applied (see the module docstring); ``fields`` and ``positions``
    are the card's front matter as read (:class:`~hub_plugin.validation.report.FileReport`).
    """
    lines = text.splitlines(keepends=True)
    inserts: list[tuple[int, str]] = []  # (index of the line to insert after, text)
    card_text, asset_text = text_fields()

    def value_text(pointer: str, value: str) -> str:
        """``value`` as the one card writer writes the field at ``pointer``."""
        name = pointer.rsplit("/", 1)[-1]
        as_written = name in (asset_text if pointer.startswith("/asset/") else card_text)
        return scalar(value, as_written=as_written)

    def replace(pointer: str, value: str) -> bool:
        where = positions.get(pointer)
        if where is None:
            return False
        row = where.line - 1
        line = lines[row]
        ending = line[len(line.rstrip("\r\n")):] or "\n"
        lines[row] = line[: where.column - 1] + value_text(pointer, value) + ending
        return True

    assets = fields.get("asset")
    for fill in fills:
        base = f"/asset/{fill.index}"
        if not replace(f"{base}/asset-link", f"<{fill.link}>"):
            raise UsageError(f"asset {fill.index} of the card has no asset-link to fill in")
        link_at = positions[f"{base}/asset-link"]
        link_line = lines[link_at.line - 1]
        indent = " " * max(link_line.find("asset-link"), 0)
        if not replace(f"{base}/asset-sha256", fill.sha256):
            inserts.append((link_at.line - 1,
                            f"{indent}asset-sha256: {value_text(f'{base}/asset-sha256', fill.sha256)}\n"))
        entry = assets[fill.index] if isinstance(assets, list) and fill.index < len(assets) else {}
        has_format = isinstance(entry, Mapping) and entry.get("file-format")
        if fill.file_format and not has_format and not replace(f"{base}/file-format", fill.file_format):
            written = value_text(f"{base}/file-format", fill.file_format)
            inserts.append((link_at.line - 1, f"{indent}file-format: {written}\n"))
    closing = _closing_line(lines, positions)
    if not replace("/update-time", update_time):
        inserts.append((closing - 1, f"update-time: {value_text('/update-time', update_time)}\n"))
    if (mindspore_version and not fields.get("mindspore-version")
            and not replace("/mindspore-version", mindspore_version)):
        written = value_text("/mindspore-version", mindspore_version)
        inserts.append((closing - 1, f"mindspore-version: {written}\n"))
    for after, added in sorted(inserts, key=lambda item: item[0], reverse=True):
        lines.insert(after + 1, added)
    return "".join(lines)


def replace_value(text: str, positions: Mapping[str, Position], name: str, value: str) -> str:
    """``text`` with the one-line value of the top-level field ``name`` replaced by ``value``
    (written by the one card writer: a text field as written); the field must be there."""
    where = positions.get(f"/{name}")
    if where is None:
        raise UsageError(f"the card has no {name} to rewrite")
    lines = text.splitlines(keepends=True)
    line = lines[where.line - 1]
    ending = line[len(line.rstrip("\r\n")):] or "\n"
    as_written = name in text_fields()[0]
    lines[where.line - 1] = line[: where.column - 1] + scalar(value, as_written=as_written) + ending
    return "".join(lines)


def _closing_line(lines: list[str], positions: Mapping[str, Position]) -> int:
    """The index of the ``---`` line that closes the front matter."""
    start = positions[""].line - 1 if "" in positions else 0
    for row in range(start, len(lines)):
        if lines[row].strip() == "---":
            return row
    raise UsageError("the card's front matter has no closing '---' line")


def hub_layout_path(publisher: str, version: str, stem: str, *, root: str = "mshub_res/assets") -> str:
    """``<root>/<publisher>/<version>/<stem>.md``, each part a plain name (no ``/``, ``..``,
    leading ``.`` or ``-``); raises :class:`UsageError` naming the bad part."""
    for label, part in (("publisher", publisher), ("version", version), ("card name", stem)):
        if not _SEGMENT.fullmatch(part) or ".." in part:
            raise UsageError(f"the {label} {part!r} cannot be a folder or file name in the hub",
                             hint="use letters, digits, '.', '_' and '-' only")
    return str(PurePosixPath(root, publisher, version, f"{stem}.md")) if root else (
        f"{publisher}/{version}/{stem}.md"
    )


def publish_command(target: str) -> str:
    """The one line ``eval`` and ``export`` print after writing cards: the ``hub-plugin publish``
    command that uploads their files and completes them (the capitals are the user's to fill)."""
    return (f"to publish: hub-plugin publish {shlex.quote(target)} --upload s3://BUCKET/PREFIX "
            "[--endpoint-url URL] --public-url URL --hub HUB_CLONE --push YOUR_FORK")


__all__ = [
    "FORMAT_BY_SUFFIX", "AssetFill", "complete_card", "file_format_for", "hub_layout_path",
    "publish_command", "replace_value",
]
