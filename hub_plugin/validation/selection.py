"""Which files ``validate`` checks: only cards are cards.

The files given are taken as they are; folders are searched for Markdown (READMEs and dot paths
left out: :mod:`hub_plugin.cards.card_files` says which files are cards, for this gate, the
hub index and the lookup alike) and model packages' ``package.yaml``, without recursion and at most
:data:`~hub_plugin.core.file_tree.DEFAULT_MAX_DEPTH` folders deep (a deeper folder is
skipped with a note; no card is served from there). On top of that:

- **A hub's layout.** A folder that holds MindSpore Hub's card folder, ``mshub_res/assets/``
  (:data:`HUB_CARD_FOLDERS`), is a hub's root: its cards are the Markdown files under that folder,
  each checked as a card. The rest of ``mshub_res/`` is the hub's own (the templates
  ``mshub_res/examples/commit_example*.md``: :func:`~hub_plugin.cards.card_files.is_hub_resource`)
  and skipped with a note, front matter or not. Other Markdown in the hub (``CONTRIBUTING.md``,
  ``RELEASE.md``, ``.gitee/PULL_REQUEST_TEMPLATE.md``) is checked only if it has front matter;
  without it, it is skipped with a note. The same holds for a file given by name (as pre-commit
  and ``--changed-since`` pass them) that lies in a hub outside its card folder.
- **Globs.** ``--include GLOB`` keeps only the files that match one of them, ``--exclude GLOB``
  drops those that match one; a glob is matched (:func:`fnmatch.fnmatchcase`, where ``*`` also
  crosses ``/``) against the path relative to the folder given, or the path as given for a file,
  and against the file's name alone.

**Nothing found.** :func:`select_cards` also counts what it looked at (the candidate files, the
files each glob kept or left out), so that an empty selection is told in one line naming what was
searched (:func:`describe_search`): ``validate`` makes it a usage error (exit 2) unless
``--allow-empty`` says an empty run is a pass (:class:`~hub_plugin.errors.NoCardsFound`).

Front matter here is what a card opens with: a ``---`` line with only blank lines and Markdown
headings before it (as every MindSpore Hub card is written: ``# title``, a blank line, ``---``).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..cards.card_files import HUB_CARD_FOLDER, is_card_file, is_dot_path, is_hub_resource
from ..core.file_tree import DEFAULT_MAX_DEPTH, walk_files
from ..errors import UsageError

PACKAGE_FILE = "package.yaml"
#: The card folders of known hub layouts, relative to the hub's root.
HUB_CARD_FOLDERS = (HUB_CARD_FOLDER,)


@dataclass(frozen=True)
class Skipped:
    """A file left out, and why (a note of the report)."""

    path: str
    reason: str


@dataclass
class CardSelection:
    """The files to check, those skipped, and the hub card folders found (relative to their root)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    hub_layouts: list[str] = field(default_factory=list)
    #: Card-like files found (Markdown but READMEs, ``package.yaml``) before the globs.
    candidates: int = 0
    #: The ``--include`` globs that kept at least one of them.
    included: set[str] = field(default_factory=set)
    #: How many of them each ``--exclude`` glob left out.
    excluded: dict[str, int] = field(default_factory=dict)

    def wanted(self, relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
        """Whether the globs keep the candidate at ``relative``; counted for :func:`describe_search`."""
        self.candidates += 1
        kept = [glob for glob in include if _matches(relative, [glob])]
        self.included.update(kept)
        if include and not kept:
            return False
        dropped = [glob for glob in exclude if _matches(relative, [glob])]
        for glob in dropped:
            self.excluded[glob] = self.excluded.get(glob, 0) + 1
        return not dropped


def describe_search(paths: Sequence[str | os.PathLike[str]], selection: CardSelection, *,
                    include: Sequence[str] = (), exclude: Sequence[str] = ()) -> str:
    """One line naming what was searched and why nothing was kept, for an empty ``selection``:
    ``searched cards/ (3 candidate files; --include '*.yml' matched none of them)``."""
    where = ", ".join(str(path) for path in paths) or "nothing (no PATH given)"
    why: list[str] = []
    if not selection.candidates:
        why.append("no Markdown card or package.yaml there")
    else:
        found = selection.candidates
        why.append(f"{found} candidate file{'s' if found != 1 else ''}")
        unmatched = [glob for glob in include if glob not in selection.included]
        if unmatched:
            globs = " ".join(f"--include {glob!r}" for glob in unmatched)
            why.append(f"{globs} matched none of them")
        for glob in exclude:
            if selection.excluded.get(glob):
                why.append(f"--exclude {glob!r} left out {selection.excluded[glob]}")
    if selection.skipped:
        why.append(f"{len(selection.skipped)} skipped, not cards (the notes say why)")
    return f"searched {where} ({'; '.join(why)})"


def opens_with_front_matter(path: Path) -> bool:
    """Whether the file starts as a card does: blank lines and headings, then ``---``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return True  # unreadable: let the validator report it
    for line in head.decode("utf-8", "replace").lstrip("\ufeff").splitlines():
        text = line.strip()
        if text == "---":
            return True
        if text and not text.startswith("#"):
            return False
    return False


def hub_card_folder(root: Path) -> Path | None:
    """The card folder of a hub whose root is ``root``, when ``root`` is one."""
    for relative in HUB_CARD_FOLDERS:
        if (root / relative).is_dir():
            return root / relative
    return None


def _layout(card_folder: Path) -> str:
    """``mshub_res/assets``: the card folder relative to its hub's root."""
    for relative in HUB_CARD_FOLDERS:
        if card_folder.as_posix().endswith(f"/{relative}") or card_folder.as_posix() == relative:
            return relative
    return card_folder.name


def _hub_of(path: Path) -> Path | None:
    """The card folder of the hub ``path`` lies in, if any (searched upwards)."""
    for folder in Path(os.path.abspath(path)).parents:
        found = hub_card_folder(folder)
        if found is not None:
            return found
        if (folder / ".git").exists():
            return None
    return None


def never_served(path: Path) -> str | None:
    """Why the Markdown file ``path`` is no card of the hub it lies in (a README or a dot path under
    the hub's card folder, which no client serves:
    :mod:`hub_plugin.cards.card_files`), or None."""
    if path.suffix.lower() != ".md":
        return None
    hub = _hub_of(path)
    if hub is None or not _inside(path, hub):
        return None
    relative = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(hub)))
    if not is_card_file(path):
        return f"not a card: a README in the hub's card folder {_layout(hub)}/, which no client serves"
    if is_dot_path(relative):
        return f"not a card: a dot path in the hub's card folder {_layout(hub)}/, which no client serves"
    return None


