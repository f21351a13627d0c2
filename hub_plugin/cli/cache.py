"""``hub-plugin cache ls|rm|prune|verify``: look after the cache (``HUB_PLUGIN_HOME``).

Three kinds of thing live there: assets (checkpoints, by sha256), hub snapshots and zoo checkouts
(:mod:`hub_plugin.cache.checkouts`). ``ls`` lists each kind with sizes and last use;
``rm`` takes card names and digests, ``hub:NAME[@COMMIT]`` and ``zoo:KEY[@COMMIT]``; ``prune
--older-than`` also removes snapshots and checkouts unused for that long (never a hub's current
snapshot).

``rm`` and ``prune`` ask before removing anything when stdin is a terminal; elsewhere they need
``--yes``. ``--dry-run`` shows what would go and removes nothing. ``verify`` re-hashes every blob,
removes the corrupt ones (unless ``--dry-run``) and exits 1 when it found any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.console import err, human_size, out, out_data, shown, table_console
from ..core.console import markup_text as m
from ..errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from ..cache.asset_cache import AssetCache
    from ..cache.checkouts import CachedCheckout
    from ..cache.index import CacheEntry

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?", re.IGNORECASE)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_size(text: str) -> int:
    """Bytes from ``500M``, ``10G``, ``1.5GiB`` or ``123`` (units are powers of 1024)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"not a size: {text!r}", hint="for example 500M or 10G")
    power = " kmgt".index(match[2].lower() or " ")
    return int(float(match[1]) * 1024**power)


