"""The options every ``hub-plugin`` command takes, before or after the subcommand.

``hub-plugin --registry DIR info NAME`` and ``hub-plugin info --registry DIR NAME`` mean the same.
The options are declared once, in :data:`GLOBAL_OPTIONS`. The top parser gets them with their real
destinations and defaults; every subparser (at any depth: ``cache ls`` too) gets a copy whose
destination is private to its depth and whose default is :data:`argparse.SUPPRESS`, so that a
subcommand that was not given the option sets nothing. :func:`merge_global_options` then folds the
copies into the real destinations: repeatable options (``--registry``) are concatenated in command
line order, flags (``--debug``) are true when given anywhere.

Commands whose arguments end in ``argparse.REMAINDER`` (``train``, ``eval``, ``predict``: the rest
belongs to the model package) get the global options picked out of that remainder as well, up to a
``--``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.settings import Settings, TrustPolicy


@dataclass(frozen=True)
class GlobalOption:
    """One option of every command: its flag, and whether it repeats (``append``) or is a flag."""

    flag: str
    help: str
    repeatable: bool = False
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def default(self) -> Any:
        return [] if self.repeatable else False

    def add_to(self, parser: argparse.ArgumentParser | Any, dest: str, default: Any) -> None:
        if self.repeatable:
            parser.add_argument(self.flag, dest=dest, action="append", default=default,
                                metavar=self.metavar, help=self.help)
        else:
            parser.add_argument(self.flag, dest=dest, action="store_true", default=default,
                                help=self.help)


GLOBAL_OPTIONS = (
    GlobalOption("--debug", "show tracebacks instead of one-line errors"),
    GlobalOption(
        "--verbose",
        "let third-party logs through (MindSpore's warnings, which are hidden by default; "
        "GLOG_v, when set, is always respected)",
    ),
    GlobalOption(
        "--registry",
        "an extra folder of cards and model packages (repeatable; also HUB_PLUGIN_REGISTRY)",
        repeatable=True, metavar="DIR",
    ),
)

_PREFIX = "_global_at_"


def _private_dest(option: GlobalOption, depth: int) -> str:
    return f"{_PREFIX}{depth}_{option.dest}"


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The global options on the top parser, with their real destinations and defaults."""
    for option in GLOBAL_OPTIONS:
        option.add_to(parser, option.dest, option.default())


def add_global_options_to_subcommands(parser: argparse.ArgumentParser, depth: int = 1) -> None:
    """A copy of the global options on every subparser below ``parser`` (call once all are added)."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for subparser in dict.fromkeys(action.choices.values()):  # aliases share one parser
            group = subparser.add_argument_group("global options (also accepted before the command)")
            for option in GLOBAL_OPTIONS:
                option.add_to(group, _private_dest(option, depth), argparse.SUPPRESS)
            add_global_options_to_subcommands(subparser, depth + 1)


def _remainder_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for option in GLOBAL_OPTIONS:
        option.add_to(parser, option.dest, option.default())
    return parser


def _split_remainder(options: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The global options found in a command's remainder, and the remainder without them."""
    items = list(options)
    cut = items.index("--") if "--" in items else len(items)
    found, rest = _remainder_parser().parse_known_args(items[:cut])
    return found, rest + items[cut:]


def merge_global_options(args: argparse.Namespace) -> argparse.Namespace:
    """Fold the subcommands' copies (and a remainder's) into the global options' destinations."""
    values = vars(args)
    for depth in range(1, 8):
        for option in GLOBAL_OPTIONS:
            given = values.pop(_private_dest(option, depth), None)
            if given is not None:
                _combine(values, option, given)
    remainder = values.get("options")
    if isinstance(remainder, list) and remainder:
        found, rest = _split_remainder(remainder)
        for option in GLOBAL_OPTIONS:
            _combine(values, option, getattr(found, option.dest))
        values["options"] = rest
    return args


def _combine(values: dict[str, Any], option: GlobalOption, given: Any) -> None:
    if option.repeatable:
        values[option.dest] = [*values.get(option.dest, []), *given]
    else:
        values[option.dest] = bool(values.get(option.dest)) or bool(given)


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings :func:`hub_plugin.cli.main` made for this command (the environment's now, for a
    namespace built elsewhere), with the command's own ``--offline``, ``--allow-http``,
    ``--refresh`` and ``--trust`` on top (``--trust`` is :attr:`TrustPolicy.ALWAYS`; without it
    the policy stays :attr:`TrustPolicy.ASK`)."""
    settings = getattr(args, "settings", None)
    if not isinstance(settings, Settings):
        settings = Settings.from_environment(registries=getattr(args, "registry", None) or (),
                                             verbose=bool(getattr(args, "verbose", False)),
                                             debug=bool(getattr(args, "debug", False)))
    changes: dict[str, Any] = {}
    for flag in ("offline", "allow_http", "refresh"):
        if getattr(args, flag, False) is True:
            changes[flag] = True
    if getattr(args, "trust", False) is True:
        changes["trust"] = TrustPolicy.ALWAYS
    return settings.with_options(**changes) if changes else settings
