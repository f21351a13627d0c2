"""The registry: where cards and model packages are found, and how a name finds its card.

Roots, searched in this order:

1. the bundled ``models/`` (trusted; see :mod:`hub_plugin.core.resources`);
2. folders given with ``--registry DIR`` or ``Registry.open(extra_dirs)``;
3. folders in ``HUB_PLUGIN_REGISTRY`` (an ``os.pathsep`` list);
4. installed plugin packages, through the entry-point group ``hub_plugin.models``: each entry point
   names an importable package whose folder is a root (found without importing it).

A root holds cards (``*.md`` but READMEs) and model packages (folders with a ``hubconf.py`` or a
``package.yaml``). A name is one of:

* a card's file stem: ``simclr_linearclassifier_cifar10``;
* a MindSpore Hub UID, ``publisher/version/stem``, for a root laid out ``publisher/version/stem.md``:
  ``mindspore/1.8/simclr_encoder_cifar10``;
* a model package's folder name: ``simclr``, meaning its default card (``package.yaml``'s
  ``default-card``, or its only card);
* a path to a card file;
* a MindSpore Hub card URL (Gitee or GitHub, ``blob`` or ``raw``), meaning the UID it names
  (:mod:`.card_url`).

A UID that no root answers is looked up in the synced hubs when the registry is opened with
``hubs`` (:mod:`hub_plugin.hubs.lookup`; the CLI and the API do). An ambiguous name is an
:class:`AmbiguousName` listing the candidates; an unknown one a :class:`ModelNotFound` suggesting
close matches, each once (for a bare stem, the synced hubs' UIDs whose last part is or is close
to it come first). Nothing here imports MindSpore or runs a hubconf.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..cards.card_files import hub_card_uid, is_card_file
from ..cards.manifest import Manifest
from ..cards.profiles import Profile
from ..core.file_tree import walk_folders
from ..core.resources import models_dir
from ..core.settings import REGISTRY_VARIABLE, Settings, current_settings
from ..errors import AmbiguousName, ModelNotFound, RegistryError
from ..hubs.lookup import HubCards, is_uid
from ..validation.validator import PACKAGE_FILE, read_manifest, validate_file
from .card_url import uid_from_card_url
from .entries import CardEntry, Root

ENTRY_POINT_GROUP = "hub_plugin.models"
REGISTRY_ENV = REGISTRY_VARIABLE
_SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages"}


@dataclass(frozen=True)
class ModelPackage:
    """A folder with a ``hubconf.py`` (and its cards): ``simclr`` is ``models/simclr``."""

    name: str
    path: Path
    root: Root
    cards: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def default_card(self) -> str | None:
        chosen = self.settings.get("default-card")
        if isinstance(chosen, str):
            return chosen
        return self.cards[0] if len(self.cards) == 1 else None

    def card_settings(self, card: str) -> Mapping[str, Any]:
        """``package.yaml``'s entry for a card (``network``, ``requires``), or ``{}``."""
        cards = self.settings.get("cards") or {}
        entry = cards.get(card) if isinstance(cards, Mapping) else None
        return entry if isinstance(entry, Mapping) else {}

    @property
    def hubconf(self) -> Path:
        return self.path / "hubconf.py"


def _read_package_settings(path: Path) -> dict[str, Any]:
    """A package's ``package.yaml``, validated (see :func:`check_package_settings`), or ``{}``."""
    settings_file = path / PACKAGE_FILE
    if not settings_file.is_file():
        return {}
    report = validate_file(settings_file)
    if report.errors:
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        raise RegistryError(f"{report.errors[0]}{more}")
    from ..core.yamlio import load_mapping

    return load_mapping(settings_file)


def _plugin_roots() -> list[Root]:
    """Roots from the ``hub_plugin.models`` entry points, located without importing them."""
    import importlib.util
    from importlib.metadata import entry_points

    roots = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        module = entry.value.split(":", 1)[0].strip()
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations and spec is not None and spec.origin:
            locations = [str(Path(spec.origin).parent)]
        dist = entry.dist.name if entry.dist is not None else "?"
        if not locations:
            raise RegistryError(
                f"plugin {entry.name!r} (from {dist}) names {module!r}, which cannot be found"
            )
        roots.append(Root(Path(locations[0]), f"plugin {dist}:{entry.name}"))
    return roots


