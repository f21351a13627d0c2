"""Which cards differ from a git ref: what a pull-request gate validates (``--changed-since``).

Through the ``git`` command. The cards compared are those of the working tree (committed or not,
and new files git does not ignore) against the merge base of ``REF`` and ``HEAD``, so cards that
changed on the target branch after the pull request branched off are not counted as changes of
the pull request. Added, modified, copied, renamed and retyped cards are to be validated (a
renamed card under its new name); deleted ones are listed. Paths are resolved from ``cwd``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..cards.card_files import is_card_file
from ..errors import UsageError
from .selection import never_served

PACKAGE_FILE = "package.yaml"


@dataclass(frozen=True)
class ChangedCards:
    """The cards to validate and the cards deleted since ``ref`` (paths as the user gave them)."""

    ref: str
    changed: tuple[Path, ...]
    deleted: tuple[Path, ...]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise UsageError("--changed-since needs the git command, which is not installed") from error


def _is_checked(path: Path) -> bool:
    """A card or a package file; or a README in a hub's card folder, which the selection then
    notes as never served (so a pull request adding one is told why it was not checked)."""
    return is_card_file(path) or path.name == PACKAGE_FILE or (
        path.suffix.lower() == ".md" and never_served(path) is not None)


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _shown(path: Path, cwd: Path) -> Path:
    try:
        return path.relative_to(cwd)
    except ValueError:
        return path


def changed_cards(ref: str, paths: Iterable[str | os.PathLike[str]] = (),
                  cwd: str | os.PathLike[str] | None = None) -> ChangedCards:
    """The cards under ``paths`` (default: the current folder) that differ from ``ref``.

    Raises :class:`UsageError` outside a git repository or for a ref git does not know.
    """
    here = Path(cwd or os.getcwd()).resolve()
    top = _git(["rev-parse", "--show-toplevel"], here)
    if top.returncode != 0:
        raise UsageError(f"--changed-since needs a git repository, and {here} is not in one")
    root = Path(top.stdout.strip()).resolve()
    known = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if known.returncode != 0:
        raise UsageError(f"--changed-since: git knows no commit {ref!r}",
                         hint="in a shallow CI checkout, fetch it first (actions/checkout with "
                              "fetch-depth: 0, or git fetch origin main)")
    base = _git(["merge-base", known.stdout.strip(), "HEAD"], root)
    since = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else known.stdout.strip()
    # Renames only when the text is (nearly) the same: cards are alike, and a looser match would
    # pair a deleted card with an unrelated new one and so hide the deletion.
    diff = _git(["diff", "--name-status", "-z", "--find-renames=90%", "--no-ext-diff", since, "--"], root)
    if diff.returncode != 0:
        raise UsageError(f"git diff against {ref!r} failed: {diff.stderr.strip().splitlines()[-1:]}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)

    changed: list[Path] = []
    deleted: list[Path] = []
    fields = diff.stdout.split("\0")
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status[:1] in ("R", "C"):
            changed.append(root / fields[i + 2])  # the new name (fields[i + 1] is the old one)
            i += 3
            continue
        name = fields[i + 1]
        i += 2
        (deleted if status[:1] == "D" else changed).append(root / name)
    changed.extend(root / name for name in untracked.stdout.split("\0") if name)

    given = [Path(p) for p in paths]
    for path in given:
        if not (here / path).exists():
            raise UsageError(f"no such file or folder: {path}")
    roots = [(here / p).resolve() for p in given] or [here]
    pick = sorted({p for p in changed if _is_checked(p) and _within(p, roots) and p.is_file()})
    gone = sorted({p for p in deleted if (is_card_file(p) or p.name == PACKAGE_FILE)
                   and _within(p, roots)} - set(pick))
    return ChangedCards(ref, tuple(_shown(p, here) for p in pick), tuple(_shown(p, here) for p in gone))
