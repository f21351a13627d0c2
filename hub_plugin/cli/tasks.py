"""What ``hub-plugin train``, ``eval`` and ``predict`` share: finding the package's entry point,
building its options, calling it and showing what it returns.

The command line knows nothing of any model: ``hub-plugin <command> NAME [OPTIONS]`` takes the
model package ``NAME`` from the registry and checks that its code is trusted as ``load`` does
(:func:`hub_plugin.packages.loading.package_code`; ``--trust`` for a package from outside the
bundled registry, see :mod:`hub_plugin.trust.gate`), imports its hubconf, finds the
entry point (``train``, ``evaluate`` or ``predict``; a package without it is an
``EntryPointMissing`` error naming what it offers), and builds a parser from the generic options
here plus those the package declares through an optional hubconf hook::

    def add_arguments(task: str, parser: argparse.ArgumentParser) -> None: ...

which adds the task's options with ``default=argparse.SUPPRESS``. The options a person gave become
a mapping of overrides passed to the entry point, which turns them into its typed configuration.
A second optional hook, ``check_arguments(task, overrides)``, checks them first, so that a bad
option is one clear error before data-parallel workers are started.
What the entry point returns may offer ``summary()`` (text), ``to_json()`` (``--format json``) and
``exit_code`` (non-zero when part of the work failed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ..core.console import out, out_data, shown
from ..core.settings import TrustPolicy
from ..errors import ArgumentContradictsCard, DeviceUnavailable, UsageError
from ..packages.contract import ADD_ARGUMENTS, CARD_TASK_OPTIONS, CHECK_ARGUMENTS, TASKS
from ..packages.device import DEVICES, available_devices, is_available
from .global_options import settings_of

if TYPE_CHECKING:  # the build path is imported when a task runs, not when the parser is built
    from ..packages.loading import CardTask, LoadOptions
    from ..registry.registry import ModelPackage

FORMATS = ("text", "json")
ARGUMENTS_HOOK = ADD_ARGUMENTS
"""The optional hubconf function ``add_arguments(task, parser)`` that declares a task's options."""
CHECK_HOOK = CHECK_ARGUMENTS
"""The optional hubconf function ``check_arguments(task, overrides)``: raises the package's typed
error when the options cannot work (a missing dataset, a bad value), before any worker starts."""


class OptionsParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line (issue 28 item 4): a :class:`UsageError`
    (exit 2) naming the mistake and ``PROG --help``, instead of argparse's usage, which for a
    package's options runs to twenty lines."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see {self.prog} --help")


def add_task_parser(
    subparsers: Any, command: str, *, help: str, description: str
) -> argparse.ArgumentParser:
    """The subcommand ``command``: a package name, then options the package defines."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        command,
        help=help,
        description=description
        + f" Options depend on the model package: 'hub-plugin {command} NAME --help' lists them.",
    )
    parser.add_argument("name", metavar="NAME", help="the model package, e.g. simclr")
    parser.add_argument(
        "options", nargs=argparse.REMAINDER, metavar="OPTIONS",
        help="the options of NAME's entry point",
    )
    return parser


def options_parser(
    command: str, task: str, name: str, hubconf: types.ModuleType
) -> argparse.ArgumentParser:
    """The parser of ``hub-plugin <command> <name>``'s options: generic ones plus the package's."""
    entry = getattr(hubconf, task)
    summary = (entry.__doc__ or "").strip().split("\n\n", 1)[0]
    parser = OptionsParser(
        prog=f"hub-plugin {command} {name}", description=summary or None,
        argument_default=argparse.SUPPRESS, allow_abbrev=False,
    )
    parser.add_argument(
        "--device", choices=tuple(DEVICES), default=argparse.SUPPRESS,
        help="where to run: cpu, gpu or ascend (MindSpore's CPU, GPU, Ascend targets)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="how to print the result (text, json)"
    )
    parser.add_argument(
        "--trust", action="store_true", default=False,
        help="run the package's code without asking (packages outside the bundled registry)",
    )
    hook = getattr(hubconf, ARGUMENTS_HOOK, None)
    if callable(hook):
        hook(task, parser)
    return parser


def prepare(
    args: argparse.Namespace, command: str, task: str, options: Sequence[str]
) -> tuple[Callable[..., Any], dict[str, Any], str]:
    """The entry point, the overrides the options give, and the output format."""
    card = card_of(args, options, task)
    package, hubconf = (card.package, card.hubconf) if card else package_hubconf(args, options)
    from ..packages.loading import hubconf_entry

    entry: Callable[..., Any] = hubconf_entry(package, hubconf, task)
    parsed = options_parser(command, task, package.name, hubconf).parse_args(list(options))
    overrides = dict(vars(parsed))
    if card is not None:
        overrides = with_card_options(card, task, overrides)
    output_format = overrides.pop("format", "text")
    overrides.pop("trust", None)
    device = overrides.get("device")
    if isinstance(device, str) and not is_available(device):
        raise DeviceUnavailable(device, available_devices())
    check = getattr(hubconf, CHECK_HOOK, None)
    if callable(check):
        check(task, dict(overrides))
    return entry, overrides, output_format


def _trusting(args: argparse.Namespace, options: Sequence[str]) -> LoadOptions:
    trust_parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    trust_parser.add_argument("--trust", action="store_true", default=None)
    trust = trust_parser.parse_known_args(list(options))[0].trust
    from ..packages.loading import LoadOptions

    return LoadOptions(settings_of(args).with_options(
        trust=TrustPolicy.ALWAYS if trust else TrustPolicy.ASK))


def card_of(args: argparse.Namespace, options: Sequence[str], task: str) -> CardTask | None:
    """For ``predict`` of a card (a path or UID) that says what builds it (issue 28): the card's
    package, its hubconf and its verified checkpoints; ``None`` for a package name."""
    if task != TASKS["predict"] or asks_for_help(options):
        return None
    from ..packages.loading import LoadRequest, card_task

    return card_task(LoadRequest(args.name, options=_trusting(args, options)))


def with_card_options(card: CardTask, task: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` with the options the package's ``card_task_options`` gives for the card; an
    option typed that contradicts one is an :class:`ArgumentContradictsCard` naming both."""
    hook = getattr(card.hubconf, CARD_TASK_OPTIONS, None)
    if not callable(hook):
        raise UsageError(f"the model package {card.package.name} cannot run {task} for the card "
                         f"{card.manifest.name!r}: its hubconf has no {CARD_TASK_OPTIONS}()",
                         hint=f"hub-plugin {task} {card.package.name} with its own options")
    given = dict(hook(task, card.network, dict(card.arguments), list(card.checkpoints)))
    wrong = [f"--{name.replace('_', '-')} {overrides[name]} (the card says {value})"
             for name, value in given.items() if name in overrides and overrides[name] != value]
    if wrong:
        raise ArgumentContradictsCard(
            f"{'; '.join(wrong)}: the card {card.manifest.name!r} says what its weights belong to",
            hint="leave the option out: the card sets it")
    return {**overrides, **given}


