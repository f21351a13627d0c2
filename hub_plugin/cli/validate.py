"""``hub-plugin validate PATH...``: check cards, for people and for a hub's CI.

``--changed-since REF`` checks only the cards that differ from a git ref (what a pull-request gate
runs); a hub's layout (``mshub_res/assets/``) and ``--include``/``--exclude`` globs say which
files are cards (:mod:`hub_plugin.validation.selection`); ``--check-links`` asks
for every link and ``--verify-assets`` compares every link with its asset's verified bytes (see
:mod:`hub_plugin.validation.remote_checks`); ``--check-weights`` checks each card's checkpoints
against its network's parameters (:mod:`hub_plugin.packages.weights_check`). Formats: ``text``, ``json``,
``github`` (annotations, errors first, and every finding in ``$GITHUB_STEP_SUMMARY``:
:mod:`hub_plugin.validation.step_summary`) and ``sarif`` (:mod:`hub_plugin.validation.output`).

Exit 0 when every card is valid, 1 when any is invalid, 2 on a usage error or a missing or
unreadable path (every other card is still reported), when no card is found where it looked (one
line naming what was searched; ``--allow-empty`` makes that a pass: a job whose paths may hold no
card; with ``--changed-since``, no changed card is a pass anyway), and when the network checks
find no network at all (:class:`~hub_plugin.errors.NoNetworkAccess`: the runner's failure, not
the cards').
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.console import error_line, out_data
from ..core.settings import OFFLINE_VARIABLE
from ..errors import UsageError
from ..validation.output import FORMATS
from .global_options import settings_of


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check model cards (files or folders) and report every defect",
        description="Check model cards and report every defect as path:line:column: rule: message.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="card files or folders, or hub UIDs (mindspore/1.8/alexnet_cifar10); "
                             "with --changed-since: where to look, default .")
    parser.add_argument(
        "--profile", choices=("strict", "mindspore-hub"), default="strict",
        help="strict (default): hub-plugin's rules; mindspore-hub: what MindSpore Hub accepts",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text",
        help="text (default), json (one object), github (GitHub Actions annotations), sarif (SARIF 2.1.0)",
    )
    parser.add_argument("--sarif-output", metavar="FILE",
                        help="also write the SARIF 2.1.0 log to FILE (with --format github: "
                             "annotations, step summary and code scanning from one run)")
    parser.add_argument("--changed-since", metavar="REF",
                        help="check only the cards that differ from git ref REF (e.g. origin/main)")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB",
                        help="check only files whose path (relative to the folder given) or name "
                             "matches GLOB; repeatable ('*' also crosses '/')")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="leave out files whose path or name matches GLOB; repeatable")
    parser.add_argument("--allow-empty", action="store_true",
                        help="finding no card is a pass (exit 0), not a usage error (exit 2)")
    checks = parser.add_argument_group("checks against the real files (network)")
    checks.add_argument("--check-links", action="store_true",
                        help="ask for every asset-link and repo-link; a dead one is an error")
    checks.add_argument("--verify-assets", action="store_true",
                        help="download every asset through the cache and compare its full sha256")
    checks.add_argument("--check-weights", action="store_true",
                        help="fetch each card's checkpoints (and its required cards') and check them "
                             "against the network's parameters: missing, extra, wrongly shaped")
    checks.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="requests at once in all (default 8)")
    checks.add_argument("--per-host", type=int, default=None, metavar="N",
                        help="requests at once to one host (default 8; matters when --jobs is raised)")
    checks.add_argument("--offline", action="store_true",
                        help="no network (also HUB_PLUGIN_OFFLINE=1): refused with the checks above")
    checks.add_argument("--allow-http", action="store_true",
                        help="accept plain http:// links to remote hosts (loopback is always accepted)")
    checks.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="give up on a silent server after SECONDS (default 10 to connect, 60 to read)")
    checks.add_argument("--tries", type=int, metavar="N",
                        help="requests per link before giving up (default 5)")
    parser.set_defaults(run=run)


def _remote_checks(args: argparse.Namespace) -> Any:
    """The :class:`RemoteChecks` the options ask for, or ``None``."""
    wanted = [flag for flag, on in (("--check-links", args.check_links),
                                    ("--verify-assets", args.verify_assets)) if on]
    if not wanted:
        return None  # before the imports: a plain validate never loads downloads, cache or git
    from ..core.http import TransferPolicy
    from ..validation.host_pool import DEFAULT_JOBS, DEFAULT_PER_HOST
    from ..validation.remote_checks import RemoteChecks

    if settings_of(args).offline:
        why = "--offline" if args.offline else OFFLINE_VARIABLE
        verb = "needs" if len(wanted) == 1 else "need"
        raise UsageError(f"{' and '.join(wanted)} {verb} the network, and {why} forbids it")
    policy = TransferPolicy().with_options(args.timeout, args.tries)
    jobs = DEFAULT_JOBS if args.jobs is None else args.jobs
    per_host = DEFAULT_PER_HOST if args.per_host is None else args.per_host
    if jobs < 1 or per_host < 1:
        raise UsageError("--jobs and --per-host must be at least 1")
    return RemoteChecks(check_links=args.check_links, verify_assets=args.verify_assets, policy=policy,
                        allow_http=args.allow_http, jobs=jobs, per_host=min(per_host, jobs))


def _card_path(path: str, args: argparse.Namespace) -> str:
    """``path`` itself, or, for a hub UID that is no path, the card file it names."""
    from pathlib import Path

    from ..hubs.lookup import is_uid

    if Path(path).exists() or not is_uid(path):
        return path
    from ..hubs.sync import registry_with_hubs

    return str(registry_with_hubs(getattr(args, "registry", ()), settings=settings_of(args))
               .find(path).path)


def run(args: argparse.Namespace) -> int:
    from ..validation.output import render
    from ..validation.validator import validate_paths

    checks = _remote_checks(args)
    deleted: tuple[Path, ...] = ()
    if args.changed_since is not None:
        from ..validation.changed_cards import changed_cards

        found = changed_cards(args.changed_since, args.paths)
        paths: list[str | Path] = list(found.changed)
        deleted = found.deleted
    elif not args.paths:
        raise UsageError("validate needs at least one PATH (or --changed-since REF)")
    else:
        paths = [_card_path(path, args) for path in args.paths]
    report = validate_paths(paths, args.profile, include=args.include, exclude=args.exclude,
                            allow_empty=args.allow_empty or args.changed_since is not None)
    if checks is not None:
        checks.run(report)
    if args.check_weights:
        from ..packages.weights_check import check_weights

        check_weights(report, settings_of(args),
                      policy=checks.policy if checks is not None else None)
    # render() made text and annotations safe; JSON and SARIF are data, written exactly
    out_data(render(report, args.format, deleted=deleted, changed_since=args.changed_since), flush=True)
    if args.sarif_output:
        from ..validation.output import sarif_text

        try:
            Path(args.sarif_output).write_text(
                sarif_text(report, deleted=deleted, changed_since=args.changed_since) + "\n",
                encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {args.sarif_output}: {error.strerror or error}") from error
    if args.format == "github":
        from ..validation.step_summary import write_step_summary

        try:
            write_step_summary(report, deleted=deleted, changed_since=args.changed_since)
        except OSError as error:  # the annotations are out; say so and keep the verdict
            error_line(f"cannot write the step summary: {error.strerror or error}", kind="warning")
    if any(d.rule == "read" for f in report.files for d in f.errors):
        return 2
    return 0 if report.valid else 1
