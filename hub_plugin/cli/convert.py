"""``hub-plugin convert FILE|NAME --to safetensors|ckpt [--output PATH]``: a MindSpore checkpoint
to safetensors and back, every tensor's bytes and dtype kept (issue 29).

A NAME is resolved and its checkpoint fetched and verified as ``download`` does; the safetensors
metadata records the source's file name and sha256. Prints the path written. The conversion is
:mod:`hub_plugin.checkpoints.convert`; it needs the ``safetensors`` library (the ``convert`` extra),
not MindSpore.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="convert a checkpoint to safetensors or back (no MindSpore needed)",
        description="Convert the MindSpore checkpoint FILE (or the checkpoint the card NAME names) "
        "to safetensors, or a safetensors FILE to a MindSpore checkpoint, keeping every tensor's "
        "bytes, dtype and shape. Prints the path written.",
    )
    parser.add_argument("source", metavar="FILE|NAME", help="a .ckpt or .safetensors file, or a card")
    parser.add_argument("--to", required=True, choices=("safetensors", "ckpt"), help="the format to write")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="where to write (default: next to FILE, or the file name in the current folder)")
    parser.add_argument("--offline", action="store_true", help="make no network connection for a NAME")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import HubPluginError, UsageError

    try:
        return _convert(args)
    except HubPluginError:  # a DownloadError or CacheError is an OSError too: already one line
        raise
    except OSError as error:  # the file system's own: an unreadable source, an unwritable output
        where = f"{error.filename}: " if error.filename else ""
        raise UsageError(f"{where}{error.strerror or error}") from None


def _convert(args: argparse.Namespace) -> int:
    from ..checkpoints.convert import convert
    from ..core.console import out, shown
    from ..errors import UsageError
    from .inspect import checkpoint_sources

    path = Path(args.source)
    if path.is_file():
        written = convert(path, args.to, args.output)
    else:
        sources = checkpoint_sources(args, args.source)
        if len(sources) > 1 and args.output:
            raise UsageError(f"{args.source} names {len(sources)} checkpoints; --output names one file")
        for source in sources:
            name = source.file_name or source.path.name
            target = Path(args.output) if args.output else Path(name).with_suffix(f".{args.to}")
            written = convert(source.path, args.to, target, source_name=source.link or name)
            if len(sources) > 1:
                out(shown(written))
        if len(sources) > 1:
            return 0
    out(shown(written))
    return 0
