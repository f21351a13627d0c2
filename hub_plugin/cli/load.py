"""``hub-plugin load NAME``: from a name to a working network, shown step by step.

Prints the card, each asset with its digest and cache path, the parameters loaded and ignored, the
input shape, and one forward pass on a dummy batch with its output shape and time.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .lock import add_locked_option

if TYPE_CHECKING:
    from ..core.progress import Progress
    from ..packages.loading import LoadRequest


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "load", help="build a model's network with its verified weights and run it once",
        description="Resolve NAME's card, download and verify its checkpoints (and those of the "
        "cards it requires), build the network with the package's hubconf, load the weights "
        "strictly, and run one forward pass on a dummy batch.",
    )
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--no-pretrained", dest="pretrained", action="store_false",
                        help="build the network without weights (no download)")
    parser.add_argument("--device", choices=("cpu", "gpu", "ascend"), default=None,
                        help="MindSpore device target (default: MindSpore's own default)")
    parser.add_argument("--offline", action="store_true", default=None,
                        help="no network connection: serve verified assets from the cache only")
    parser.add_argument("--refresh", action="store_true",
                        help="ask again where the branch refs of the hub and of the zoo code "
                        "point now (a ref once resolved is otherwise remembered; a pinned commit "
                        "never changes)")
    parser.add_argument("--allow-http", action="store_true",
                        help="follow plain http:// asset links to hosts other than loopback")
    parser.add_argument("--trust", action="store_true", default=None,
                        help="run a model package's or a model zoo's code from outside the "
                        "bundled registry without asking")
    parser.add_argument("--load-matching", dest="strict_weights", action="store_false",
                        help="load the checkpoint entries whose names and shapes match the "
                        "network and list the rest, instead of failing on any mismatch")
    parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                        help="a keyword argument for the package's create_network, e.g. "
                        "backbone=resnet18 (repeatable; numbers and true/false are typed)")
    parser.add_argument("--zoo-config", metavar="FILE", default=None,
                        help="for a card built by model zoo code: the YAML config to hand it "
                        "(--config_path), instead of the one chosen for the card")
    parser.add_argument("--batch-size", type=int, default=2,
                        help="the dummy batch's size for the forward pass (default 2)")
    add_locked_option(parser)
    parser.set_defaults(run=run)


def network_arguments(pairs: list[str]) -> dict[str, Any]:
    """``["backbone=resnet18", "width_multiplier=0.5"]`` as keyword arguments, typed as YAML would."""
    from ..cards.json_instance import guess_scalar

    arguments: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UsageError(f"--arg wants KEY=VALUE with KEY a Python name, got {pair!r}")
        arguments[key.strip()] = guess_scalar(value.strip())
    return arguments


def load_request(
    args: argparse.Namespace, *, pretrained: bool = True, progress: Progress | None = None
) -> LoadRequest:
    """The :class:`~hub_plugin.packages.loading.LoadRequest` the options of ``load`` and ``export``
    give: the command's :class:`~hub_plugin.core.settings.Settings` (:func:`.global_options.settings_of`:
    ``--offline``, ``--allow-http``, ``--refresh``, ``--trust`` on top) and the progress display."""
    from ..packages.loading import LoadOptions, LoadRequest
    from .global_options import settings_of

    options = LoadOptions(settings_of(args), progress=progress)
    return LoadRequest(
        args.name, arguments=network_arguments(args.arg), pretrained=pretrained,
        strict_weights=getattr(args, "strict_weights", True), device=args.device,
        zoo_config=getattr(args, "zoo_config", None), locked=getattr(args, "locked", None),
        options=options,
    )


def run(args: argparse.Namespace) -> int:
    from ..core.extras import require

    require("mindspore", "hub-plugin load", "mindspore")
    from rich.table import Table

    from ..core.console import markup_text as m
    from ..core.console import table_console
    from ..core.progress import Activity, RichProgress, wants_progress_bar
    from ..packages import loading

    out = table_console()
    progress = RichProgress() if args.pretrained and wants_progress_bar() else None
    request = load_request(args, pretrained=args.pretrained, progress=progress)
    with progress or contextlib.nullcontext(), \
            Activity(f"load of {args.name}: building the network", lines=True):
        loaded = loading.build(request)
    manifest = loaded.manifest
    out.print(f"[bold]{m(manifest.name)}[/bold]  {m(manifest.path)}")
    if loaded.package is not None:
        out.print(f"network: [bold]{m(loaded.network_name)}[/bold] from the model package "
                  f"{m(loaded.package.name)} ({m(loaded.package.path)})")
    elif loaded.zoo is not None:
        zoo = loaded.zoo
        out.print(f"network: [bold]{m(loaded.network_name)}[/bold] from the model zoo "
                  f"{m(zoo.repository)} at {m(zoo.commit)} ({m(zoo.folder or '/')}; {m(zoo.path)})",
                  soft_wrap=True)
    if loaded.route.rule is not None:
        out.print(f"route: {m(loaded.route.kind)} ({m(loaded.route.reason)})", soft_wrap=True)
    if loaded.zoo_config:
        out.print(f"zoo config: {m(loaded.zoo_config)}", soft_wrap=True)
    if loaded.assets:
        table = Table(title="assets")
        for column in ("card", "file", "sha256", "cache path", ""):
            table.add_column(column, overflow="fold")
        for fetched in loaded.assets:
            table.add_row(
                m(fetched.path.parent.name), m(fetched.asset.file_name),
                m(fetched.sha256) + (" (card gives a prefix: weak check)" if fetched.weak_check else ""),
                m(fetched.path), "downloaded" if fetched.downloaded else "cached",
            )
        out.print(table)
        out.print(f"parameters: {len(loaded.loaded)} loaded, {len(loaded.ignored)} ignored"
                  + (f" ({m(', '.join(loaded.ignored[:4]))}{', ...' if len(loaded.ignored) > 4 else ''})"
                     if loaded.ignored else ""))
        if loaded.missing:
            named = ", ".join(loaded.missing[:6]) + (", ..." if len(loaded.missing) > 6 else "")
            out.print(f"not filled (--load-matching): {len(loaded.missing)} parameters ({m(named)})")
    else:
        count = len(list(loaded.network.get_parameters()))
        out.print(f"parameters: {count}, not loaded (--no-pretrained)")
    with Activity(f"load of {args.name}: forward pass on a batch of {args.batch_size}", lines=True):
        forward = loading.forward_once(loaded, args.batch_size)
    if forward is None:
        out.print("input shape: not declared by the card or its package; no forward pass")
        return 0
    out.print(f"input shape: {forward.input_shape}")
    out.print(f"forward pass: output shape {forward.output_shape} in {forward.seconds * 1000:.1f} ms")
    return 0
