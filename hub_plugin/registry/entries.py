"""What the registry finds: a root (a folder of cards and where it came from) and a card in it.

Kept apart from :mod:`.registry`, which searches the roots, so that :mod:`hub_plugin.hubs.lookup` can make
entries for hub cards without importing the registry that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cards.asset_link import CardOrigin
from ..hubs.store import Snapshot


@dataclass(frozen=True)
class Root:
    """A folder of cards and model packages, and where it came from."""

    path: Path
    # "bundled", "--registry", "HUB_PLUGIN_REGISTRY", "plugin <dist>:<name>" or "hub <name> @ <commit>"
    source: str
    trusted: bool = False
    hub: Snapshot | None = None  # the hub snapshot a hub card came from


@dataclass(frozen=True)
class CardEntry:
    """A card found in a root, before it is read: its names and where it lives."""

    name: str
    path: Path
    root: Root
    uid: str | None = None
    package: str | None = None

    @property
    def address(self) -> str:
        """The most specific name of this card: its UID, else its stem."""
        return self.uid or self.name

    @property
    def origin(self) -> CardOrigin:
        """Where the card came from, for the downloads feature: a hub snapshot (network links only,
        views under ``hub/<hub>@<commit>/<uid>``) or a local registry (local files inside its root)."""
        hub = self.root.hub
        if hub is not None:
            return CardOrigin.hub(self.root.path, hub.hub, hub.commit, self.uid or self.name)
        return CardOrigin.local(self.root.path, self.path)
