"""Contained paths: untrusted relative folders parsed once into plain segments, and joined to their
root with no link followed and nothing outside (issue 17, cases 1, 2 and 13, the class of hole)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_plugin.core.contained_path import contained, inside, relative_folder
from hub_plugin.errors import PathEscape

#: Pieces an attacker strings together: dots and separators, encoded, doubled, mixed, in Unicode
#: forms that NFKC folds to them, and plain names.
PIECES = [
    ".", "..", "...", "/", "//", "\\", "%2e", "%2E%2e", "%2f", "%2F", "%252F", "%5c", "%00",
    "\x00", "\n", "．", "．．", "／", "＼", "\u2024", "\u2025", "\u2215", "\ufe52", " ", "~",
    "*", "a", "src", "official", "cv", "tree",
]
relative_texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join)


@pytest.mark.parametrize("text", [
    "..", "../victim", "a/../../b", "a/./b", "a//b", "/etc", "a\\..\\b", "．．/x", "a/．．",
    "a／..", "%2e%2e", "x%252Fy", "a/\x00", "a/b\n", " a", "a/*",
])
def test_unsafe_folders_are_refused(text: str) -> None:
    with pytest.raises(PathEscape, match=r"not a plain relative path|is absolute"):
        relative_folder(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("", ""), ("/", ""), ("official/cv/alexnet", "official/cv/alexnet"),
    ("research/cv/3D_DenseNet/", "research/cv/3D_DenseNet"), ("a.b/c-d_e", "a.b/c-d_e"),
])
def test_plain_folders_pass(text: str, expected: str) -> None:
    assert relative_folder(text) == expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=relative_texts)
def test_a_folder_that_passes_never_leaves_its_root(tmp_path: Path, text: str) -> None:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    try:
        folder = relative_folder(text)
    except PathEscape:
        return
    parts = folder.split("/") if folder else []
    assert all(part not in ("", ".", "..") and "\\" not in part for part in parts)
    joined = os.path.normpath(os.path.join(root, folder))
    assert joined == str(root) or joined.startswith(str(root) + os.sep)
    assert inside(root, contained(root, folder))


def test_a_link_on_the_way_is_refused_even_when_the_text_is_plain(tmp_path: Path) -> None:
    """A parser gap must not become an escape: the join itself follows no link."""
    root = tmp_path / "checkout"
    (root / "official").mkdir(parents=True)
    victim = tmp_path / "home"
    victim.mkdir()
    (root / "official" / "cv").symlink_to(victim, target_is_directory=True)
    with pytest.raises(PathEscape, match="symbolic link"):
        contained(root, "official/cv/alexnet")
    (root / "file-link").symlink_to(victim / "x")
    with pytest.raises(PathEscape, match="symbolic link"):
        contained(root, "file-link")
    assert contained(root, "official") == root / "official"
