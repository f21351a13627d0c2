"""``hub-plugin list`` and ``hub-plugin info NAME``: what the registry holds, as tables or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.console import markup_text as m
from ..core.console import out_data, table_console
from .global_options import settings_of
from .lock import add_locked_option

if TYPE_CHECKING:  # the registry is opened when a listing runs, not when the parser is built
    from ..cards.manifest import Manifest
    from ..registry.entries import CardEntry


def register(subparsers: Any) -> None:
    listing = subparsers.add_parser(
        "list", help="list the cards of every registry, or of a hub (--hub)",
        description="List the cards of the bundled registry, --registry folders, "
        "HUB_PLUGIN_REGISTRY and installed plugins; with --hub NAME, the cards of that hub's "
        "snapshot (synced on first use).",
    )
    listing.add_argument("--format", choices=("table", "json"), default="table",
                         help="a table for people (default) or JSON for scripts")
    listing.add_argument("--hub", metavar="NAME", help="list the cards of the hub NAME instead")
    listing.add_argument("--version", dest="hub_version", metavar="V",
                         help="with --hub: only the cards of version V (the UID's version, 1.8)")
    listing.add_argument("--filter", dest="hub_filter", metavar="TEXT",
                         help="with --hub: only the cards whose UID, name or summary holds TEXT")
    listing.add_argument("--offline", action="store_true",
                         help="make no network connection: a hub that was never synced is an error "
                         "(same as HUB_PLUGIN_OFFLINE=1)")
    listing.set_defaults(run=run_list)

    info = subparsers.add_parser(
        "info", help="show one card: its fields, metrics, assets and network",
        description="Show the card NAME addresses: a file stem, a UID publisher/version/stem, a "
        "model package's name, or a path to a card.",
    )
    info.add_argument("name", metavar="NAME",
                      help="a card's file stem, a hub UID (mindspore/1.8/alexnet_cifar10), a "
                      "MindSpore Hub card URL, a model package's name, or a path to a card")
    info.add_argument("--format", choices=("table", "json"), default="table",
                      help="a table for people (default) or JSON for scripts")
    info.add_argument("--offline", action="store_true",
                      help="make no network connection: a hub that was never synced is an error "
                      "(same as HUB_PLUGIN_OFFLINE=1)")
    info.add_argument("--refresh", action="store_true",
                      help="sync the hub that answers a UID again first, if it follows a branch")
    add_locked_option(info)
    info.set_defaults(run=run_info)


def _entry_json(entry: CardEntry, manifest: Manifest | None, errors: list[str]) -> dict[str, Any]:
    return {
        "name": entry.name,
        "uid": entry.uid,
        "package": entry.package,
        "path": str(entry.path),
        "source": entry.root.source,
        "valid": manifest is not None,
        "errors": errors,
        "fields": manifest.to_card_dict() if manifest else None,
    }


def run_list(args: argparse.Namespace) -> int:
    from ..validation.validator import validate_file

    if args.hub is not None:
        from .hub_listing import list_hub

        return list_hub(args)
    if args.hub_version is not None or args.hub_filter is not None:
        from ..errors import UsageError

        raise UsageError("--version and --filter go with --hub NAME")
    from ..registry.registry import Registry

    registry = Registry.open(args.registry)
    rows = []
    for entry in registry.cards():
        report = validate_file(entry.path, registry.profile)
        rows.append((entry, report.manifest, [str(e) for e in report.errors]))
    if args.format == "json":
        out_data(json.dumps([_entry_json(*row) for row in rows], indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table

    table = Table(title=f"{len(rows)} model card{'s' if len(rows) != 1 else ''}")
    for column in ("name", "package", "module type", "backbone", "version", "evaluation",
                   "assets", "source"):
        table.add_column(column, overflow="fold")
    for entry, manifest, errors in rows:
        if manifest is None:
            table.add_row(m(entry.address), m(entry.package or ""), "[red]invalid card[/red]", "", "",
                          m(errors[0] if errors else ""), "", m(entry.root.source))
            continue
        table.add_row(
            m(entry.address), m(entry.package or ""), m(manifest.module_type), m(manifest.backbone),
            m(manifest.model_version), m(manifest.fields.get("evaluation", "")),
            str(len(manifest.assets)), m(entry.root.source),
        )
    table_console().print(table)
    return 0


def _network_info(route: Any) -> dict[str, Any] | None:
    """The package, hubconf entry and dependencies that build this card's network (its own
    package's, or the package that serves it: ``route``)."""
    if route.package is None:
        return None
    from ..packages.hubconf_reader import read_offer

    package = route.package
    settings = route.settings
    offer = read_offer(package.hubconf)
    return {
        "package": package.name,
        "path": str(package.path),
        "default-card": package.default_card,
        "network": route.network,
        "library": route.rule.library if route.rule is not None else None,
        "requires": list(settings.get("requires") or []),
        "entries": [{"name": e.name, "summary": e.summary} for e in offer.networks],
        "entry-points": [e.name for e in offer.hooks],
    }