class Registry:
    """The cards and model packages of a set of roots; see the module docstring.

    Discovery happens once, on first use; cards are read (and validated) when resolved.
    """

    def __init__(
        self, roots: Sequence[Root], profile: Profile = "mindspore-hub", hubs: HubCards | None = None
    ) -> None:
        self.roots = list(roots)
        self.profile = profile
        self.hubs = hubs

    @classmethod
    def open(
        cls,
        extra_dirs: Iterable[str | os.PathLike[str]] = (),
        *,
        bundled: bool = True,
        environment: bool = True,
        plugins: bool = True,
        hubs: HubCards | None = None,
        settings: Settings | None = None,
    ) -> Registry:
        """The registry of the bundled models, ``extra_dirs``, ``HUB_PLUGIN_REGISTRY`` and plugins,
        and, when ``hubs`` is given, the cards of the synced hubs by UID.

        Raises :class:`RegistryError` for a folder that does not exist.
        """
        roots: list[Root] = []
        if bundled:
            roots.append(Root(models_dir(), "bundled", trusted=True))
        for folder in extra_dirs:
            roots.append(cls._checked(Path(folder), "--registry"))
        if environment:
            for folder in current_settings(settings).environment_registries:
                roots.append(cls._checked(folder, REGISTRY_ENV))
        if plugins:
            roots.extend(_plugin_roots())
        return cls(roots, hubs=hubs)

    @staticmethod
    def _checked(path: Path, source: str) -> Root:
        if not path.is_dir():
            raise RegistryError(f"registry folder not found: {path} (from {source})")
        return Root(path.resolve(), source)

    # --- discovery ----------------------------------------------------------------------------

    def _scan(self, root: Root) -> tuple[list[CardEntry], list[ModelPackage]]:
        entries: list[CardEntry] = []
        packages: list[ModelPackage] = []
        for here, dirs, files in walk_folders(root.path):  # any depth (issue 27, hole 5)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
            relative = here.relative_to(root.path).parts
            is_package = "hubconf.py" in files or PACKAGE_FILE in files
            package = here.name if is_package else None
            cards = sorted(f for f in files if is_card_file(Path(f)))
            for card in cards:
                stem = Path(card).stem
                uid = hub_card_uid(Path(*relative, card))  # a UID as a hub's would be
                entries.append(CardEntry(stem, here / card, root, uid, package))
            if is_package:
                packages.append(ModelPackage(
                    here.name, here, root, tuple(Path(c).stem for c in cards),
                    _read_package_settings(here),
                ))
        return entries, packages

    @cached_property
    def _discovered(self) -> tuple[list[CardEntry], list[ModelPackage]]:
        entries: list[CardEntry] = []
        packages: list[ModelPackage] = []
        for root in self.roots:
            found_entries, found_packages = self._scan(root)
            entries.extend(found_entries)
            packages.extend(found_packages)
        return entries, packages

    def cards(self) -> list[CardEntry]:
        """Every card of every root, in root order."""
        return list(self._discovered[0])

    def packages(self) -> list[ModelPackage]:
        """Every model package of every root, in root order."""
        return list(self._discovered[1])

    def package(self, name: str) -> ModelPackage:
        """The model package called ``name``; two of that name are an error naming both."""
        found = [p for p in self.packages() if p.name == name]
        if len(found) > 1:
            raise AmbiguousName(name, [f"{p.path} ({p.root.source})" for p in found])
        if not found:
            known = sorted({p.name for p in self.packages()})
            raise ModelNotFound(name, difflib.get_close_matches(name, known, n=3))
        return found[0]

    # --- resolution ---------------------------------------------------------------------------

    def package_card(self, package: ModelPackage, name: str) -> Manifest:
        """The manifest of the card ``name`` (a file stem) of ``package``."""
        for entry in self.cards():
            if entry.name == name and entry.path.parent == package.path:
                return self.read(entry)
        raise ModelNotFound(f"{package.name}/{name}", difflib.get_close_matches(name, package.cards))

    def read(self, entry: CardEntry) -> Manifest:
        """The validated manifest of a card found with :meth:`find`."""
        manifest = read_manifest(entry.path, self.profile)
        return Manifest(
            name=entry.name, path=str(entry.path), fields=manifest.fields,
            positions=manifest.positions, uid=entry.uid, package=entry.package,
            body=manifest.body, origin=entry.origin,
        )

    def find(self, name: str) -> CardEntry:
        """The card a name addresses (see the module docstring), without reading it."""
        name = uid_from_card_url(name) or name  # MindSpore Hub's card URLs name their UID
        entries = self.cards()
        if name.endswith(".md") and Path(name).is_file():
            path = Path(name).resolve()
            found = next((e for e in entries if e.path.resolve() == path), None)
            if found is None and self.hubs is not None:
                found = self.hubs.entry_for_path(path)
            return found or CardEntry(path.stem, path, Root(path.parent, "path"))
        by_uid = [e for e in entries if e.uid == name]
        if by_uid:
            return self._one(name, by_uid)
        candidates = [e for e in entries if e.name == name]
        for package in self.packages():
            if package.name != name:
                continue
            default = package.default_card
            if default is None:
                raise ModelNotFound(
                    name, [f"{package.name} has cards {', '.join(package.cards)} "
                           f"but no default-card in {PACKAGE_FILE}"],
                )
            candidates.extend(e for e in entries if e.name == default and e.package == name
                              and e.path.parent == package.path)
        if candidates:
            return self._one(name, candidates)
        if self.hubs is not None and is_uid(name):
            found = self.hubs.find(name)
            if found is not None:
                return found
            close = self.hubs.close_matches(name)
            if close:
                raise ModelNotFound(name, close)
        known = sorted({e.name for e in entries} | {p.name for p in self.packages()}
                       | {e.uid for e in entries if e.uid})
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        if self.hubs is not None and "/" not in name:  # a bare stem: the synced hubs' UIDs too
            close = [*self.hubs.stem_matches(name), *close]
        raise ModelNotFound(name, list(dict.fromkeys(close))[:3])

    @staticmethod
    def _one(name: str, candidates: list[CardEntry]) -> CardEntry:
        unique = list({e.path.resolve(): e for e in candidates}.values())
        if len(unique) > 1:
            raise AmbiguousName(
                name, [f"{e.address} ({e.path}, {e.root.source})" for e in unique]
            )
        return unique[0]

    def resolve(self, name: str) -> Manifest:
        """The validated manifest of the card ``name`` addresses.

        Raises :class:`ModelNotFound`, :class:`AmbiguousName`, or :class:`CardError` with every
        defect of an invalid card.
        """
        return self.read(self.find(name))
