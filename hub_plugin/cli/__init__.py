"""The ``hub-plugin`` command line: a thin layer over the features.

A subcommand parses its arguments, calls the same feature functions the Python API
(:mod:`hub_plugin.api`) calls (``build`` of :mod:`hub_plugin.packages.loading`, ``validate_paths``,
``fetch_manifest``, ``export_model``, ``publish``) and prints through :mod:`hub_plugin.core.console`.
It imports the features and the core, never :mod:`hub_plugin.api` itself (``tests/test_layers.py``).

Each subcommand lives in a module of this package with a ``register(subparsers)`` function that adds
its parser and sets ``run`` (a function taking the parsed arguments and returning the exit code).
Subcommand modules import what they need inside ``run``, so that ``hub-plugin --version`` and the
registry commands start fast and never import MindSpore.

The global options (``--debug``, ``--verbose``, ``--registry``) are accepted before or after the
subcommand (see :mod:`.global_options`). With the ``HUB_PLUGIN_*`` variables they become one
:class:`~hub_plugin.core.settings.Settings`, made once per command as ``args.settings`` (read it
with :func:`.global_options.settings_of`).

Errors: a :class:`~hub_plugin.errors.HubPluginError` becomes one line on stderr and its exit code;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__
from ..core.console import err, error_line, out
from ..core.settings import Settings
from ..errors import HubPluginError
from .global_options import add_global_options, add_global_options_to_subcommands, merge_global_options

# The subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "validate",
    "listing",
    "download",
    "inspect",
    "convert",
    "lock",
    "cache",
    "hub",
    "trust",
    "load",
    "export",
    "train",
    "evaluate",
    "predict",
    "env",
    "publish",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hub-plugin",
        description="Publish, validate, fetch and run models from a MindSpore-style model hub.",
    )
    parser.add_argument("--version", action="version", version=f"hub-plugin {__version__}")
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(subparsers)
    add_global_options_to_subcommands(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # the floor of every command: answered before any command is imported
        out(f"hub-plugin {__version__}")
        return 0
    parser = build_parser()
    args = merge_global_options(parser.parse_args(args_list))
    args.settings = Settings.from_environment(registries=args.registry, verbose=args.verbose,
                                              debug=args.debug)
    from ..packages.mindspore_log import quiet_mindspore_logs

    quiet_mindspore_logs(verbose=args.verbose)  # before any command can import MindSpore
    try:
        code: int = args.run(args)
        return code
    except HubPluginError as error:
        if args.debug:
            raise
        error_line(error)
        return error.exit_code
    except KeyboardInterrupt:  # one line, exit 130, saying what was kept (issue 28 item 4)
        err(f"hub-plugin: interrupted: {args.command} stopped; what was finished is kept (the "
            "cache, a download's or an upload's parts so far, the files written); run the same "
            "command again to go on")
        return 130
    except BrokenPipeError:
        return 0
    except (RecursionError, MemoryError) as error:  # input too deep or too large for a reader
        if args.debug:
            raise
        what = "too deeply nested" if isinstance(error, RecursionError) else "too large"
        error_line(f"the input is {what} to be read ({type(error).__name__}); nothing was changed",
                   kind="error")
        return 1
    except Exception as error:  # a bug: still one line, unless --debug
        if args.debug:
            raise
        error_line(f"{type(error).__name__}: {error} (run with --debug for the traceback)",
                   kind="internal error")
        return 1
