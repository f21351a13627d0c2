"""``hub-plugin trust ls|add|rm``: see, give and revoke trust in code from outside the bundled
registry (the store is ``trusted.json`` in the config folder, ``HUB_PLUGIN_CONFIG``; see
:mod:`hub_plugin.trust.gate`).

``add NAME`` shows what will run (every file the trust covers, with its sha256, and the digest)
and records trust without asking: the way for CI to trust a package ahead of ``load``/``train``,
besides ``--trust`` on each run. ``add URL --commit SHA`` trusts a repository of model-zoo code at a
commit. ``rm NAME`` removes the entries a name, a package folder or a repository URL names;
``rm --all`` removes every one. None of these imports MindSpore or runs any of the code.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.console import markup_text, out, out_data, shown, table_console
from ..errors import UsageError
from .global_options import settings_of

if TYPE_CHECKING:
    from ..trust.store import TrustEntry, TrustStore


def register(subparsers: Any) -> None:
    trust = subparsers.add_parser(
        "trust",
        help="list, add and remove trusted model packages and repositories",
        description="Code from outside the bundled registry runs only once trusted. Trust is "
        "kept in the config folder's trusted.json (HUB_PLUGIN_CONFIG, by default "
        "~/.config/hub-plugin), with the digest of every file of a package that can run (or a "
        "repository's commit); a change is asked about again.",
    )
    commands = trust.add_subparsers(dest="trust_command", metavar="ACTION")
    commands.required = True

    ls = commands.add_parser("ls", help="list what is trusted: folder or URL, when, digest or commit")
    ls.add_argument("--format", choices=("table", "json"), default="table",
                    help="a table for people (default) or JSON for scripts")
    ls.set_defaults(run=run_ls)

    add = commands.add_parser(
        "add", help="show what a model package runs, then trust it (no question: for CI)",
        description="Show every file of the model package NAME that trust covers, with its "
        "sha256 and the package's digest, and record trust in it. With a repository URL and "
        "--commit, trust that repository's code at that commit.",
    )
    add.add_argument("name", metavar="NAME|URL", help="a model package name, or a repository URL")
    add.add_argument("--commit", metavar="SHA", help="the commit to trust (for a repository URL)")
    add.add_argument("--format", choices=("text", "json"), default="text")
    add.set_defaults(run=run_add)

    rm = commands.add_parser("rm", help="stop trusting a package or repository (or --all)")
    rm.add_argument("name", nargs="?", metavar="NAME|FOLDER|URL",
                    help="a name as 'trust ls' shows it, a package folder or a repository URL")
    rm.add_argument("--all", action="store_true", help="remove every entry")
    rm.set_defaults(run=run_rm)


def _when(stamp: str) -> str:
    return stamp.replace("T", " ").replace("Z", "") if stamp else "-"


def _row(entry: TrustEntry) -> dict[str, Any]:
    from ..trust.store import PackageTrust

    if isinstance(entry, PackageTrust):
        return {
            "kind": "package", "name": entry.name, "folder": entry.folder, "source": entry.source,
            "trusted-at": entry.trusted_at, "digest": entry.digest, "files": len(entry.files),
        }
    return {
        "kind": "repository", "name": entry.name, "url": entry.url, "source": entry.source,
        "trusted-at": entry.trusted_at, "commit": entry.commit,
    }


def run_ls(args: argparse.Namespace) -> int:
    from ..trust.store import PackageTrust, TrustStore

    store = TrustStore(settings_of(args).config)
    entries = store.entries()
    if args.format == "json":
        out_data(json.dumps({"store": str(store.path), "entries": [_row(e) for e in entries]},
                         indent=2, ensure_ascii=False))
        return 0
    if not entries:
        out(f"nothing trusted beyond the bundled registry ({shown(store.path)} holds no entries)")
        return 0
    from rich.table import Table

    table = Table(title=f"trusted code, in {markup_text(store.path)} (the bundled registry is always "
                  "trusted)")
    for column in ("kind", "name", "folder or URL", "trusted at (UTC)", "digest or commit"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        if isinstance(entry, PackageTrust):
            what = f"{entry.digest[:16]} ({len(entry.files)} files)"
            table.add_row("package", markup_text(entry.name), markup_text(entry.folder),
                          _when(entry.trusted_at), what)
        else:
            table.add_row("repository", markup_text(entry.name or "-"), markup_text(entry.url),
                          _when(entry.trusted_at), markup_text(entry.commit))
    table_console().print(table)
    return 0


def run_add(args: argparse.Namespace) -> int:
    from ..trust.store import TrustStore, looks_like_url

    store = TrustStore(settings_of(args).config)
    if looks_like_url(args.name):
        if not args.commit:
            raise UsageError(
                f"trusting the repository {args.name} needs the commit whose code will run",
                hint="pass --commit SHA",
            )
        commit = _full_commit(args.name, args.commit, settings_of(args).home)
        entry = store.trust_repository(args.name, commit, source="trust add")
        if args.format == "json":
            out_data(json.dumps(_row(entry), indent=2))
        else:
            out(f"trusted: the repository {shown(entry.url)} at commit {shown(entry.commit)}")
        return 0
    if args.commit:
        raise UsageError("--commit is for a repository URL, not a model package")
    return _add_package(args, store)


def _full_commit(url: str, commit: str, home: Path) -> str:
    """``commit`` in full: as given, or a short id resolved once against the checkouts of ``url``
    in the zoo cache under ``home`` (exactly one must match); anything else is refused, never
    stored as a prefix."""
    from ..cards.repo_link import is_full_commit
    from ..zoo.checkout import ZOO_FOLDER, repository_key

    given = commit.strip().lower()
    if is_full_commit(given):
        return given
    folder = home / ZOO_FOLDER / repository_key(url)
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and is_full_commit(p.name)
                   and p.name.startswith(given)) if folder.is_dir() and given else []
    if len(given) >= 7 and all(c in "0123456789abcdef" for c in given) and len(found) == 1:
        out(f"{shown(given)} is the commit {found[0]} (the checkout in the zoo cache)")
        return found[0]
    raise UsageError(
        f"{commit!r} is not a full commit id of {url}"
        + (f" ({len(found)} cached checkouts start with it)" if len(found) > 1 else ""),
        hint="give all 40 hex digits: a short id would trust every commit that shares its digits",
    )


def _add_package(args: argparse.Namespace, store: TrustStore) -> int:
    from ..registry.registry import Registry
    from ..trust.code_digest import describe_changes, package_digest

    package = Registry.open(args.registry).package(args.name)
    code = package_digest(package)
    if package.root.trusted:
        out(f"{shown(package.name)} ({shown(package.path)}) is in the bundled registry, which is "
            "always trusted: nothing to record")
        return 0
    before = store.package_entry(package.path)
    entry = store.trust_package(
        package.path, name=package.name, source=package.root.source, digest=code.digest,
        files=code.files,
    )
    if args.format == "json":
        row = _row(entry)
        row["files"] = dict(code.files)
        out_data(json.dumps(row, indent=2, ensure_ascii=False))
        return 0
    out(f"the model package {shown(package.name)} at {shown(package.path)} (from "
        f"{shown(package.root.source)}) runs these {len(code.files)} files, under {shown(code.scope)}:")
    for path in sorted(code.files):
        out(f"  {code.files[path][:16]}  {shown(path)}")
    out(f"digest: {code.digest}")
    if before is not None and before.digest != code.digest:
        change = describe_changes(before.files, code.files)
        out(f"since the trust of {_when(before.trusted_at)}: {change}")
    out(f"trusted: {shown(package.name)} (revoke with 'hub-plugin trust rm {shown(package.name)}')")
    return 0


def run_rm(args: argparse.Namespace) -> int:
    from ..trust.store import TrustStore

    if bool(args.name) == bool(args.all):
        raise UsageError("trust rm wants a NAME (or folder, or URL) or --all, not both or neither")
    store = TrustStore(settings_of(args).config)
    removed = store.forget_all() if args.all else store.forget_named(args.name)
    if not removed and not args.all:
        raise UsageError(
            f"nothing trusted is called {args.name!r}",
            hint="'hub-plugin trust ls' lists what is trusted",
        )
    for entry in removed:
        out(f"no longer trusted: {entry.kind} {shown(entry.name or '-')} ({shown(entry.key)})")
    if not removed:
        out("nothing was trusted")
    return 0
