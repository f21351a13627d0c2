"""``hub-plugin validate PATH...``: check cards, for people and for a hub's CI.

Exit 0 when every card is valid, 1 when any is invalid, 2 on a usage error or a missing or
unreadable path (every other card is still reported).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

FORMATS = ("text", "json", "github")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check model cards (files or folders) and report every defect",
        description="Check model cards and report every defect as path:line:column: rule: message.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="card files or folders, or hub UIDs (mindspore/1.8/alexnet_cifar10)")
    parser.add_argument(
        "--profile", choices=("strict", "mindspore-hub"), default="strict",
        help="strict (default): hub-plugin's rules; mindspore-hub: what MindSpore Hub accepts",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text",
        help="text (default), json (one object), github (GitHub Actions annotations)",
    )
    parser.set_defaults(run=run)


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _card_path(path: str, args: argparse.Namespace) -> str:
    """``path`` itself, or, for a hub UID that is no path, the card file it names."""
    from pathlib import Path

    from ..registry.hub_lookup import is_uid

    if Path(path).exists() or not is_uid(path):
        return path
    from ..assets.hub_sync import registry_with_hubs

    return str(registry_with_hubs(getattr(args, "registry", ())).find(path).path)


def run(args: argparse.Namespace) -> int:
    from ..registry.validation import validate_paths

    report = validate_paths([_card_path(path, args) for path in args.paths], args.profile)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        lines = []
        for file in report.files:
            for defect in sorted(file.errors + file.warnings,
                                 key=lambda d: (d.line or 0, d.column or 0)):
                if args.format == "github":
                    level = "error" if defect.severity == "error" else "warning"
                    props = f"file={_github_escape(defect.path, prop=True)}"
                    if defect.line is not None:
                        props += f",line={defect.line},col={defect.column or 1}"
                    props += f",title={_github_escape(defect.rule, prop=True)}"
                    lines.append(f"::{level} {props}::{_github_escape(defect.message)}")
                else:
                    suffix = " (warning)" if defect.severity == "warning" else ""
                    lines.append(f"{defect}{suffix}")
        summary = report.summary()
        lines.append(
            f"{summary['files']} file{'s' if summary['files'] != 1 else ''} checked "
            f"({args.profile}): {summary['valid']} valid, {summary['invalid']} invalid"
        )
        print("\n".join(lines))
    if any(d.rule == "read" for f in report.files for d in f.errors):
        return 2
    return 0 if report.valid else 1
