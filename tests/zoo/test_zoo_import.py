"""Importing zoo folders in isolation: each folder's ``src`` is its own, nothing leaks."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
import types
from pathlib import Path

import pytest

from hub_plugin.zoo.importer import top_level_names, zoo_key, zoo_scope

CONF = '''
import sys
import src.net
from src import net as net_module
from src.net import NAME
from model_utils.config import CONFIG
sys.path.insert(0, "/somewhere/the/zoo/wanted")

def create_network(name):
    import src.late
    import os
    return (name, NAME, src.net.NAME, net_module.NAME, CONFIG, src.late.LATE, os.getcwd())
'''


def _folder(root: Path, tag: str) -> Path:
    folder = root / tag
    files = {
        "mindspore_hub_conf.py": CONF,
        "src/__init__.py": "",
        "src/net.py": f"from .helpers import suffix\nNAME = '{tag}' + suffix()\n",
        "src/helpers.py": "from src.constants import SUFFIX\n\ndef suffix():\n    return SUFFIX\n",
        "src/constants.py": f"SUFFIX = '-{tag}'\n",
        "src/late.py": f"LATE = 'late-{tag}'\n",
        "model_utils/__init__.py": "",
        "model_utils/config.py": textwrap.dedent('''
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument("--device", default="CPU")
            CONFIG = parser.parse_args().device
        '''),
    }
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


def _build(folder: Path) -> tuple[object, ...]:
    key = zoo_key("https://example.org/zoo", "c" * 40, folder.name)
    with zoo_scope(folder, key, "mindspore_hub_conf.py") as package:
        module = importlib.import_module(f"{package}.mindspore_hub_conf")
        return tuple(module.create_network(folder.name))


def test_two_folders_with_one_src_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own_src = types.ModuleType("src")
    monkeypatch.setitem(sys.modules, "src", own_src)  # the caller's own 'src' must survive
    monkeypatch.setattr(sys, "argv", ["my-program", "--my-flag", "value"])
    path, cwd = list(sys.path), os.getcwd()
    one, two = _folder(tmp_path, "one"), _folder(tmp_path, "two")
    first, second = _build(one), _build(two)
    assert first == ("one", "one-one", "one-one", "one-one", "CPU", "late-one", str(one))
    assert second == ("two", "two-two", "two-two", "two-two", "CPU", "late-two", str(two))
    assert sys.modules["src"] is own_src and "model_utils" not in sys.modules
    assert sys.argv == ["my-program", "--my-flag", "value"]
    assert (sys.path, os.getcwd()) == (path, cwd)
    assert not list(tmp_path.rglob("__pycache__"))


def test_the_scope_is_restored_when_the_code_fails(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "hubconf.py").write_text("import sys, os\nsys.argv.append('x')\nraise RuntimeError('boom')\n")
    argv, cwd = list(sys.argv), os.getcwd()
    scope = zoo_scope(folder, zoo_key("u", "c", "b"), "hubconf.py")
    with pytest.raises(RuntimeError, match="boom"), scope as package:
        importlib.import_module(f"{package}.hubconf")
    assert (sys.argv, os.getcwd()) == (argv, cwd)
    assert not any(type(f).__name__ == "_FolderFinder" for f in sys.meta_path)


def test_top_level_names(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "names")
    (folder / "README.md").write_text("x")
    (folder / "not-a-name").mkdir()
    assert top_level_names(folder) == {"mindspore_hub_conf", "src", "model_utils"}


def test_keys_differ_by_repository_commit_and_folder() -> None:
    keys = {zoo_key("a", "c1", "f"), zoo_key("b", "c1", "f"), zoo_key("a", "c2", "f"),
            zoo_key("a", "c1", "g")}
    assert len(keys) == 4 and all(k.isidentifier() for k in keys)
