"""Building a hub card with the model package that serves it (see
:mod:`hub_plugin.registry.routes`).

The package builds the card with the network its ``serves`` rule names (or that of the package card
the rule names), and fills it from the **hub card's** own checkpoints, checked against the hub
card's digests. Three things differ from a package's own card:

- the cards it ``requires`` (SimCLR's classifier needs the encoder's weights) are looked up beside
  the hub card first (``mindspore/1.8/simclr_encoder_cifar10`` for
  ``mindspore/1.8/simclr_linearclassifier_cifar10``), and only then among the package's own cards;
- a hubconf may define ``serve_hub_card(network, card)``: given the network name and the hub card's
  fields it returns ``{"arguments": {...}, "input-shape": [...]}``, the keyword arguments for
  ``create_network`` (the model name a library knows, the class count of the card's dataset) and
  the input shape (batch first) for the forward pass. A library package (mindcv) needs this;
  arguments the caller gives win over it;
- for a library route a strict load that fails names the library version installed and the one
  the card links (its ``repo-link`` ref): parameter names change between versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cards.manifest import Manifest
from ..errors import HubPluginError, ModelNotFound
from ..registry.registry import Registry
from ..registry.routes import Route
from .contract import SERVE_HUB_CARD


@dataclass(frozen=True)
class ServedCard:
    """What the serving package adds for one hub card: ``create_network`` arguments and a shape."""

    arguments: Mapping[str, Any]
    input_shape: tuple[int, ...] | None


def required_cards(registry: Registry, route: Route, manifest: Manifest) -> list[Manifest]:
    """The cards whose weights the network also needs: beside the hub card, else the package's."""
    names = route.settings.get("requires") or ()
    if route.package is None or not names:
        return []
    found = []
    base = manifest.uid.rsplit("/", 1)[0] if manifest.uid and "/" in manifest.uid else None
    for name in names:
        if base is not None:
            try:
                found.append(registry.read(registry.find(f"{base}/{name}")))
                continue
            except ModelNotFound:
                pass
        found.append(registry.package_card(route.package, name))
    return found


def card_requirements(registry: Registry, manifest: Manifest) -> list[Manifest]:
    """The cards a card's own ``requires`` field names (issue 28), in order: a UID from the
    registry or its hubs (a synced hub that holds it answers it: no other hub is synced); a name
    beside the card (in its hub's snapshot, the same publisher and version; for a card given by
    its path, the same folder), else a card of that name in the local registries. A name is never
    looked up as a UID of another hub, so it syncs nothing."""
    found = []
    for name in manifest.requires:
        beside = Path(manifest.path).parent / f"{name}.md"
        if "/" not in name and beside.is_file():
            found.append(registry.read(registry.find(str(beside))))
        else:
            found.append(registry.read(registry.find(name)))
    return found


def served_card(hubconf: Any, route: Route, manifest: Manifest) -> ServedCard:
    """The hubconf's ``serve_hub_card`` answer for a hub card (the shape as it answers it: the
    one input shape is worked out by :func:`.input_shape.model_input_shape`)."""
    hook = getattr(hubconf, SERVE_HUB_CARD, None)
    if route.rule is None or not callable(hook) or route.network is None:
        return ServedCard({}, None)
    answer = hook(route.network, dict(manifest.fields)) or {}
    shape = answer.get("input-shape")
    return ServedCard(dict(answer.get("arguments") or {}),
                      tuple(int(d) for d in shape) if shape else None)


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def require_library(route: Route) -> None:
    """A clear error when the library a library route builds with is not installed."""
    library = route.rule.library if route.rule is not None else None
    if library and installed_version(library) is None:
        raise HubPluginError(
            f"the model package {route.package.name if route.package else '?'} builds this card "
            f"with {library}, which is not installed",
            hint=f"pip install 'hub-plugin[{library}]' (or pip install {library})",
        )


def library_mismatch(error: HubPluginError, route: Route) -> HubPluginError:
    """``error`` (a strict load that failed) with the library versions named, for a library
    route; else ``error`` itself."""
    library = route.rule.library if route.rule is not None else None
    if not library:
        return error
    linked = route.link.ref if route.link is not None else "?"
    return HubPluginError(
        f"{error.message}; the card's checkpoint was made with {library} {linked} (its repo-link), "
        f"{library} {installed_version(library) or 'not installed'} is installed: its parameter "
        "names differ",
        hint=f"install the {library} version the card links (pip install {library}=="
        f"{linked.lstrip('v')}), or --load-matching to load what matches",
    )


__all__ = ["ServedCard", "card_requirements", "installed_version", "library_mismatch", "require_library",
           "required_cards", "served_card"]
