"""``hub-plugin download NAME...``: fetch and verify the assets of cards, print their paths.

Stdout gets one line per verified asset, its local path (so ``$(hub-plugin download x)`` works);
progress (a bar with bytes, speed and time left) and warnings go to stderr, and the bar only when
stderr is a terminal. Every name is resolved before anything is downloaded, so a typo fails fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from .global_options import settings_of
from .lock import add_locked_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "download",
        help="download and verify the assets of cards; print their local paths",
        description="Download the assets (checkpoints) the cards NAME name, check each sha256, "
        "keep them in the cache (HUB_PLUGIN_HOME) and print the path of each, one per line.",
    )
    parser.add_argument("names", nargs="+", metavar="NAME", help="a card, UID or model package")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="make no network connection: serve the cache or fail (also HUB_PLUGIN_OFFLINE=1)",
    )
    parser.add_argument(
        "--allow-http",
        action="store_true",
        help="accept plain http:// links to remote hosts (loopback is always accepted)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="give up on a silent server after SECONDS (connect and each read; default 10 and 60)",
    )
    parser.add_argument(
        "--tries",
        type=int,
        metavar="N",
        help="requests per asset before giving up, counting from the last progress (default 5)",
    )
    add_locked_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from ..checkpoints.check import check_fetched
    from ..core.console import err, out, shown
    from ..core.http import TransferPolicy
    from ..core.progress import RichProgress, SilentProgress, wants_progress_bar
    from ..downloads.fetch import fetch_manifest
    from ..hubs.sync import registry_with_hubs

    policy = TransferPolicy().with_options(args.timeout, args.tries)
    settings = settings_of(args)  # --offline and --allow-http in them
    registry = registry_with_hubs(args.registry, settings=settings)
    pins: dict[str, dict[str, str] | None] = {name: None for name in args.names}
    if args.locked is not None:  # every name checked against the lock before any download,
        from ..lock.verify import locked_load  # its card read at its hub's locked commit

        held = {name: locked_load(name, args.locked, settings, builds=False, registry=registry)
                for name in args.names}
        manifests = [held[name].registry.resolve(name) for name in args.names]
        pins = {name: held[name].pins for name in args.names}
    else:
        manifests = [registry.resolve(name) for name in args.names]
    bar = RichProgress() if wants_progress_bar() else None
    with bar if bar is not None else nullcontext():
        for name, manifest in zip(args.names, manifests, strict=True):
            if not manifest.assets:
                err(f"hub-plugin: note: {shown(manifest.name)} names no assets")
                continue
            fetched = fetch_manifest(
                manifest,
                settings=settings,
                locked=pins[name],
                policy=policy,
                progress=bar or SilentProgress(),
                retry_command=f"hub-plugin download {name}",
                on_wait=lambda message: err(f"hub-plugin: {message}"),
            )
            check_fetched(fetched)  # a .ckpt must parse, whatever its digest (issue 29)
            for item in fetched:
                if item.weak_check:
                    err(
                        f"hub-plugin: warning: {shown(manifest.name)}: the card gives only "
                        f"{len(item.asset.sha256)} of 64 sha256 digits for "
                        f"{shown(item.asset.file_name)}; the check is weak (full sha256: {item.sha256})"
                    )
                out(shown(item.path), flush=True)
    return 0
