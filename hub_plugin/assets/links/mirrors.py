"""Mirrors: rewriting asset links by URL prefix (``HUB_PLUGIN_MIRROR``).

``HUB_PLUGIN_MIRROR`` holds comma-separated ``PREFIX=REPLACEMENT`` pairs, for example
``https://download.mindspore.cn/=http://127.0.0.1:8000/``. A link that starts with a prefix has it
replaced; where several prefixes match, the longest wins. The replacement may be another server or
a ``file://`` URL of a local copy. The digest check is the same whichever copy the bytes come from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ...errors import LinkRefused

#: The environment variable holding the mirror pairs.
MIRROR_VARIABLE = "HUB_PLUGIN_MIRROR"


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
        env = os.environ if environ is None else environ
        return cls.parse(env.get(MIRROR_VARIABLE, ""))

    def apply(self, link: str) -> str:
        """``link`` with its longest matching prefix replaced (unchanged when none matches)."""
        for prefix, replacement in self.pairs:
            if link.startswith(prefix):
                return replacement + link[len(prefix) :]
        return link

    def __bool__(self) -> bool:
        return bool(self.pairs)
