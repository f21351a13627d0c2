"""``hub-plugin publish CARD|RUN_DIR``: upload a model's files, complete its card, branch the hub.

See :mod:`hub_plugin.publishing.publication` for the steps and their order. Each step is one
line on stdout; the upload's progress is a bar on a terminal only. boto3 (the ``publish`` extra)
is imported only when something is uploaded.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "publish", help="upload a model's files, complete its card and commit it on a hub branch",
        description="Publish the card CARD (or every card of RUN_DIR, as 'eval' and 'export' write "
        "them): upload each local asset to the S3 bucket (credentials from boto3's usual chain: "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws), read it back from its public "
        "link, fill the card's links and full sha256 in, and commit the card on a new branch of a "
        "hub clone at the hub's layout path, pushed to your fork. The card must pass validate under "
        "strict and mindspore-hub first, or nothing is uploaded.",
    )
    parser.add_argument("target", metavar="CARD|RUN_DIR")
    parser.add_argument("--upload", metavar="s3://BUCKET/PREFIX",
                        help="where the files go (an S3 bucket and key prefix)")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="the S3 endpoint of a store other than AWS (Huawei OBS, MinIO, ...)")
    parser.add_argument("--public-url", metavar="URL",
                        help="where the bucket's objects are read by the public; the card's links are "
                        "URL/KEY (default: ENDPOINT/BUCKET, or AWS's bucket URL)")
    parser.add_argument("--hub", metavar="DIR", help="a local clone of the hub repository")
    parser.add_argument("--publisher", metavar="NAME",
                        help="the hub folder <publisher>/<version>/ (default: the card's user-id)")
    parser.add_argument("--branch", metavar="NAME",
                        help="the new branch (default publish/<model>-<digest>)")
    parser.add_argument("--push", metavar="REMOTE",
                        help="push the branch to this remote of the clone (a name or a URL: your fork)")
    parser.add_argument("--dry-run", action="store_true", help="print every step, change nothing")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an object of the bucket that holds other bytes")
    parser.add_argument("--replace", action="store_true", help="replace a card already in the hub")
    parser.add_argument("--allow-http", action="store_true",
                        help="accept a plain http:// public URL to a host other than loopback")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..core.console import out, shown
    from ..core.extras import require
    from ..core.progress import RichProgress, wants_progress_bar
    from ..publishing.publication import PublishOptions, publish

    if args.upload and not args.dry_run:
        require("boto3", "hub-plugin publish --upload", "publish")
    options = PublishOptions(
        upload=args.upload, endpoint_url=args.endpoint_url, public_url=args.public_url,
        hub=Path(args.hub) if args.hub else None, publisher=args.publisher, branch=args.branch,
        push=args.push, dry_run=args.dry_run, overwrite=args.overwrite, replace=args.replace,
        allow_http=args.allow_http,
    )
    progress = RichProgress() if args.upload and not args.dry_run and wants_progress_bar() else None
    with progress or contextlib.nullcontext():
        result = publish(Path(args.target), options, progress=progress,
                         say=lambda line: out(shown(line, multiline=True), flush=True))
    if result.dry_run:
        out("dry run: nothing was uploaded, written, committed or pushed")
    elif result.commit:
        where = f", pushed to {shown(result.pushed_to)}" if result.pushed_to else ""
        out(f"published: {len(result.cards)} card(s) on {shown(result.branch)} ({result.commit[:12]}){where}")
    else:
        out(f"published: {len(result.cards)} card(s) completed with their public links")
    return 0
