"""Which route builds a card's network: a model package, a library package, or the model zoo's code.

A card of a model package (beside its ``hubconf.py``) is built by that package. A hub card has no
package folder; it names the code that built it with its ``repo-link`` (repository, ref, folder).
A package serves such cards when its ``package.yaml`` says so::

    serves:
      - repository: [https://gitee.com/mindspore/models, https://github.com/mindspore-ai/models]
        folder: official/cv/simclr         # a glob pattern of the repo-link's folder
        ref: "*"                           # optional, a glob of the ref (default: every ref)
        uid: "*/simclr_encoder_*"          # optional, a glob of the hub card's UID
        card: simclr_encoder_cifar10       # the package card whose network, requires, shape apply
      - repository: https://github.com/mindspore-lab/mindcv
        folder: configs/*
        network: mindcv_model              # or a hubconf network, built from the card's fields
        library: mindcv                    # the library it comes from (its version is reported)

A card that says what builds it (its ``network`` field, :mod:`hub_plugin.cards.network_spec`: what
``train``, ``eval`` and ``export`` write) is built by the package that field names, with the field's
arguments, before any ``serves`` rule or the zoo is asked (issue 28): a user's own card, by path or
by UID from any hub, builds the network its weights belong to.

The first rule, in registry order (bundled packages first), that matches the card's repository,
folder, ref and UID wins: a package wins over the zoo's code. A rule with ``library`` is the
*library* route. Repositories compare without scheme, ``.git`` or case of the host. Nothing here
fetches, imports or runs anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ..cards.manifest import Manifest
from ..cards.network_spec import NetworkSpec
from ..cards.repo_link import RepoLink, parse_repo_link
from ..errors import RepoLinkError

if TYPE_CHECKING:
    from .registry import ModelPackage, Registry

RouteKind = Literal["package", "library", "zoo", "none"]


def repository_identity(url: str) -> str:
    """``gitee.com/mindspore/models`` for every spelling of that repository's URL."""
    parts = urlsplit(url.strip())
    path = parts.path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    return f"{(parts.hostname or '').lower()}/{path}"


@dataclass(frozen=True)
class ServeRule:
    """One entry of a package's ``serves``: which hub cards it builds and how."""

    package: ModelPackage
    index: int
    repositories: tuple[str, ...]
    folder: str
    ref: str = "*"
    uid: str | None = None
    card: str | None = None
    network: str | None = None
    library: str | None = None
    input_shape: tuple[int, ...] | None = None

    @classmethod
    def from_settings(cls, package: ModelPackage, index: int, entry: Mapping[str, Any]) -> ServeRule:
        repositories = entry.get("repository") or ()
        if isinstance(repositories, str):
            repositories = (repositories,)
        shape = entry.get("input-shape")
        return cls(
            package, index, tuple(str(r) for r in repositories), str(entry.get("folder", "")),
            str(entry.get("ref") or "*"), entry.get("uid"), entry.get("card"), entry.get("network"),
            entry.get("library"), tuple(int(d) for d in shape) if shape else None,
        )

    def matches_folder(self, link: RepoLink) -> bool:
        """Whether the card's repository, folder and ref are this rule's (its UID aside)."""
        identities = {repository_identity(r) for r in self.repositories}
        return (repository_identity(link.repository) in identities
                and fnmatchcase(link.folder, self.folder) and fnmatchcase(link.ref, self.ref))

    def matches(self, link: RepoLink, address: str) -> bool:
        """Whether this rule serves the card with ``link`` and UID (or stem) ``address``."""
        return self.matches_folder(link) and (self.uid is None or fnmatchcase(address, self.uid))

    @property
    def where(self) -> str:
        """``models/simclr/package.yaml serves[0]``: where the rule is written."""
        return f"{self.package.path / 'package.yaml'} serves[{self.index}]"

    def describe(self) -> str:
        """What the rule matches, for ``info`` and messages."""
        uid = f", UID {self.uid}" if self.uid else ""
        return f"{self.repositories[0]} folder {self.folder} at ref {self.ref}{uid}"


