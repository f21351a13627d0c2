"""``hub-plugin lock NAME...``: pin everything a load of each name uses in a lock file (issue 29).

``lock NAME... [--output hub-plugin.lock]`` writes the file (:mod:`hub_plugin.lock`); ``--upgrade
[NAME...]`` rewrites those entries (every entry without names) and keeps the others; ``--check``
compares the file with what the hubs serve now and exits 1, one line per difference, when they
differ (for CI). Downloads made to learn full digests are said on stderr. ``--locked [FILE]`` on
``load``, ``export``, ``download`` and ``info`` uses the file (:func:`add_locked_option`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .global_options import settings_of

DEFAULT = "hub-plugin.lock"


def add_locked_option(parser: argparse.ArgumentParser) -> None:
    """``--locked [FILE]``: use exactly what the lock file pins; stop at any difference."""
    parser.add_argument(
        "--locked", nargs="?", const=DEFAULT, default=None, metavar="FILE",
        help="use exactly what the lock file (default hub-plugin.lock) pins: the card's bytes, "
        "the code, every asset's full sha256; any difference stops with one line",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lock", help="pin the cards, code, assets and versions a load uses in a lock file",
        description="Resolve each NAME completely (hub commit, card sha256, route and code digest, "
        "zoo commit, every asset's full sha256 and size, versions) and write a TOML lock file that "
        "load/export/download/info --locked then hold to.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="a card, UID or model package")
    parser.add_argument("--output", "-o", default=DEFAULT, metavar="FILE",
                        help="the lock file (default hub-plugin.lock)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--upgrade", action="store_true",
                      help="rewrite the entries of NAME... (every entry without names), keep the rest")
    mode.add_argument("--check", action="store_true",
                      help="exit 1 when the lock file no longer matches what the hubs serve")
    parser.add_argument("--offline", action="store_true", default=None,
                        help="no network connection: what the cache holds only")
    parser.add_argument("--allow-http", action="store_true",
                        help="follow plain http:// asset links to hosts other than loopback")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.console import err, out, shown
    from ..errors import UsageError
    from ..lock.writing import check_lock, lock_models

    settings = settings_of(args)
    output = Path(args.output)

    def say(line: str) -> None:
        err(f"hub-plugin: {shown(line)}")

    if args.check:
        if args.names:
            raise UsageError("lock --check takes no NAME: it checks every entry of the file")
        found = check_lock(output, settings, say=say)
        for line in found:
            out(shown(line))
        if found:
            err(f"hub-plugin: {output} no longer matches what is served; update it with: "
                "hub-plugin lock --upgrade NAME")
            return 1
        err(f"hub-plugin: {output} matches what is served")
        return 0
    if not args.names and not args.upgrade:
        raise UsageError("lock wants at least one NAME (or --upgrade, or --check)")
    lock = lock_models(args.names, settings, output, say=say, upgrade=args.upgrade)
    err(f"hub-plugin: wrote {shown(output)} ({len(lock.models)} model{'s' if len(lock.models) != 1 else ''})")
    return 0
