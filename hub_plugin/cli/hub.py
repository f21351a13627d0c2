"""``hub-plugin hub ls|add|update|rm``: the hubs whose cards are found by UID.

A hub is a git repository, a ref and a folder of cards (see :mod:`hub_plugin.hubs.store`);
``update`` fetches its card folder as a shallow, partial, sparse clone and switches to the new
snapshot only once it is complete. None of these commands imports MindSpore.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..core.console import error_line, out, out_data, shown
from .global_options import settings_of


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hub", help="the hubs cards are synced from: ls, add, update, rm",
        description="Manage the hubs (git repositories of cards) whose cards are found by UID, "
        "such as mindspore/1.8/alexnet_cifar10. Settings live in the config folder "
        "(HUB_PLUGIN_CONFIG), snapshots in the cache (HUB_PLUGIN_HOME).",
    )
    actions = parser.add_subparsers(dest="hub_command", metavar="ACTION")
    actions.required = True

    ls = actions.add_parser("ls", help="each hub: URL, ref, synced commit and date, cards")
    ls.add_argument("--format", choices=("table", "json"), default="table",
                    help="a table for people (default) or JSON for scripts")
    ls.set_defaults(run=run_ls)

    add = actions.add_parser("add", help="add a hub (or change one's URL, ref or folder)")
    add.add_argument("name", metavar="NAME",
                     help="what to call the hub: lower-case letters, digits, '.', '_', '-'")
    add.add_argument("url", metavar="URL", help="the git repository (https://, or a local path)")
    add.add_argument("--ref", default="master",
                     help="a branch, a tag or a commit id (a commit pins the hub; a short id is "
                     "resolved to the full one now; default master)")
    add.add_argument("--path", default="", metavar="FOLDER",
                     help="the folder of cards in the repository (default: mshub_res/assets when "
                     "the repository is laid out like MindSpore Hub, found at the first sync; "
                     "else its root)")
    add.set_defaults(run=run_add)

    update = actions.add_parser("update", help="sync a hub's cards (every hub without NAME)")
    update.add_argument("name", nargs="?", metavar="NAME",
                        help="the hub to sync (as 'hub ls' names it); every hub without it")
    update.add_argument("--refresh", action="store_true",
                        help="also forget where the zoo code's branch refs pointed, so that the "
                        "next load asks again (pinned commits are kept)")
    update.add_argument("--allow-http", action="store_true",
                        help="accept plain http:// and git:// repositories on hosts other than loopback")
    update.set_defaults(run=run_update)

    rm = actions.add_parser("rm", help="forget a hub and delete its snapshots")
    rm.add_argument("name", metavar="NAME", help="the hub to forget (as 'hub ls' names it)")
    rm.set_defaults(run=run_rm)


def run_ls(args: argparse.Namespace) -> int:
    import json

    from ..hubs.sync import hub_store

    rows: list[dict[str, Any]] = []
    for spec, snapshot in hub_store(settings_of(args)).snapshots():
        rows.append({
            "name": spec.name, "url": spec.url, "ref": spec.ref, "path": spec.path,
            "builtin": spec.builtin,
            "commit": snapshot.commit if snapshot else None,
            "date": snapshot.date if snapshot else None,
            "synced-at": snapshot.synced_at if snapshot else None,
            "cards": len(snapshot.index()) if snapshot else None,
        })
    if args.format == "json":
        out_data(json.dumps(rows, indent=2))
        return 0
    if not rows:
        out("no hubs (add one with: hub-plugin hub add NAME URL)")
    for row in rows:
        where = f"{shown(row['url'])} {shown(row['ref'])}"
        where += f" {shown(row['path'])}/" if row["path"] else ""
        state = (f"{row['commit'][:12]} ({shown(row['date'])}), {row['cards']} cards" if row["commit"]
                 else "not synced (hub-plugin hub update " + shown(row["name"]) + ")")
        out(f"{shown(row['name'])}\t{where}\t{state}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from ..cards.repo_link import is_full_commit, ref_problem
    from ..core.contained_path import relative_folder
    from ..errors import UsageError
    from ..git.transport import GitTransport, git_url_allowed
    from ..hubs.store import HubSpec
    from ..hubs.sync import full_ref, hub_store

    git_url_allowed(args.url, allow_http=True)  # the scheme must be one git may use at all
    path = relative_folder(args.path.strip("/"), what="the hub's --path")  # inside the checkout
    ref = args.ref.strip()
    why = None if is_full_commit(ref) else ref_problem(ref)  # the repo-link parser's ref rules
    if why:
        raise UsageError(f"--ref {ref!r} is not a branch, a tag or a commit id: {why}",
                         hint="give a branch or tag name, or a commit id (git rev-parse HEAD)")
    settings = settings_of(args)
    transport = GitTransport.from_settings(settings.with_options(allow_http=True))
    spec = HubSpec(args.name, args.url, full_ref(transport, args.url, ref), path)
    hub_store(settings).add(spec)
    folder = (f" {shown(spec.path)}/" if spec.path else
              " (cards: mshub_res/assets/ if the repository is laid out like MindSpore Hub, "
              "else its root)")
    out(f"added the hub {spec.name!r}: {shown(spec.url)} {shown(spec.ref)}{folder}"
        f" (sync it: hub-plugin hub update {shown(spec.name)})")
    return 0


def run_update(args: argparse.Namespace) -> int:
    """Sync the hub NAME, or every hub (one failing does not stop the others; exit 1 if any)."""

    from ..errors import HubPluginError
    from ..git.transport import GitTransport
    from ..hubs.sync import hub_store, sync_hub

    settings = settings_of(args)
    store = hub_store(settings)
    specs = [store.hub(args.name)] if args.name else store.hubs()
    transport = GitTransport.from_settings(settings)
    failed = 0
    for spec in specs:
        before = store.snapshot(spec.name)
        try:
            snapshot = sync_hub(store, spec, transport)
        except HubPluginError as error:
            if args.name or args.debug:
                raise
            error_line(f"{spec.name}: {error}")
            failed = max(failed, error.exit_code)
            continue
        change = ("unchanged" if before and before.commit == snapshot.commit
                  else f"was {before.commit[:12]}" if before else "first sync")
        out(f"{shown(spec.name)}: {snapshot.commit[:12]} ({shown(snapshot.date)}), "
            f"{len(snapshot.index())} cards ({change})")
    if args.refresh:
        from ..zoo.checkout import ZooCache

        count = ZooCache(settings.home).forget_branch_refs()
        out(f"zoo code: {count} branch ref{'s' if count != 1 else ''} forgotten; the next load "
            "resolves them again")
    return failed


def run_rm(args: argparse.Namespace) -> int:
    from ..hubs.sync import hub_store

    hub_store(settings_of(args)).remove(args.name)
    out(f"removed the hub {args.name!r}")
    return 0
