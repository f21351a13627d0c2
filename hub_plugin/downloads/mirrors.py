"""Mirrors: rewriting asset links by URL prefix (``HUB_PLUGIN_MIRROR``).

``HUB_PLUGIN_MIRROR`` holds comma-separated ``PREFIX=REPLACEMENT`` pairs, for example
``https://download.mindspore.cn/=http://127.0.0.1:8000/``. A link that starts with a prefix has it
replaced; where several prefixes match, the longest wins. The replacement may be another server or
a ``file://`` URL of a local copy. The digest check is the same whichever copy the bytes come from.

The mirror is the user's, but the rest of the link is the card's: a local mirror serves only files
inside its folder (the card's part is parsed as a relative path, no ``..``, no symbolic link
followed), so ``https://download.mindspore.cn/../../etc/x`` cannot reach ``/etc`` through it.
:func:`card_source` is where a card's link is read from: its mirror when one matches, else the
link itself under the rules of the card's origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..cards.asset_link import CardOrigin
from ..core.settings import MIRROR_VARIABLE, Settings
from ..errors import LinkRefused
from .link_rules import Source, locate, locate_card_link


@dataclass(frozen=True, slots=True)
class MirrorMap:
    """URL prefix replacements, longest prefix first."""

    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> MirrorMap:
        """Parse ``PREFIX=REPLACEMENT[,PREFIX=REPLACEMENT...]``; raises :class:`LinkRefused`."""
        pairs: list[tuple[str, str]] = []
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            # URLs may hold "=" in a query, but a prefix never needs one: split at the first.
            prefix, equals, replacement = item.partition("=")
            prefix, replacement = prefix.strip(), replacement.strip()
            if not equals or not prefix or not replacement:
                raise LinkRefused(
                    f"{MIRROR_VARIABLE}: {item!r} is not PREFIX=REPLACEMENT",
                    hint="for example https://download.mindspore.cn/=http://127.0.0.1:8000/",
                )
            pairs.append((prefix, replacement))
        pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
        return cls(tuple(pairs))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> MirrorMap:
        """The mirrors ``HUB_PLUGIN_MIRROR`` names (none when it is unset or empty)."""
        return cls.from_settings(Settings.from_environment(environ))

    @classmethod
    def from_settings(cls, settings: Settings) -> MirrorMap:
        """The mirrors of ``settings`` (``HUB_PLUGIN_MIRROR``, as it was when they were made)."""
        return cls.parse(settings.mirror_text)

    def apply(self, link: str) -> str:
        """``link`` with its longest matching prefix replaced (unchanged when none matches)."""
        for prefix, replacement in self.pairs:
            if link.startswith(prefix):
                return replacement + link[len(prefix) :]
        return link

    def source(self, link: str) -> Source | None:
        """Where the mirror matching ``link`` sends it (``None`` when none matches); a local
        mirror's file must lie inside the mirror's folder. Raises :class:`LinkRefused`."""
        for prefix, replacement in self.pairs:
            if link.startswith(prefix):
                folder = locate(replacement).path
                if folder is None:  # another server: the link is a URL like any other
                    return Source(replacement + link[len(prefix) :])
                mirror = CardOrigin("local", folder, "")
                return locate_card_link(link[len(prefix) :], mirror, card_dir=folder)
        return None

    def __bool__(self) -> bool:
        return bool(self.pairs)


def card_source(
    link: str, origin: CardOrigin | None, mirrors: MirrorMap, *, card_dir: Path | None = None
) -> Source:
    """Where the asset ``link`` of a card from ``origin`` is read from: a mirror first, else the
    link by the origin's rules (``None``: a link the caller wrote, e.g. through the Python API,
    taken as it is). Raises :class:`LinkRefused`."""
    mirrored = mirrors.source(link)
    if mirrored is not None:
        return mirrored
    if origin is None:
        return locate(link, base_dir=card_dir)
    return locate_card_link(link, origin, card_dir=card_dir)