@dataclass(frozen=True)
class Route:
    """How a card's network is built: ``kind``, and why (``reason``, one line)."""

    kind: RouteKind
    reason: str
    package: ModelPackage | None = None
    rule: ServeRule | None = None
    link: RepoLink | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # the package card's settings
    spec: NetworkSpec | None = None  # the card's own network field, when it says what builds it

    @property
    def network(self) -> str | None:
        """The hubconf network that builds the card, for the package and library routes."""
        if self.rule is not None and self.rule.network:
            return self.rule.network
        value = self.settings.get("network")
        return value if isinstance(value, str) else None


def serve_rules(packages: Sequence[ModelPackage]) -> list[ServeRule]:
    """Every package's ``serves`` entries, in order."""
    rules = []
    for package in packages:
        for index, entry in enumerate(package.settings.get("serves") or ()):
            if isinstance(entry, Mapping):
                rules.append(ServeRule.from_settings(package, index, entry))
    return rules


def _link(manifest: Manifest) -> RepoLink | None:
    try:
        return parse_repo_link(manifest.repo_link) if manifest.repo_link else None
    except RepoLinkError:
        return None


def route_for(registry: Registry, manifest: Manifest) -> Route:
    """The route that builds ``manifest``'s network (see the module docstring)."""
    spec = manifest.network_spec
    if manifest.package is not None:  # its package.yaml says the rest; the field, the arguments
        package = registry.package(manifest.package)
        return Route("package", f"the card is part of the model package {package.name} "
                     f"({package.path})", package, settings=package.card_settings(manifest.name),
                     spec=spec)
    if spec is not None:
        return card_route(registry, manifest, spec)
    link = _link(manifest)
    if link is None:
        return Route("none", "the card is in no model package, no package serves it and its "
                     "repo-link names no repository" if not manifest.repo_link else
                     f"its repo-link {manifest.repo_link!r} names no repository hub-plugin can fetch")
    address = manifest.uid or manifest.name
    for rule in serve_rules(registry.packages()):
        if rule.matches(link, address):
            settings = rule.package.card_settings(rule.card) if rule.card else {}
            kind: RouteKind = "library" if rule.library else "package"
            what = f"the library {rule.library} through " if rule.library else ""
            return Route(kind, f"built by {what}the model package {rule.package.name}: its "
                         f"{rule.where} serves {rule.describe()}", rule.package, rule, link, settings)
    return Route("zoo", f"no model package serves {link.repository} folder {link.folder or '/'}; "
                 "the zoo's own code builds it", link=link)


def card_route(registry: Registry, manifest: Manifest, spec: NetworkSpec) -> Route:
    """The route of a card whose ``network`` field names its package and network: that package,
    with the settings of its own card built by the same network (its input shape), the network
    and the card's ``requires`` on top."""
    package = registry.package(spec.package)
    settings: dict[str, Any] = {}
    for name in package.cards:
        own = package.card_settings(name)
        if own.get("network") == spec.network:
            settings = {k: v for k, v in own.items() if k not in ("requires", "network")}
            break
    settings.update({"network": spec.network, "requires": list(manifest.requires)})
    return Route("package", f"the card's network field names {spec.package}.{spec.network}: built by "
                 f"the model package {package.name} ({package.path})", package,
                 link=_link(manifest), settings=settings, spec=spec)


def could_serve(registry: Registry, manifest: Manifest) -> list[str]:
    """The packages that serve the card's folder (for other UIDs) or are named as its model:
    for a "no entry point" message. ``hub-plugin load <name>`` builds each one's default card."""
    link = _link(manifest)
    found: dict[str, None] = {}
    for rule in serve_rules(registry.packages()):
        if link is not None and rule.matches_folder(link):
            found[rule.package.name] = None
    model = (manifest.model_name or "").lower()
    for package in registry.packages():
        if model and package.name.lower() == model:
            found[package.name] = None
    return list(found)


__all__ = ["Route", "ServeRule", "card_route", "could_serve", "repository_identity", "route_for",
           "serve_rules"]
