"""``hub-plugin train NAME``: run a model package's training entry point.

One process by default; ``--workers N`` runs N data-parallel workers through MindSpore's ``msrun``
(see :mod:`hub_plugin.packages.launch`), and ``--nodes``, ``--node-rank``, ``--master-addr``,
``--master-port`` spread them over several machines. Every other option belongs to the package.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..packages.contract import TASKS
from ..packages.launch import (
    DEFAULT_MASTER_ADDR,
    DEFAULT_MASTER_PORT,
    LaunchPlan,
    launch,
    launched_by_msrun,
    terminate_as_interrupt,
)
from .tasks import OptionsParser, add_task_parser, asks_for_help, prepare, require_mindspore, show


def register(subparsers: Any) -> None:
    parser = add_task_parser(
        subparsers, "train",
        help="train a model package's network (e.g. SimCLR pre-training)",
        description="Train with NAME's training entry point; --workers N runs data-parallel "
        "through msrun.",
    )
    parser.set_defaults(run=run)


def launch_parser(name: str = "NAME") -> argparse.ArgumentParser:
    """The launch options, which the command line handles itself (a mistake is one line naming
    ``hub-plugin train NAME --help``)."""
    parser = OptionsParser(prog=f"hub-plugin train {name}", add_help=False, allow_abbrev=False)
    parser.add_argument("--workers", type=int, default=1,
                        help="data-parallel workers on this machine (msrun when more than one)")
    parser.add_argument("--nodes", type=int, default=1, help="machines taking part (msrun)")
    parser.add_argument("--node-rank", type=int, default=0, help="this machine's rank (msrun)")
    parser.add_argument("--master-addr", default=DEFAULT_MASTER_ADDR,
                        help="the scheduler machine's address (msrun)")
    parser.add_argument("--master-port", type=int, default=DEFAULT_MASTER_PORT,
                        help="the scheduler's port (msrun)")
    parser.add_argument("--launch-log-dir", type=Path, default=None,
                        help="where msrun keeps each worker's log (default: a new temporary folder)")
    return parser


def run(args: argparse.Namespace) -> int:
    if not asks_for_help(args.options):
        require_mindspore("train")
    launch_options, options = launch_parser(args.name).parse_known_args(args.options)
    plan = LaunchPlan(
        workers=launch_options.workers,
        nodes=launch_options.nodes,
        node_rank=launch_options.node_rank,
        master_addr=launch_options.master_addr,
        master_port=launch_options.master_port,
        log_dir=launch_options.launch_log_dir,
    )
    if "-h" in options or "--help" in options:
        parser = _help_parser(args, options)
        parser.print_help()
        return 0
    entry, overrides, output_format = prepare(args, "train", TASKS["train"], options)
    if plan.needs_msrun and not launched_by_msrun():
        passed: list[str] = ["--debug"] if args.debug else []
        for folder in args.registry:
            passed += ["--registry", str(Path(folder).resolve())]
        return launch(plan, [*passed, "train", args.name, *options])
    with terminate_as_interrupt():  # a data worker's SIGTERM on Ctrl-C: one line, exit 130
        result = entry(overrides)
    return show(result, output_format)


def _help_parser(args: argparse.Namespace, options: list[str]) -> argparse.ArgumentParser:
    from ..packages.loading import hubconf_entry
    from .tasks import options_parser, package_hubconf

    package, hubconf = package_hubconf(args, options)
    hubconf_entry(package, hubconf, TASKS["train"])
    parser = options_parser("train", TASKS["train"], package.name, hubconf)
    group = parser.add_argument_group("data-parallel launch (msrun)")
    for action in launch_parser()._actions:
        group._add_action(action)
    return parser
