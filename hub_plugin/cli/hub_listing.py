"""``hub-plugin list --hub NAME [--version V] [--filter TEXT]``: a hub's cards, from its index.

Reads the index written at sync time (one JSON file), never the cards themselves, and prints
plain aligned columns (a rich table of 3,000 rows takes over a second to lay out), so listing a
whole hub takes a fraction of a second. The hub is synced first if it never was.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.console import out, out_data, shown
from .global_options import settings_of

#: (heading, index field) of each column, in order.
COLUMNS = (("uid", "uid"), ("module type", "module-type"), ("backbone", "backbone-name"),
           ("evaluation", "evaluation"), ("summary", "summary"))


def _cell(entry: Mapping[str, Any], field: str) -> str:
    """One cell, on one line, shown as data (card fields: :func:`~hub_plugin.core.console.shown`)."""
    if field == "summary" and "error" in entry:
        return shown(" ".join(f"invalid card: {entry['error']}".split()))
    return shown(" ".join(str(entry.get(field, "")).split()))


def format_rows(entries: Sequence[Mapping[str, Any]]) -> str:
    """The entries as aligned text columns with a heading line (the last column unpadded)."""
    rows = [[heading for heading, _ in COLUMNS]]
    rows.extend([_cell(entry, field) for _, field in COLUMNS] for entry in entries)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
             for row in rows]
    return "\n".join(lines)


def _placed(entry: Mapping[str, Any], error: str | None) -> Mapping[str, Any]:
    """The entry with its defect pointing into the snapshot in use."""
    return entry if error is None else {**entry, "error": error}


def list_hub(args: argparse.Namespace) -> int:
    from ..hubs.index import error_in, matches
    from ..hubs.sync import hub_snapshot

    snapshot = hub_snapshot(args.hub, settings=settings_of(args))
    listed = [_placed(e, error_in(e, snapshot.folder)) for e in snapshot.index()
              if matches(e, version=args.hub_version, text=args.hub_filter)]
    if args.format == "json":
        out_data(json.dumps({"hub": snapshot.hub, "url": snapshot.url, "ref": snapshot.ref,
                             "commit": snapshot.commit, "date": snapshot.date, "cards": listed},
                            indent=2, ensure_ascii=False))
        return 0
    out(format_rows(listed))
    total = len(snapshot.index()) if args.hub_version or args.hub_filter else len(listed)
    out(f"{len(listed)} of {total} cards of the hub {shown(snapshot.hub)} "
        f"(commit {shown(snapshot.commit[:12])}, {shown(snapshot.date)})")
    return 0