def package_hubconf(
    args: argparse.Namespace, options: Sequence[str]
) -> tuple[ModelPackage, types.ModuleType]:
    """The package ``args.name`` and its hubconf, imported after the trust check (``--trust``)."""
    from ..packages.loading import LoadRequest, package_code

    return package_code(LoadRequest(args.name, options=_trusting(args, options)))


def is_secondary_worker() -> bool:
    """A data-parallel process other than rank 0: it prints nothing of its own."""
    from ..packages.launch import launched_by_msrun

    return launched_by_msrun() and os.environ.get("RANK_ID", "-1") != "0"


def show(result: Any, output_format: str) -> int:
    """Print what an entry point returned; its exit code (``exit_code``, else 0)."""
    if is_secondary_worker():
        return int(getattr(result, "exit_code", 0))
    if output_format == "json":
        data = result.to_json() if hasattr(result, "to_json") else result
        out_data(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    elif hasattr(result, "summary"):
        text = result.summary()
        if text:
            out(shown(text, multiline=True))
    elif result is not None:
        out(shown(result, multiline=True))
    sys.stdout.flush()
    return int(getattr(result, "exit_code", 0))


def run_task(args: argparse.Namespace, command: str, task: str) -> int:
    """``hub-plugin <command> NAME OPTIONS``: call NAME's ``task`` with the options.

    ``--help`` needs no MindSpore: the options come from the package's hook, which imports none."""
    if not asks_for_help(args.options):
        require_mindspore(command)
    entry, overrides, output_format = prepare(args, command, task, args.options)
    from ..packages.launch import terminate_as_interrupt

    with terminate_as_interrupt():  # a data worker's SIGTERM on Ctrl-C: one line, exit 130
        result = entry(overrides)
    return show(result, output_format)


def asks_for_help(options: Sequence[str]) -> bool:
    """Whether ``-h`` or ``--help`` comes among the options (before a ``--``)."""
    items = list(options)
    cut = items.index("--") if "--" in items else len(items)
    return any(item in ("-h", "--help") for item in items[:cut])


def require_mindspore(command: str) -> None:
    """A model package's jobs build networks: without MindSpore, one line naming the extra."""
    from ..core.extras import require

    require("mindspore", f"hub-plugin {command}", "mindspore")


__all__ = [
    "ARGUMENTS_HOOK",
    "CHECK_HOOK",
    "OptionsParser",
    "add_task_parser",
    "asks_for_help",
    "options_parser",
    "package_hubconf",
    "prepare",
    "require_mindspore",
    "run_task",
    "show",
]
