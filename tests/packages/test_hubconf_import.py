"""Model packages import under namespaces of their own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hub_plugin.errors import PackageImportError
from hub_plugin.packages.hubconf_import import import_hubconf, import_package


def make_package(folder: Path, answer: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "utils.py").write_text(f"ANSWER = {answer}\n")
    (folder / "hubconf.py").write_text(
        "from .utils import ANSWER\n\ndef create_network(name):\n    return ANSWER\n"
    )
    return folder


def test_helper_modules_with_the_same_name_do_not_collide(tmp_path: Path) -> None:
    first = import_hubconf(make_package(tmp_path / "alpha", 1))
    second = import_hubconf(make_package(tmp_path / "beta", 2))
    assert (first.create_network("x"), second.create_network("x")) == (1, 2)
    assert "utils" not in sys.modules or not hasattr(sys.modules["utils"], "ANSWER")


def test_two_folders_with_the_same_name_both_import(tmp_path: Path) -> None:
    one = import_hubconf(make_package(tmp_path / "a" / "twin", 10))
    two = import_hubconf(make_package(tmp_path / "b" / "twin", 20))
    assert (one.create_network("x"), two.create_network("x")) == (10, 20)
    assert one.__name__ != two.__name__
    assert import_package(tmp_path / "a" / "twin").__name__ == one.__name__.rsplit(".", 1)[0]


def test_a_folder_without_init_imports_as_a_namespace_package(tmp_path: Path) -> None:
    """Issue 28, item 5: ``list``, ``info`` and ``trust add`` took a package without
    ``__init__.py`` and ``load`` refused it; now every command takes it, relative imports work,
    and its modules are still checked against the listing trust was given for."""
    folder = make_package(tmp_path / "loose", 7)
    (folder / "__init__.py").unlink()
    assert import_hubconf(folder).create_network("x") == 7
    other = make_package(tmp_path / "elsewhere" / "loose2", 8)
    (other / "__init__.py").unlink()
    from hub_plugin.errors import CodeChangedSinceTrust

    with pytest.raises(CodeChangedSinceTrust, match=r"hubconf\.py"):
        import_hubconf(other, listing={"utils.py": "0" * 64})
    with pytest.raises(PackageImportError, match="not a folder"):
        import_package(tmp_path / "missing")


def test_an_error_inside_leaves_nothing_half_imported(tmp_path: Path) -> None:
    folder = make_package(tmp_path / "broken", 0)
    (folder / "__init__.py").write_text("raise ValueError('broken package')\n")
    with pytest.raises(ValueError):
        import_package(folder)
    assert not any(name.endswith(".broken") for name in sys.modules)
