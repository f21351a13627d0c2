"""``hub-plugin inspect FILE|NAME [--format json]``: the tensors of a checkpoint, without MindSpore.

Every tensor's name, dtype, shape and size, the totals, and, for a card NAME (resolved through the
registry, its assets fetched and verified as ``download`` fetches them), what the card says about
the file: its name, sha256 and format. A table on a terminal, plain tab-separated lines when piped,
exact JSON with ``--format json``. The reader is :mod:`hub_plugin.checkpoints.reader` (issue 29).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .global_options import settings_of


@dataclass(frozen=True)
class CheckpointSource:
    """A checkpoint file to read, and the card asset it is when it came from a card."""

    path: Path
    card: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    file_format: str | None = None
    link: str | None = None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="list the tensors of a checkpoint (no MindSpore needed)",
        description="Read the MindSpore checkpoint FILE, or the checkpoints the card NAME names "
        "(fetched and verified like download), and list every tensor's name, dtype, shape and size "
        "with the totals. Needs no MindSpore.",
    )
    parser.add_argument("source", metavar="FILE|NAME", help="a .ckpt file, or a card, UID or model package")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="a table (plain lines when piped), or JSON")
    parser.add_argument("--offline", action="store_true", help="make no network connection for a NAME")
    parser.set_defaults(run=run)


def checkpoint_sources(args: argparse.Namespace, source: str) -> list[CheckpointSource]:
    """The file ``source`` names, or the verified checkpoint assets of the card it names."""
    from ..errors import UsageError

    path = Path(source)
    if path.is_file():
        return [CheckpointSource(path)]
    if path.suffix.lower() in (".ckpt", ".safetensors"):
        raise UsageError(f"{source}: no such file")
    from ..cache.asset_cache import AssetCache
    from ..checkpoints.check import is_checkpoint_name
    from ..downloads.fetch import fetch_manifest
    from ..hubs.sync import registry_with_hubs

    settings = settings_of(args)
    manifest = registry_with_hubs(args.registry, settings=settings).resolve(source)
    fetched = fetch_manifest(manifest, cache=AssetCache(settings.home),
                             offline=settings.offline or getattr(args, "offline", False),
                             retry_command=f"hub-plugin inspect {source}")
    found = [CheckpointSource(item.path, manifest.name, item.asset.file_name, item.asset.sha256,
                              item.asset.file_format, item.asset.link)
             for item in fetched if is_checkpoint_name(item.asset.file_name)]
    if not found:
        raise UsageError(f"{source}: the card names no .ckpt asset")
    return found


def run(args: argparse.Namespace) -> int:
    from ..checkpoints.reader import read_checkpoint
    from ..core.console import out_data
    from ..errors import UsageError

    results = []
    for source in checkpoint_sources(args, args.source):
        try:
            results.append((source, read_checkpoint(source.path)))
        except OSError as error:
            raise UsageError(f"{source.path}: cannot read it: {error.strerror or error}") from None
    if args.format == "json":
        documents = [_json(source, checkpoint) for source, checkpoint in results]
        out_data(json.dumps(documents[0] if len(documents) == 1 else documents, indent=2,
                            ensure_ascii=False))
        return 0
    for source, checkpoint in results:
        _show(source, checkpoint)
    return 0


def _card_json(source: CheckpointSource) -> dict[str, Any] | None:
    if source.card is None:
        return None
    return {"name": source.card, "file": source.file_name, "sha256": source.sha256,
            "format": source.file_format, "link": source.link}


def _json(source: CheckpointSource, checkpoint: Any) -> dict[str, Any]:
    return {
        "path": str(checkpoint.path),
        "size": checkpoint.size,
        "card": _card_json(source),
        "tensors": [{"name": t.name, "dtype": t.dtype, "shape": list(t.shape), "bytes": t.nbytes,
                     "offset": t.offset} for t in checkpoint.tensors],
        "total": {"tensors": len(checkpoint.tensors), "elements": checkpoint.total_elements,
                  "bytes": checkpoint.total_bytes},
    }


def _show(source: CheckpointSource, checkpoint: Any) -> None:
    from ..core.console import human_size, markup_text, out, shown, table_console

    console = table_console()
    count = len(checkpoint.tensors)
    totals = (f"{count} tensor{'s' if count != 1 else ''}, {checkpoint.total_elements:,} elements, "
              f"{human_size(checkpoint.total_bytes)} ({checkpoint.total_bytes} bytes)")
    card = ""
    if source.card is not None:
        card = (f"card {source.card}: {source.file_name}, format {source.file_format}, "
                f"sha256 {source.sha256}")
    if not console.is_terminal:
        out(f"# {shown(checkpoint.path)}: {totals}")
        if card:
            out(f"# {shown(card)}")
        for t in checkpoint.tensors:
            out(f"{shown(t.name)}\t{t.dtype}\t{list(t.shape)}\t{t.nbytes}")
        return
    from rich.table import Table

    table = Table(title=markup_text(f"{checkpoint.path}"), caption=markup_text(
        totals + (f"\n{card}" if card else "")))
    for column, justify in (("name", "left"), ("dtype", "left"), ("shape", "left"), ("size", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in checkpoint.tensors:
        table.add_row(markup_text(t.name), t.dtype, str(list(t.shape)), human_size(t.nbytes))
    console.print(table)