def _zoo_info(manifest: Manifest, home: Path) -> dict[str, Any] | None:
    """Where the zoo code of a card without a package lives, read from its ``repo-link``, and
    the config load would hand it (when the folder is in the zoo cache; nothing is fetched,
    nothing runs)."""
    from ..cards.repo_link import parse_repo_link
    from ..errors import RepoLinkError

    if not manifest.repo_link:
        return None
    try:
        link = parse_repo_link(manifest.repo_link)
    except RepoLinkError:
        return None
    return {"repository": link.repository, "ref": link.ref, "folder": link.folder,
            "config": _cached_zoo_config(link, manifest, home)}


def _cached_zoo_config(link: Any, manifest: Manifest, home: Path) -> str | None:
    """The zoo config load would choose on the CPU, if the folder is cached under ``home`` (the
    command's cache); else None."""
    from ..errors import HubPluginError, YamlError
    from ..git.transport import GitTransport
    from ..zoo.checkout import ZooCache, repository_key
    from ..zoo.config_choice import choose_config

    cache = ZooCache(home)
    if not (cache.root / repository_key(link.repository)).is_dir():
        return None  # never fetched (and looking must not make its folder)
    try:
        folder = cache.folder(link, GitTransport(offline=True))
        stem = (manifest.uid or manifest.name).rsplit("/", 1)[-1]
        config = choose_config(folder.path, dict(manifest.fields), stem, "cpu")
    except YamlError as error:
        return f"none readable ({error})"
    except HubPluginError:
        return None
    return f"{config.relative} ({config.reason})" if config else "the folder's own (no YAML configs)"


def run_info(args: argparse.Namespace) -> int:
    from ..hubs.sync import registry_with_hubs

    settings = settings_of(args)  # --refresh in them
    registry = registry_with_hubs(args.registry, settings=settings)
    if args.locked is not None:  # the card as locked, at its hub's locked commit
        from ..lock.verify import locked_load

        registry = locked_load(args.name, args.locked, settings, builds=False,
                               registry=registry).registry
    entry = registry.find(args.name)
    manifest = registry.read(entry)
    hub = entry.root.hub
    origin = ({"hub": hub.hub, "url": hub.url, "ref": hub.ref, "commit": hub.commit,
               "date": hub.date} if hub is not None else None)
    from ..registry.routes import route_for

    route = route_for(registry, manifest)
    network = _network_info(route)
    zoo = _zoo_info(manifest, settings.home) if network is None else None
    route_json = {"kind": route.kind, "reason": route.reason}
    metrics = [{"name": m.name, "value": m.value} for m in manifest.evaluation]
    assets = [
        {"file-format": a.file_format, "link": a.link, "sha256": a.sha256,
         "digest-prefix": a.is_digest_prefix}
        for a in manifest.assets
    ]
    if args.format == "json":
        out_data(json.dumps({
            "name": manifest.name, "uid": manifest.uid, "path": manifest.path,
            "fields": manifest.to_card_dict(), "metrics": metrics, "assets": assets,
            "network": network, "origin": origin, "zoo": zoo, "route": route_json,
        }, indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table

    console = table_console()
    fields = Table(title=m(manifest.name) + (f"  ({m(manifest.uid)})" if manifest.uid else ""))
    fields.add_column("field")
    fields.add_column("value", overflow="fold")
    fields.add_column("at", style="dim")
    for key, value in manifest.fields.items():
        if key == "asset":
            continue
        position = manifest.position(f"/{key}")
        fields.add_row(m(key), m(value), m(position) if position else "")
    console.print(fields)
    console.print(f"card: {m(manifest.path)}", soft_wrap=True)  # a caption would wrap at the table's width
    if hub is not None:
        console.print(f"from the hub [bold]{m(hub.hub)}[/bold]: {m(hub.url)} {m(hub.ref)} at commit "
                      f"{m(hub.commit)} ({m(hub.date)})", soft_wrap=True)
    if metrics:
        console.print("evaluation: " + ", ".join(f"{m(metric['name'])} = {m(metric['value'])}"
                                                 for metric in metrics))
    table = Table(title="assets")
    for column in ("format", "link", "sha256"):
        table.add_column(column, overflow="fold")
    for asset in manifest.assets:
        digest = asset.sha256 + (" (prefix: weak check)" if asset.is_digest_prefix else "")
        table.add_row(m(asset.file_format), m(asset.link), m(digest))
    console.print(table)
    console.print(f"route: [bold]{m(route.kind)}[/bold]: {m(route.reason)}", soft_wrap=True)
    if network:
        console.print(
            f"model package [bold]{m(network['package'])}[/bold] ({m(network['path'])}); "
            f"this card builds [bold]{m(network['network'] or '?')}[/bold]"
            + (f", needing {m(', '.join(network['requires']))}" if network["requires"] else "")
        )
        for entry in network["entries"]:
            console.print(f"  [cyan]{m(entry['name'])}[/cyan]: {m(entry['summary'])}")
    elif zoo is not None:
        console.print(f"built by the model zoo's code: {m(zoo['repository'])} at {m(zoo['ref'])}, "
                      f"folder {m(zoo['folder'] or '/')} (fetched and trusted on first load)",
                      soft_wrap=True)
        console.print(f"zoo config: {m(zoo['config'] or 'chosen when the folder is first loaded')}",
                      soft_wrap=True)
    return 0
