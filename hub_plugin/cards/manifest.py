"""The manifest: a model card's front matter as typed, immutable data.

A :class:`Manifest` is built by :func:`hub_plugin.cards.checks.check_card` only from a card
that validated.
Values are kept as the card writes them (``model-version: 1.10`` is the string ``"1.10"``); typed
views (``fine_tunable``, ``evaluation``, ``assets``) are parsed from them. Every field remembers where
it was written: :meth:`Manifest.position` maps a JSON pointer such as ``/asset/0/asset-sha256`` to
its line and column in the file.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .asset_link import CardOrigin

if TYPE_CHECKING:
    from .network_spec import NetworkSpec


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a card file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Metric:
    """One named figure of a card's ``evaluation``: ``acc84.88`` is ``Metric("acc", 84.88)``."""

    name: str
    value: float
    text: str


@dataclass(frozen=True, slots=True)
class ModuleType:
    """``module-type``: a task family (``cv``) and an optional detail (``classification``)."""

    kind: str
    detail: str | None = None

    @classmethod
    def parse(cls, text: str) -> ModuleType:
        kind, _, detail = text.partition("-")
        return cls(kind, detail or None)

    def __str__(self) -> str:
        return f"{self.kind}-{self.detail}" if self.detail else self.kind


@dataclass(frozen=True, slots=True)
class Asset:
    """A downloadable file a card names: a checkpoint with its link and sha256.

    ``sha256`` is lower-case hex: the full 64 digits, or a prefix of 8 or more where the card gives
    only that (newer MindSpore Hub cards); :attr:`is_digest_prefix` tells which.
    """

    link: str
    sha256: str
    file_format: str
    position: Position | None = None

    @property
    def is_digest_prefix(self) -> bool:
        return len(self.sha256) < 64

    @property
    def file_name(self) -> str:
        """The last path segment of the link (for display only; the cache keys by digest)."""
        tail = self.link.rstrip("/").rsplit("/", 1)[-1]
        return tail.split("?", 1)[0] or "asset"


_METRIC_NAME_FIRST = re.compile(r"^(?P<name>.*?[^\d.\s])\s*(?P<value>[-+]?\d+(?:\.\d+)?)\s*%?$")
_METRIC_VALUE_FIRST = re.compile(r"^(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?P<name>[^\d\s].*)$")


def parse_metric(text: str) -> Metric | None:
    """Parse one metric as MindSpore Hub writes them: ``top1acc76.97``, ``mAP39.8``, ``2.2m``.

    The name comes first and the number last, or (rarely, as in ``2.2m``) the number first and a unit
    as the name. Returns ``None`` for text that is neither.
    """
    text = text.strip()
    match = _METRIC_NAME_FIRST.match(text) or _METRIC_VALUE_FIRST.match(text)
    if match is None:
        return None
    return Metric(match["name"].strip(), float(match["value"]), text)


def parse_evaluation(text: str) -> tuple[Metric, ...] | None:
    """Parse ``evaluation``: metrics separated by ``|``, or ``-`` (or nothing) for none.

    Returns ``None`` when any part is not a metric.
    """
    text = text.strip()
    if text in ("", "-"):
        return ()
    metrics = []
    for part in text.split("|"):
        metric = parse_metric(part)
        if metric is None:
            return None
        metrics.append(metric)
    return tuple(metrics)


def split_list(text: str, separator: str) -> tuple[str, ...]:
    """Split a list written as one string (``inference/extract-feature``, ``a_b``)."""
    return tuple(part.strip() for part in text.split(separator) if part.strip())


def unwrap_link(text: str) -> str:
    """``<https://x>`` (Markdown's autolink form, common in real cards) is ``https://x``."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    return text


def parse_card_date(text: str) -> _dt.date | None:
    """A card date: ``2022-07-19`` or unpadded ``2023-2-17``; ``None`` if not a real date."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
    if match is None:
        return None
    try:
        return _dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


@dataclass(frozen=True)
class Manifest:
    """A validated model card.

    ``fields`` holds the front matter with the card's own names and values as written (read-only);
    the attributes below are typed views of it. ``name`` is the card's address in its registry (the
    file stem); ``uid`` is MindSpore Hub's ``publisher/version/stem`` where the folder is laid out so.
    ``origin`` is where the registry found it (a hub snapshot or a local registry): it decides what
    its asset links may name; ``None`` for a manifest made outside the registry.
    """

    name: str
    path: str
    fields: Mapping[str, Any]
    positions: Mapping[str, Position] = field(repr=False)
    uid: str | None = None
    package: str | None = None
    body: str = field(default="", repr=False)
    origin: CardOrigin | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))
        object.__setattr__(self, "positions", MappingProxyType(dict(self.positions)))

    def _text(self, key: str) -> str:
        value = self.fields.get(key)
        return "" if value is None else str(value)

    def position(self, pointer: str) -> Position | None:
        """Where the value at a JSON pointer (``/asset/0/asset-link``) was written."""
        return self.positions.get(pointer)

    @property
    def network_spec(self) -> NetworkSpec | None:
        """The ``network`` field, typed (:mod:`.network_spec`): what builds the card's network;
        ``None`` when the card has none. Malformed: :class:`~hub_plugin.errors.CardFieldError`."""
        from .network_spec import parse_network

        value = self.fields.get("network")
        if value is None:
            return None
        return parse_network(str(value), path=self.path, position=self.position("/network"))

    @property
    def requires(self) -> tuple[str, ...]:
        """The ``requires`` field: the cards (names or UIDs) whose weights the network needs."""
        from .network_spec import parse_requires

        value = self.fields.get("requires")
        if value is None:
            return ()
        return parse_requires(str(value), path=self.path, position=self.position("/requires"))

    @property
    def model_name(self) -> str:
        return self._text("model-name")

    @property
    def backbone(self) -> str:
        return self._text("backbone-name")

    @property
    def module_type(self) -> ModuleType:
        return ModuleType.parse(self._text("module-type"))

    @property
    def fine_tunable(self) -> bool:
        return self._text("fine-tunable").lower() == "true"

    @property
    def model_version(self) -> str:
        return self._text("model-version")

    @property
    def mindspore_version(self) -> str:
        return self._text("mindspore-version")

    @property
    def train_datasets(self) -> tuple[str, ...]:
        return split_list(self._text("train-dataset"), "_")

    @property
    def used_for(self) -> tuple[str, ...]:
        return split_list(self._text("used-for"), "/")

    @property
    def evaluation(self) -> tuple[Metric, ...]:
        return parse_evaluation(self._text("evaluation")) or ()

    @property
    def update_time(self) -> _dt.date | None:
        return parse_card_date(self._text("update-time"))

    @property
    def repo_link(self) -> str:
        return unwrap_link(self._text("repo-link"))

    @property
    def license(self) -> str:
        return self._text("license")

    @property
    def summary(self) -> str:
        return self._text("summary")

    @property
    def assets(self) -> tuple[Asset, ...]:
        assets = []
        for index, entry in enumerate(self.fields.get("asset") or ()):
            assets.append(
                Asset(
                    link=unwrap_link(str(entry.get("asset-link", ""))),
                    sha256=str(entry.get("asset-sha256", "")).strip().lower(),
                    file_format=str(entry.get("file-format", "")),
                    position=self.position(f"/asset/{index}"),
                )
            )
        return tuple(assets)

    def to_card_dict(self) -> dict[str, Any]:
        """The front matter as a plain JSON-ready dict, with the card's own names and values."""
        return _thawed(self.fields)  # type: ignore[no-any-return]