def parse_duration(text: str) -> float:
    """Seconds from ``90s``, ``45m``, ``12h``, ``30d`` or ``2w``."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"not a duration: {text!r}", hint="for example 12h, 30d or 2w")
    return float(match[1]) * _SECONDS[match[2].lower()]


def _when(timestamp: float) -> str:
    """A time as every command prints it: UTC, to the minute (``2026-12-01 15:20``)."""
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def register(subparsers: Any) -> None:
    cache = subparsers.add_parser(
        "cache",
        help="list, remove, prune and verify cached assets, hub snapshots and zoo checkouts",
        description="Look after the cache (HUB_PLUGIN_HOME, by default ~/.cache/hub-plugin): "
        "assets, hub snapshots and zoo checkouts.",
    )
    commands = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    commands.required = True

    ls = commands.add_parser("ls", help="list cached assets, hub snapshots and zoo checkouts: "
                             "size, last use")
    ls.add_argument("--kind", choices=("assets", "hub", "zoo"), action="append",
                    help="list only this kind (repeatable; default: all three)")
    ls.add_argument("--format", choices=("table", "json"), default="table",
                    help="a table for people (default) or JSON for scripts")
    ls.set_defaults(run=run_ls)

    rm = commands.add_parser("rm", help="remove the assets of cards, blobs by digest, hub "
                             "snapshots or zoo checkouts")
    rm.add_argument(
        "targets",
        nargs="+",
        metavar="NAME|DIGEST|hub:NAME[@COMMIT]|zoo:KEY[@COMMIT]",
        help="a card name, a sha256 (8 or more leading hex digits), a hub's snapshots (never "
        "the current one) or a zoo repository's checkouts, as 'cache ls' names them",
    )
    _add_removal_options(rm)
    rm.set_defaults(run=run_rm)

    prune = commands.add_parser("prune", help="remove assets unused for a while, or the least recently used")
    prune.add_argument("--older-than", metavar="AGE",
                       help="remove assets, hub snapshots and zoo checkouts unused for AGE (90m, "
                       "12h, 30d, 2w); a hub's current snapshot always stays")
    prune.add_argument(
        "--max-size",
        metavar="SIZE",
        help="then remove the least recently used assets until they take at most SIZE (500M, 10G)",
    )
    _add_removal_options(prune)
    prune.set_defaults(run=run_prune)

    verify = commands.add_parser("verify", help="re-hash every blob; report and remove the corrupt ones")
    verify.add_argument("--dry-run", action="store_true", help="report only; remove nothing")
    verify.set_defaults(run=run_verify)


def _add_removal_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show what would go; remove nothing")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")


def _describe(entry: CacheEntry) -> str:
    cards = ", ".join(entry.cards) or "-"
    return f"{entry.sha256[:16]}  {human_size(entry.size):>10}  {cards}"


def _confirm(args: argparse.Namespace, question: str) -> bool:
    """``--yes``, or the person at the terminal says yes; without a terminal, refuse."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to remove without confirmation",
            hint="pass --yes, or --dry-run to see what would be removed",
        )
    answer = input(f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def run_ls(args: argparse.Namespace) -> int:
    from ..cache.asset_cache import AssetCache
    from ..cache.checkouts import hub_snapshots, zoo_checkouts

    kinds = set(args.kind or ("assets", "hub", "zoo"))
    cache = AssetCache()
    entries = sorted(cache.entries(), key=lambda e: e.last_used, reverse=True) if "assets" in kinds else []
    hubs = hub_snapshots(cache.root) if "hub" in kinds else []
    zoo = zoo_checkouts(cache.root) if "zoo" in kinds else []
    partials = cache.partials() if "assets" in kinds else []
    if args.format == "json":
        rows = [
            {
                "sha256": e.sha256,
                "size": e.size,
                "last_used": _iso(e.last_used),
                "added": _iso(e.added),
                "cards": list(e.cards),
                "files": [f"{v.card}/{v.file_name}" for v in e.views],
                "links": list(e.links),
                "path": str(e.path),
            }
            for e in entries
        ]
        checkouts = {kind: [{"name": c.key, "owner": c.owner, "commit": c.commit, "size": c.size,
                             "last_used": _iso(c.last_used), "current": c.current,
                             "detail": c.detail, "path": str(c.path)} for c in found]
                     for kind, found in (("hub-snapshots", hubs), ("zoo-checkouts", zoo))}
        unfinished = [{"path": str(p.path), "size": p.size, "modified": _iso(p.modified),
                       "active": p.active} for p in partials]
        out_data(json.dumps({"root": str(cache.root), "assets": rows, "unfinished": unfinished,
                             **checkouts}, indent=2))
        return 0
    _print_unfinished(partials)
    if not entries and not hubs and not zoo:
        out(f"no cached assets, hub snapshots or zoo checkouts in {shown(cache.root)}")
        return 0
    from rich.table import Table

    console = table_console()
    if entries:
        total = sum(e.size for e in entries)
        table = Table(
            title=f"{len(entries)} cached asset{'s' if len(entries) != 1 else ''}, "
            f"{human_size(total)}, in {m(cache.root)}"
        )
        for column in ("sha256", "size", "last use (UTC)", "card", "file"):
            table.add_column(column, justify="right" if column == "size" else "left")
        for e in entries:
            table.add_row(e.sha256[:16], human_size(e.size), _when(e.last_used),
                          m(", ".join(e.cards) or "-"),
                          m(", ".join(sorted({v.file_name for v in e.views})) or "-"))
        console.print(table)
    for title, found, what in (("hub snapshots", hubs, "ref"), ("zoo checkouts", zoo, "folders")):
        if not found:
            continue
        table = Table(title=f"{len(found)} {title}, {human_size(sum(c.size for c in found))}")
        for column in ("name (for cache rm)", "size", "last use (UTC)", what, "repository"):
            table.add_column(column, justify="right" if column == "size" else "left")
        for c in found:
            table.add_row(m(c.key) + (" (current)" if c.current else ""), human_size(c.size),
                          _when(c.last_used), m(c.detail or "-"), m(c.owner))
        console.print(table)
    return 0


def _print_unfinished(partials: Sequence[Any]) -> None:
    """One line per unfinished download: what it holds, and whether ``cache prune`` removes it."""
    for part in partials:
        state = "being written now" if part.active else "stopped; cache prune removes it"
        out(f"unfinished download {shown(part.path)}: {human_size(part.size)}, last written "
            f"{_when(part.modified)} ({state})")


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def _targets(cache: AssetCache, targets: Sequence[str]) -> tuple[list[CacheEntry], list[str]]:
    """The blobs named by digest, and the cards named by name, for ``cache rm``."""
    entries = cache.entries()
    by_digest: list[CacheEntry] = []
    cards: list[str] = []
    for target in targets:
        text = target.strip().lower()
        if re.fullmatch(r"[0-9a-f]{8,64}", text):
            matches = [e for e in entries if e.sha256.startswith(text)]
            if len(matches) > 1:
                raise UsageError(
                    f"{target!r} is ambiguous: it starts {len(matches)} digests",
                    hint="give more digits",
                )
            if matches:
                by_digest.extend(matches)
                continue
        if any(target in e.cards for e in entries):
            cards.append(target)
            continue
        raise UsageError(
            f"nothing in the cache matches {target!r}",
            hint="'hub-plugin cache ls' lists what is there",
        )
    return by_digest, cards


def _checkout_targets(
    root: Path, targets: Sequence[str],
) -> tuple[list[CachedCheckout], list[CachedCheckout], list[str]]:
    """The hub snapshots and zoo checkouts named ``hub:NAME[@COMMIT]`` and ``zoo:KEY[@COMMIT]``
    (a commit may be a prefix), the hubs' current snapshots a ``hub:NAME`` also named (kept, and
    said so), and the other targets, for ``cache rm``."""
    from ..cache.checkouts import KINDS, cached_checkouts

    chosen: list[CachedCheckout] = []
    kept: list[CachedCheckout] = []
    rest: list[str] = []
    every = None
    for target in targets:
        kind, colon, name = target.partition(":")
        if not colon or kind not in KINDS:
            rest.append(target)
            continue
        every = cached_checkouts(root) if every is None else every
        owner, at, commit = name.partition("@")
        matches = [c for c in every if c.key.startswith(f"{kind}:{owner}@{commit}")]
        current = [c for c in matches if c.current]
        if current and at:
            raise UsageError(f"{target} is the hub's current snapshot, which cache rm keeps",
                             hint=f"'hub-plugin hub rm {owner}' forgets the hub and its snapshots")
        matches = [c for c in matches if not c.current]
        if not matches and not current:
            raise UsageError(f"nothing in the cache matches {target!r}",
                             hint="'hub-plugin cache ls' lists what is there")
        chosen.extend(m for m in matches if m not in chosen)
        kept.extend(c for c in current if c not in kept)
    return chosen, kept, rest


def run_rm(args: argparse.Namespace) -> int:
    from ..cache.asset_cache import AssetCache
    from ..cache.checkouts import remove

    cache = AssetCache()
    checkouts, kept, targets = _checkout_targets(cache.root, args.targets)
    by_digest, cards = _targets(cache, targets) if targets else ([], [])
    named = {e.sha256 for e in by_digest}
    # A card's blob goes with it unless another card still uses it; then only the view goes.
    going = list(by_digest)
    views_only = []
    for entry in cache.entries():
        if entry.sha256 in named:
            continue
        mine = [v for v in entry.views if v.card in cards]
        if mine and len(mine) == len(entry.views):
            going.append(entry)
        else:
            views_only.extend(mine)
    for current in kept:  # issue 28, item 5: a current snapshot alone printed nothing
        out(shown(f"{'would keep' if args.dry_run else 'kept'} {current.key}: the hub's current "
                  f"snapshot, in use by its UIDs ('hub-plugin hub rm {current.owner}' forgets the "
                  "hub and its snapshots)"))
    if not args.dry_run and (going or checkouts or views_only):
        size = human_size(sum(e.size for e in going) + sum(c.size for c in checkouts))
        extra = f" and {len(checkouts)} snapshot(s) or checkout(s)" if checkouts else ""
        if not _confirm(args, f"Remove {len(going)} blob(s){extra}, {size}?"):
            err("nothing removed")
            return 1
    verb = "would remove" if args.dry_run else "removed"
    for checkout in checkouts:
        if not args.dry_run:
            remove(checkout)
        out(shown(f"{verb} {checkout.key}  {human_size(checkout.size):>10}  {checkout.owner}"))
    for entry in going:
        if not args.dry_run:
            cache.remove(entry.sha256)
        out(shown(f"{verb} {_describe(entry)}"))
    for view in views_only:
        if not args.dry_run:
            cache.remove_view(view)
        out(shown(f"{verb} {view.card}/{view.file_name} (its blob stays: other cards use it)"))
    return 0


def run_prune(args: argparse.Namespace) -> int:
    from ..cache.asset_cache import AssetCache
    from ..cache.checkouts import cached_checkouts, prunable, remove

    older_than = parse_duration(args.older_than) if args.older_than else None
    max_size = parse_size(args.max_size) if args.max_size else None
    cache = AssetCache()
    plan = cache.plan_prune(older_than=older_than, max_size=max_size)
    old = prunable(cached_checkouts(cache.root), older_than) if older_than is not None else []
    verb = "would remove" if args.dry_run else "removed"
    freed = plan.size_before - plan.size_after
    summary = (
        f"{len(plan.blobs)} blob(s), {human_size(freed)}, and {len(plan.partials)} unfinished download(s)"
    ) + (f", and {len(old)} hub snapshot(s) or zoo checkout(s), "
         f"{human_size(sum(c.size for c in old))}" if old else "")
    if not plan.blobs and not plan.partials and not old:
        out(shown(f"nothing to prune ({human_size(plan.size_before)} in {cache.root})"))
        return 0
    if not args.dry_run:
        if not _confirm(args, f"Remove {summary}?"):
            err("nothing removed")
            return 1
        cache.prune(plan)
        for checkout in old:
            remove(checkout)
    for entry in plan.blobs:
        out(shown(f"{verb} {_describe(entry)}"))
    for part in plan.partials:
        out(shown(f"{verb} unfinished {part.name}"))
    for checkout in old:
        out(shown(f"{verb} {checkout.key}  {human_size(checkout.size):>10}  {checkout.owner}"))
    remain = "would remain" if args.dry_run else "remain"
    out(shown(f"{verb} {summary}; {human_size(plan.size_after)} {remain}"))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from ..cache.asset_cache import AssetCache

    cache = AssetCache()
    checked, corrupt = cache.verify(remove=not args.dry_run)
    for found in corrupt:
        entry = found.entry
        cards = ", ".join(entry.cards) or "no card"
        action = "" if args.dry_run else "; removed"
        out(shown(
            f"corrupt {entry.path} ({cards}): expected sha256 {entry.sha256} and "
            f"{entry.size} bytes, found {found.actual.sha256} and {found.actual.size} bytes"
            f"{action}"
        ))
    state = f"{len(corrupt)} corrupt" if corrupt else "all good"
    out(shown(f"checked {checked} blob{'s' if checked != 1 else ''} in {cache.root}: {state}"))
    return 1 if corrupt else 0
