"""Issue 27 hole 2: what runs is what was hashed, whatever the code does to ``sys.path``.

A trusted package or zoo folder that puts one of its sub-folders on ``sys.path`` and imports a
module from it went to Python's own path finder, which ran a planted ``__pycache__/*.pyc`` (an
unchecked-hash pyc compiled from other source) that the trust question never listed. The one
importer (:mod:`hub_plugin.trust.verified_import`) answers for any module whose file lies
inside a trusted folder, from its hashed source bytes, and never reads bytecode for it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import py_compile
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from card_samples import card_text, write_card
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_plugin.errors import BytecodeRefused
from hub_plugin.packages.hubconf_import import import_hubconf
from hub_plugin.registry import ModelPackage, Registry
from hub_plugin.trust.code_digest import code_digest
from hub_plugin.trust.gate import ensure_trusted, what_runs
from hub_plugin.trust.verified_import import (
    CodeChangedSinceTrust,
    loaded_from,
    register_source,
)
from hub_plugin.zoo.importer import zoo_key, zoo_scope

HUBCONF = '''
"""A package whose hubconf puts its own lib/ folder on sys.path, as zoo code does."""
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import {module} as helper


def outsider():
    """Code from elsewhere."""
    return helper.build()


def later(name):
    """A module imported long after the trust check, through the appended path."""
    import importlib

    return importlib.import_module(name).VALUE
'''


def plant_pyc(source: Path, evil: str, *, beside: bool = False) -> Path:
    """An unchecked-hash pyc compiled from ``evil``: where Python looks for ``source``'s cache,
    or (``beside``) a sourceless ``<name>.pyc`` where ``source`` would be."""
    fake = source.with_name(f"_evil_{source.stem}.py")
    source.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(evil, encoding="utf-8")
    cache = (source.with_suffix(".pyc") if beside
             else Path(importlib.util.cache_from_source(str(source))))
    py_compile.compile(str(fake), cfile=str(cache), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    fake.unlink()
    return cache


def marker_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')\ndef build(): return 'evil'\nVALUE = 'evil'\n"


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """sys.path and the modules a test imports under bare names are put back afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if not (name.startswith(("hub_plugin.", "_pytest", "hypothesis"))
                or name in ("hub_plugin", "hub_plugin_models", "hub_plugin_zoo")):
            del sys.modules[name]


def _package(tmp_path: Path, module: str) -> ModelPackage:
    folder = tmp_path / "registry" / "outsider"
    write_card(folder, "outsider_card", card_text())
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text(HUBCONF.format(module=module))
    (folder / "lib").mkdir()
    (folder / "lib" / f"{module}.py").write_text("def build():\n    return 'hashed'\n")
    (folder / "lib" / "late_one.py").write_text("VALUE = 'hashed later'\n")
    (folder / "package.yaml").write_text("cards:\n  outsider_card: {network: outsider}\n")
    registry = Registry.open([tmp_path / "registry"], environment=False, plugins=False)
    return registry.package("outsider")


def test_a_registry_packages_planted_pyc_found_through_sys_path_never_runs(
        tmp_path: Path, isolated_imports: None) -> None:
    module = f"helper_{tmp_path.name.replace('-', '_')}"
    package = _package(tmp_path, module)
    marker = tmp_path / "pwned"
    planted = plant_pyc(package.path / "lib" / f"{module}.py", marker_code(marker))
    plant_pyc(package.path / "lib" / "late_one.py", marker_code(marker))
    code = ensure_trusted(package, True)
    assert code is not None
    assert planted.relative_to(package.path).as_posix() in code.ignored
    assert "2 bytecode files in __pycache__ ignored, never read" in what_runs(code)
    hubconf = import_hubconf(package.path, code.files, code.scope)
    assert hubconf.outsider() == "hashed"
    assert hubconf.later("late_one") == "hashed later"  # a lazy import, through the appended path
    assert not marker.exists()
    assert loaded_from(sys.modules[module]) == hubconf.__name__.rpartition(".")[0]


def test_a_module_found_through_sys_path_is_checked_against_the_listing(
        tmp_path: Path, isolated_imports: None) -> None:
    module = f"helper_{tmp_path.name.replace('-', '_')}"
    package = _package(tmp_path, module)
    code = ensure_trusted(package, True)
    assert code is not None
    hubconf = import_hubconf(package.path, code.files, code.scope)
    marker = tmp_path / "pwned"
    (package.path / "lib" / "late_one.py").write_text(marker_code(marker))
    (package.path / "lib" / "added.py").write_text(marker_code(marker))
    with pytest.raises(CodeChangedSinceTrust, match=r"late_one.*changed since trust"):
        hubconf.later("late_one")
    with pytest.raises(CodeChangedSinceTrust, match=r"added.*not in the code trust was given for"):
        hubconf.later("added")
    assert not marker.exists()


def _trusted_folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


def test_sourceless_bytecode_in_a_trusted_folder_is_refused(
        tmp_path: Path, isolated_imports: None) -> None:
    folder = _trusted_folder(tmp_path, "trusted_sourceless", {"lib/real.py": "VALUE = 1\n"})
    marker = tmp_path / "pwned"
    plant_pyc(folder / "lib" / "ghost_module.py", marker_code(marker), beside=True)
    plant_pyc(folder / "lib" / "ghost_pkg" / "__init__.py", marker_code(marker), beside=True)
    register_source("hub_plugin_models.trusted_sourceless", folder,
                    listing=code_digest(folder).files)
    sys.path.append(str(folder / "lib"))
    for name in ("ghost_module", "ghost_pkg"):
        with pytest.raises(BytecodeRefused, match="bytecode without its source"):
            importlib.import_module(name)
    assert not marker.exists()


