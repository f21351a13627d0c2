"""``hub-plugin predict NAME IMAGE...``: run a model package's prediction entry point on images.

The exit code is 1 when any image could not be answered; the others are still printed.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..packages.contract import TASKS
from .tasks import add_task_parser, run_task


def register(subparsers: Any) -> None:
    parser = add_task_parser(
        subparsers, "predict",
        help="predict with a model package's network (e.g. SimCLR's CIFAR-10 classes for images)",
        description="Predict with NAME's prediction entry point.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_task(args, "predict", TASKS["predict"])
