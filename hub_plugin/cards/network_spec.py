"""What builds a card's network: the ``network`` and ``requires`` fields, parsed once (issue 28).

A card written by ``train``, ``eval`` or ``export`` says which code builds the network its weights
belong to, so that ``load``, ``export``, ``predict`` and ``hub_plugin.load`` build exactly that
network, by path or by UID, with no ``--arg``::

    network: simclr.simclr_classifier backbone=resnet18 width_multiplier=0.25 num_classes=10
    requires: simclr_encoder_tiny

``network`` is ``<package>.<network>`` (the model package and its hubconf network) followed by the
network's keyword arguments, ``name=value``, separated by spaces. ``requires`` names the cards whose
weights the network also needs, separated by spaces: a card's name as it is published beside this
one (``simclr_encoder_tiny``) or a UID (``alice/2.10/simclr_encoder_tiny``; ``publish`` rewrites the
name to the UID it publishes under).

Both are flat text without ``:``: MindSpore Hub's validator (``ValidMarkdown``, see
:mod:`.mindspore_hub`) lets a field it does not know through only when its value holds no ``:``
and is not a mapping. A value is ``True``/``False`` (a bool), an integer, a decimal number, or else
text of letters, digits and ``_ . + - /``. A malformed field is a :class:`~hub_plugin.errors.
CardFieldError` naming ``file:line:column``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from ..errors import CardFieldError

NETWORK_FIELD = "network"
REQUIRES_FIELD = "requires"

Value = bool | int | float | str

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TARGET = re.compile(r"(?P<package>[A-Za-z_][A-Za-z0-9_-]*)\.(?P<network>[A-Za-z_][A-Za-z0-9_]*)")
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_TEXT = re.compile(r"[A-Za-z0-9_.+\-/]+")
_CARD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*){0,3}")
_TOKEN = re.compile(r"\S+")


class Position(Protocol):
    """Where a value starts in its card (:class:`~.manifest.Position`; not imported: the manifest
    imports this module)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


@dataclass(frozen=True)
class NetworkSpec:
    """The ``network`` field: ``package``'s hubconf network ``network`` with ``arguments``."""

    package: str
    network: str
    arguments: Mapping[str, Value] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arguments", MappingProxyType(dict(self.arguments)))

    def text(self) -> str:
        """The field's value, as :func:`parse_network` reads it back (a round trip)."""
        return " ".join([f"{self.package}.{self.network}",
                         *(f"{name}={value_text(value)}" for name, value in self.arguments.items())])


def value_text(value: object) -> str:
    """One argument value as the field writes it; a value it cannot write is a ``ValueError``."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if not _FLOAT.fullmatch(text):
            raise ValueError(f"the number {value!r} cannot be written in a card's network field")
        return text
    if isinstance(value, str) and _TEXT.fullmatch(value) and _parse_value(value) == value:
        return value
    raise ValueError(f"the argument value {value!r} cannot be written in a card's network field "
                     "(True/False, a number, or text of letters, digits and _ . + - /)")


def _parse_value(text: str) -> Value | None:
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _TEXT.fullmatch(text):
        return text
    return None


def _where(path: str, position: Position | None, offset: int) -> str:
    if position is None:
        return path
    return f"{path}:{position.line}:{position.column + offset}"


def network_problem(text: str) -> tuple[int, str] | None:
    """Why ``text`` is not a ``network`` value, with the 0-based offset it starts at; ``None``
    when it is one (the one grammar: :func:`parse_network` and the card check use it)."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return 0, "'network' is empty: write <package>.<network> name=value ..."
    first = tokens[0]
    if not _TARGET.fullmatch(first.group()):
        return first.start(), (f"'network' must start with <package>.<network>, like "
                               f"simclr.simclr_encoder (got {first.group()!r})")
    seen: set[str] = set()
    for token in tokens[1:]:
        name, equals, value = token.group().partition("=")
        if not equals or not _NAME.fullmatch(name):
            return token.start(), (f"'network' argument {token.group()!r} must be written "
                                   "name=value")
        if name in seen:
            return token.start(), f"'network' gives the argument {name!r} twice"
        seen.add(name)
        if _parse_value(value) is None:
            return token.start() + len(name) + 1, (
                f"'network' argument {name}={value!r}: a value is True/False, a number, or text "
                "of letters, digits and _ . + - / (no ':' nor spaces)")
    return None


def parse_network(text: str, *, path: str = "<card>", position: Position | None = None) -> NetworkSpec:
    """The typed ``network`` field; a malformed one is a :class:`CardFieldError` at
    ``path:line:column`` (``position``: where the value starts in the card)."""
    problem = network_problem(text)
    if problem is not None:
        offset, message = problem
        raise CardFieldError(f"{_where(path, position, offset)}: {message}")
    tokens = text.split()
    target = _TARGET.fullmatch(tokens[0])
    assert target is not None  # network_problem said so
    arguments: dict[str, Value] = {}
    for token in tokens[1:]:
        name, _, value = token.partition("=")
        parsed = _parse_value(value)
        assert parsed is not None
        arguments[name] = parsed
    return NetworkSpec(target["package"], target["network"], arguments)


def requires_problem(text: str) -> tuple[int, str] | None:
    """Why ``text`` is not a ``requires`` value (with its offset), or ``None``."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return 0, "'requires' is empty: name the cards whose weights the network needs"
    for token in tokens:
        if not _CARD.fullmatch(token.group()) or ".." in token.group():
            return token.start(), (f"'requires' names cards by name or UID separated by spaces, "
                                   f"like simclr_encoder_tiny or alice/2.10/simclr_encoder_tiny "
                                   f"(got {token.group()!r})")
    return None


def parse_requires(text: str, *, path: str = "<card>",
                   position: Position | None = None) -> tuple[str, ...]:
    """The card names or UIDs of a ``requires`` field, in order."""
    problem = requires_problem(text)
    if problem is not None:
        offset, message = problem
        raise CardFieldError(f"{_where(path, position, offset)}: {message}")
    return tuple(text.split())


def contradictions(spec: NetworkSpec, given: Mapping[str, object]) -> list[str]:
    """The arguments in ``given`` that the card's ``network`` sets otherwise, each as
    ``name=given (the card says name=value)``; equal values (``0.25`` and ``"0.25"``) agree."""
    found = []
    for name, value in given.items():
        if name not in spec.arguments:
            continue
        written = spec.arguments[name]
        same = (value == written and type(value) is type(written)) or (
            isinstance(value, str) and _parse_value(value) == written
            and type(_parse_value(value)) is type(written))
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and isinstance(written, int | float) and not isinstance(written, bool):
            same = float(value) == float(written)
        if not same:
            found.append(f"{name}={value!r} (the card says {name}={value_text(written)})")
    return found


__all__ = ["NETWORK_FIELD", "REQUIRES_FIELD", "NetworkSpec", "contradictions", "network_problem",
           "parse_network", "parse_requires", "requires_problem", "value_text"]