def test_modules_outside_the_trusted_folder_import_as_usual(
        tmp_path: Path, isolated_imports: None) -> None:
    folder = _trusted_folder(tmp_path, "trusted_beside", {
        "lib/first_wins.py": "WHERE = 'trusted'\n", "lib/only_inside.py": "WHERE = 'trusted'\n",
        "lib/space/inner.py": "WHERE = 'trusted'\n",
    })
    outside = _trusted_folder(tmp_path, "plain", {
        "first_wins.py": "WHERE = 'outside'\n", "only_outside.py": "WHERE = 'outside'\n",
        "space/other.py": "WHERE = 'outside'\n",
    })
    register_source("hub_plugin_models.trusted_beside", folder, listing=code_digest(folder).files)
    sys.path.extend([str(outside), str(folder / "lib")])
    first = importlib.import_module("first_wins")
    assert first.WHERE == "outside"  # sys.path's order, as Python has it
    assert isinstance(first.__spec__.loader, importlib.machinery.SourceFileLoader)
    assert importlib.import_module("only_outside").WHERE == "outside"
    inside = importlib.import_module("only_inside")
    assert inside.WHERE == "trusted" and loaded_from(inside) == "hub_plugin_models.trusted_beside"
    # a namespace package with a portion on each side
    assert importlib.import_module("space.other").WHERE == "outside"
    inner = importlib.import_module("space.inner")
    assert loaded_from(inner) == "hub_plugin_models.trusted_beside"
    assert importlib.import_module("json").__name__ == "json"  # the standard library as usual


ZOO_CONF = '''
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))
from lenet import KIND


def create_network(name):
    import late_net

    return KIND, late_net.KIND
'''


def test_a_zoo_folders_appended_src_runs_hashed_source_and_stays_its_own(
        tmp_path: Path, isolated_imports: None) -> None:
    marker = tmp_path / "pwned"
    built = []
    for tag in ("one", "two"):
        folder = _trusted_folder(tmp_path, tag, {
            "mindspore_hub_conf.py": ZOO_CONF, "src/lenet.py": f"KIND = 'lenet-{tag}'\n",
            "src/late_net.py": f"KIND = 'late-{tag}'\n",
        })
        plant_pyc(folder / "src" / "lenet.py", marker_code(marker))
        plant_pyc(folder / "src" / "late_net.py", marker_code(marker))
        key = zoo_key("https://example.org/appended-src-zoo", "c" * 40, tag)
        with zoo_scope(folder, key, "mindspore_hub_conf.py", code_digest(folder).files) as name:
            module = importlib.import_module(f"{name}.mindspore_hub_conf")
            built.append(module.create_network("lenet"))
        assert "lenet" not in sys.modules and "late_net" not in sys.modules
    assert built == [("lenet-one", "late-one"), ("lenet-two", "late-two")]
    assert not marker.exists()


TREE = {
    "top.py": "", "pkg/__init__.py": "", "pkg/mod.py": "", "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "", "ns/leaf.py": "", "ns/more/leaf2.py": "", "src/net.py": "",
}
NAMES = ["top", "pkg", "pkg.mod", "pkg.sub", "pkg.sub.deep", "mod", "sub", "sub.deep", "deep",
         "ns", "ns.leaf", "leaf", "more.leaf2", "leaf2", "net", "src.net"]
FOLDERS = ["", "pkg", "pkg/sub", "ns", "ns/more", "src", "pkg/__pycache__", "src/__pycache__"]


@pytest.fixture(scope="module")
def planted_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A trusted folder where every source has a planted pyc beside it in __pycache__."""
    root = tmp_path_factory.mktemp("tree")
    marker = root / "pwned"
    folder = _trusted_folder(root, "trusted_tree", {p: f"WHERE = {p!r}\n" for p in TREE})
    for relative in TREE:
        plant_pyc(folder / relative, marker_code(marker))
    listing = dict(code_digest(folder).files)
    register_source("hub_plugin_models.trusted_tree", folder, listing=listing)
    return folder, marker, listing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(st.sampled_from(FOLDERS), st.booleans()), max_size=5),
       name=st.sampled_from(NAMES))
def test_no_sys_path_manipulation_imports_an_unhashed_file(
        planted_tree: tuple[Path, Path, dict[str, str]], entries: list[tuple[str, bool]],
        name: str) -> None:
    folder, marker, listing = planted_tree
    saved_path, before = list(sys.path), set(sys.modules)
    try:
        for relative, front in entries:
            entry = str(folder / relative) if relative else str(folder)
            sys.path.insert(0, entry) if front else sys.path.append(entry)
        try:
            module = importlib.import_module(name)
        except ImportError:
            return
        for loaded in [sys.modules[n] for n in set(sys.modules) - before]:
            origin = getattr(loaded.__spec__, "origin", None)
            if origin and Path(origin).is_relative_to(folder):
                assert loaded_from(loaded) == "hub_plugin_models.trusted_tree"
                assert Path(origin).relative_to(folder).as_posix() in listing
        assert module.__name__ == name
    finally:
        sys.path[:] = saved_path
        for new in set(sys.modules) - before:
            del sys.modules[new]
    assert not marker.exists()
