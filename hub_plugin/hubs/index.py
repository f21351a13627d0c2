"""The card index of a hub snapshot: one entry per card, written once at sync time.

``list --hub`` reads this file instead of parsing thousands of cards: each entry holds the card's
UID, its file (relative to the snapshot's ``cards/``), the fields a listing shows, and whether the
card is valid (with its first defect when not, its path relative to the snapshot folder:
``cards/mindspore/1.8/x.md:3:1: ...``). The index never names the folder it was built in (a
temporary one, renamed into ``snapshots/<commit>`` afterwards): :func:`error_in` places a
defect in the snapshot where the index is read. MindSpore Hub's UIDs are the card's path without
``.md``: ``mindspore/1.8/alexnet_cifar10`` (three parts) or ``noah-cvlab/gpu/0.7/<stem>`` (four).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..cards.card_files import HUB_CARD_DEPTH, hub_card_uid, is_card_file
from ..core.file_tree import walk_files
from ..validation.validator import validate_file

INDEX_VERSION = 1
#: The card folder of a snapshot, beside ``index.json``: the paths of defects start with it.
CARDS_FOLDER = "cards"
#: The fields of a card kept in the index (as the card writes them).
INDEX_FIELDS = ("model-name", "backbone-name", "module-type", "model-version", "mindspore-version",
                "train-dataset", "evaluation", "summary", "repo-link")


def uid_of(relative: Path) -> str | None:
    """The UID of a card at ``relative`` (to the card folder), or None where it is not a card of the
    hub (:func:`~hub_plugin.cards.card_files.is_hub_card`)."""
    return hub_card_uid(relative)


def uid_version(uid: str) -> str:
    """The version part of a UID: ``1.8`` of ``mindspore/1.8/alexnet_cifar10``."""
    return uid.split("/")[-2]


def card_paths(cards: Path) -> Iterable[Path]:
    """Every card file under a snapshot's card folder, sorted, down to a UID's depth: the walk is
    iterative and goes no deeper (:func:`~hub_plugin.core.file_tree.walk_files`), so a
    tree a thousand folders deep costs a few listings (issue 27, hole 5). Dot folders are not
    entered: nothing in them is a card of the hub."""
    return sorted(p for p in walk_files(cards, max_depth=HUB_CARD_DEPTH,
                                        skip_folder=lambda name: name.startswith("."))
                  if is_card_file(p))


def build_index(cards: Path) -> dict[str, Any]:
    """Read every card under ``cards`` (a snapshot's ``cards/``, leniently, as MindSpore Hub does)
    into the index."""
    entries: list[dict[str, Any]] = []
    for path in card_paths(cards):
        relative = path.relative_to(cards)
        uid = uid_of(relative)
        if uid is None:
            continue
        report = validate_file(path, "mindspore-hub")
        entry: dict[str, Any] = {"uid": uid, "file": relative.as_posix()}
        if report.manifest is None:
            first = report.errors[0] if report.errors else None
            inside = f"{CARDS_FOLDER}/{relative.as_posix()}"
            entry["error"] = str(replace(first, path=inside)) if first else "invalid card"
        else:
            fields = report.manifest.fields
            entry.update({key: _text(fields.get(key)) for key in INDEX_FIELDS if key in fields})
        entries.append(entry)
    return {"version": INDEX_VERSION, "cards": entries}


def error_in(entry: Mapping[str, Any], snapshot: Path) -> str | None:
    """The entry's defect with its path inside ``snapshot`` (the folder holding ``index.json``)."""
    error = entry.get("error")
    if not isinstance(error, str):
        return None
    return str(snapshot / error) if error.startswith(f"{CARDS_FOLDER}/") else error


def _text(value: Any) -> str:
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def matches(entry: Mapping[str, Any], *, version: str | None, text: str | None) -> bool:
    """Whether an index entry is one ``list --hub --version V --filter TEXT`` shows."""
    if version is not None and uid_version(str(entry.get("uid", ""))) != version:
        return False
    if text:
        needle = text.lower()
        haystack = " ".join(str(entry.get(k, "")) for k in ("uid", "model-name", "backbone-name",
                                                            "summary")).lower()
        return needle in haystack
    return True