def _hub_root(card_folder: Path) -> Path:
    """The root of the hub whose card folder is ``card_folder`` (``mshub_res/assets`` two up)."""
    root = Path(os.path.abspath(card_folder))
    for _ in Path(_layout(card_folder)).parts:
        root = root.parent
    return root


def hub_resource(path: Path, card_folder: Path) -> str | None:
    """Why ``path``, in the hub whose card folder is ``card_folder``, is one of the hub's own
    resources and no card (:func:`~hub_plugin.cards.card_files.is_hub_resource`), or None."""
    root = _hub_root(card_folder)
    try:
        relative = Path(os.path.abspath(path)).relative_to(root)
    except ValueError:
        return None
    if not is_hub_resource(relative):
        return None
    return (f"not a card: one of the hub's own files under {relative.parts[0]}/, outside its card "
            f"folder {_layout(card_folder)}/ (a template, an example)")


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(folder)) in Path(os.path.abspath(path)).parents


def _matches(relative: str, globs: Sequence[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(name, glob) for glob in globs)


def _wanted(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    return (not include or _matches(relative, include)) and not _matches(relative, exclude)


def _found_in(folder: Path, too_deep: list[Path], readmes: list[Path]) -> list[Path]:
    """The cards and packages under ``folder``; READMEs among the Markdown go to ``readmes``."""
    found: list[Path] = []
    for path in walk_files(folder, skip_folder=lambda name: name.startswith("."),
                           too_deep=too_deep.append):
        if path.name.startswith("."):
            continue
        if is_card_file(path) or path.name == PACKAGE_FILE:
            found.append(path)
        elif path.suffix.lower() == ".md":
            readmes.append(path)
    return sorted(found)


def select_cards(paths: Iterable[str | os.PathLike[str]], *, include: Sequence[str] = (),
                 exclude: Sequence[str] = ()) -> CardSelection:
    """The cards among ``paths``; see the module docstring. Raises :class:`UsageError` for a path
    that does not exist."""
    selection = CardSelection()

    def not_a_card(path: Path, hub: Path) -> None:
        where = _layout(hub)
        selection.skipped.append(Skipped(str(path), f"not a card: Markdown without front matter, "
                                                    f"outside the hub's card folder {where}/"))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            hub = hub_card_folder(path)
            if hub is not None:
                selection.hub_layouts.append(_layout(hub))
            too_deep: list[Path] = []
            readmes: list[Path] = []
            for found in _found_in(path, too_deep, readmes):
                if not selection.wanted(found.relative_to(path).as_posix(), include, exclude):
                    continue
                resource = hub_resource(found, hub) if hub is not None else None
                if resource is not None:
                    selection.skipped.append(Skipped(str(found), resource))
                    continue
                if (hub is not None and found.name != PACKAGE_FILE and not _inside(found, hub)
                        and not opens_with_front_matter(found)):
                    not_a_card(found, hub)
                    continue
                selection.files.append(found)
            selection.skipped.extend(
                Skipped(str(deep), f"not searched: deeper than {DEFAULT_MAX_DEPTH} folders")
                for deep in too_deep)
            if hub is not None:  # said, so that a pull request adding one is not just "0 checked"
                selection.skipped.extend(
                    Skipped(str(readme), f"not a card: a README in the hub's card folder "
                                         f"{_layout(hub)}/, which no client serves")
                    for readme in sorted(readmes) if _inside(readme, hub)
                    and _wanted(readme.relative_to(path).as_posix(), include, exclude))
        elif path.exists():
            if not selection.wanted(path.as_posix(), include, exclude):
                continue
            hub = _hub_of(path) if path.name != PACKAGE_FILE else None
            reason = (never_served(path) or hub_resource(path, hub)) if hub is not None else None
            if reason is not None:
                selection.skipped.append(Skipped(str(path), reason))
                continue
            if hub is not None and not _inside(path, hub) and not opens_with_front_matter(path):
                not_a_card(path, hub)
                continue
            selection.files.append(path)
        else:
            raise UsageError(f"no such file or folder: {given}")
    return selection
