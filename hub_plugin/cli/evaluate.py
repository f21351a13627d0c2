"""``hub-plugin eval NAME``: run a model package's evaluation entry point (e.g. a linear probe)."""

from __future__ import annotations

import argparse
from typing import Any

from ..packages.contract import TASKS
from .tasks import add_task_parser, run_task


def register(subparsers: Any) -> None:
    parser = add_task_parser(
        subparsers, "eval",
        help="evaluate a model package's network (e.g. SimCLR linear evaluation)",
        description="Evaluate with NAME's evaluation entry point.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_task(args, "eval", TASKS["eval"])
