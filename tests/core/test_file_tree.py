"""Issue 27, hole 5, as a class: whatever file tree a stranger makes (any depth, odd names, links),
walking it and removing it never crash and do what they say. Hypothesis builds the trees."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_plugin.core.file_tree import remove_tree, walk_files, walk_folders

#: Names a file system takes: anything but ``/`` and NUL, and not ``.`` or ``..``.
NAMES = st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
                min_size=1, max_size=12).filter(
    lambda n: n not in (".", "..") and len(os.fsencode(n)) <= 200)
PATHS = st.lists(st.lists(NAMES, min_size=1, max_size=6), max_size=12)


def _build(root: Path, paths: list[list[str]], deep: int) -> set[Path]:
    """The files of the tree made under ``root``: each path a file (unless a folder already holds
    that place), plus one file ``deep`` folders down, made one folder at a time."""
    files: set[Path] = set()
    for parts in paths:
        folder = root
        try:
            for part in parts[:-1]:
                folder = folder / part
                if folder.is_file():
                    raise NotADirectoryError
                folder.mkdir(exist_ok=True)
            target = folder / parts[-1]
            if not target.exists():
                target.write_bytes(b"x")
                files.add(target)
        except (NotADirectoryError, FileExistsError):
            continue
    folder = root / "deep"
    folder.mkdir(exist_ok=True)
    for _ in range(deep):
        folder = folder / "d"
        folder.mkdir(exist_ok=True)
    (folder / "card.md").write_bytes(b"x")
    files.add(folder / "card.md")
    (root / "loop").symlink_to(root)  # a link to a folder is never entered
    return files


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths=PATHS, deep=st.sampled_from([0, 3, 50, 1200]), max_depth=st.integers(0, 60))
def test_any_tree_is_walked_to_its_cap_and_removed(
    paths: list[list[str]], deep: int, max_depth: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "tree"
        root.mkdir()
        files = _build(root, paths, deep)
        too_deep: list[Path] = []
        walked = list(walk_files(root, max_depth=max_depth, too_deep=too_deep.append))
        depth = {p: len(p.relative_to(root).parts) - 1 for p in files}
        assert set(walked) == {p for p in files if depth[p] <= max_depth}
        assert len(walked) == len(set(walked))
        assert all(len(p.relative_to(root).parts) == max_depth + 1 for p in too_deep)
        listed = {here / name for here, _folders, names in walk_folders(root) for name in names}
        assert files | {root / "loop"} == listed  # every file at any depth, the link not entered
        remove_tree(root)
        assert not root.exists() and Path(scratch).exists()


def test_a_read_only_tree_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "zoo" / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "f.py").write_text("x")
    (folder / "f.py").chmod(0o444)
    folder.chmod(0o555)
    remove_tree(tmp_path / "zoo")
    assert not (tmp_path / "zoo").exists()


def test_a_link_is_removed_not_followed(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "f").write_text("x")
    (tmp_path / "link").symlink_to(kept)
    remove_tree(tmp_path / "link")
    remove_tree(tmp_path / "missing")
    assert (kept / "f").exists() and not (tmp_path / "link").exists()
