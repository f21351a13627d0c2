"""The one YAML reader (hub_plugin.core.yamlio): the only module that imports ``yaml``, the same
limits for every YAML file hub-plugin reads (cards, package.yaml, zoo configs, SimCLR's configs),
and every problem one typed line, never an internal error (issue 26; issue 27 hole 12)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
import yaml
from locations import REPO

from hub_plugin.cards.card import parse_card, parse_yaml
from hub_plugin.core import yamlio
from hub_plugin.errors import HubPluginError, RegistryError, YamlError

DEEP_FLOW = "x: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = "".join(" " * i + f"k{i}:\n" for i in range(yamlio.MAX_DEPTH + 2)) + " " * 40 + "v: 1\n"
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 9)}]" for i in range(1, 10)]
) + "\n"
OBJECT_TAG = "hook: !!python/object/apply:os.system ['true']\n"
HOSTILE = {"depth": DEEP_FLOW, "depth-block": DEEP_BLOCK, "alias": ALIAS_BOMB, "tag": OBJECT_TAG}
RULE = {"depth": "depth", "depth-block": "depth", "alias": "alias", "tag": "tag"}


def _modules_importing_yaml(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            if any(name == "yaml" or name.startswith("yaml.") for name in names):
                found.append(path.relative_to(REPO).as_posix())
    return found


def test_only_core_yamlio_imports_yaml() -> None:
    assert _modules_importing_yaml(REPO / "hub_plugin") == ["hub_plugin/core/yamlio.py"]
    assert _modules_importing_yaml(REPO / "models") == []  # model packages use hub_plugin's reader


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_yaml_is_one_typed_line_from_load(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(HOSTILE[kind], encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(YamlError) as raised:
        yamlio.load(path)
    assert time.perf_counter() - started < 5  # a guard against a hang, not a speed test
    message = str(raised.value)
    assert raised.value.rule == RULE[kind] and "\n" not in message
    assert message.startswith(f"{path}:{raised.value.line}:")
    assert isinstance(raised.value, HubPluginError) and isinstance(raised.value, ValueError)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_yaml_is_a_defect_in_cards_and_package_files(kind: str) -> None:
    card = parse_card("card.md", f"---\n{HOSTILE[kind]}---\n".encode())
    assert [d.rule for d in card.errors] == [RULE[kind]]
    root, defects = parse_yaml("package.yaml", HOSTILE[kind].encode())
    assert root is None and [d.rule for d in defects] == [RULE[kind]]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_package_yaml_is_one_line_from_the_registry(kind: str, tmp_path: Path) -> None:
    from hub_plugin.registry import Registry

    package = tmp_path / "registry" / "pkg"
    package.mkdir(parents=True)
    (package / "hubconf.py").write_text("def create_network(name):\n    return None\n")
    (package / "__init__.py").write_text("")
    (package / "package.yaml").write_text(HOSTILE[kind], encoding="utf-8")
    registry = Registry.open([tmp_path / "registry"], environment=False, plugins=False)
    with pytest.raises((RegistryError, YamlError)) as raised:
        registry.packages()
    assert RULE[kind] in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_zoo_config_is_one_line(kind: str, tmp_path: Path) -> None:
    from hub_plugin.zoo.config_choice import choose_config

    (tmp_path / "model_utils").mkdir()
    (tmp_path / "model_utils" / "config.py").write_text('parser.add_argument("--config_path")\n')
    (tmp_path / "default_config.yaml").write_text(HOSTILE[kind], encoding="utf-8")
    with pytest.raises(YamlError, match=rf"^default_config\.yaml:\d+:\d+: {RULE[kind]}: "):
        choose_config(tmp_path, {"model-name": "lenet"}, "lenet_mnist", "cpu")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_simclr_saved_config_is_a_config_error(kind: str, tmp_path: Path) -> None:
    from models.simclr import config as simclr_config
    from models.simclr.errors import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text(HOSTILE[kind], encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"cannot read the saved settings {path}:\d+:\d+: {RULE[kind]}"):
        simclr_config.load(simclr_config.TrainConfig, path)


def test_plain_data_is_typed_as_safe_load_types_it() -> None:
    text = (
        "a: 1\nb: 1.5\nc: 3.0e-4\nd: 1e-3\ne: yes\nf: ~\ng: 2023-01-02\nh: '12'\ni: [1, two, 3.0]\n"
        "j: {k: v}\nk: !!str 5\nl: 0x1F\nm: 1_000\nn: .inf\nb: twice\n---\nhelp: text\n"
    )
    expected = next(iter(yaml.safe_load_all(text)))
    assert yamlio.load(text.encode(), documents="first") == expected
    with pytest.raises(YamlError, match="documents: the file holds more than one YAML document"):
        yamlio.load(text.encode())


def test_empty_invalid_and_unreadable_files(tmp_path: Path) -> None:
    assert yamlio.load(b"") is None and yamlio.load_mapping(b"  \n") == {}
    with pytest.raises(YamlError, match=r"^<yaml>:\d+:\d+: yaml: "):
        yamlio.load(b"a: [1, 2\n")
    with pytest.raises(YamlError, match=r"^x\.yaml:1:1: yaml: the file must be a mapping"):
        yamlio.load_mapping(b"- 1\n", name="x.yaml")
    with pytest.raises(YamlError, match=r"encoding: the file is not UTF-8"):
        yamlio.load(b"a: \xe9\n")
    with pytest.raises(YamlError, match=r"size: the file is \d+ bytes"):
        yamlio.load(b"a: " + b"x" * yamlio.MAX_YAML_BYTES)
    with pytest.raises(YamlError, match=r"missing\.yaml: read: "):
        yamlio.load(tmp_path / "missing.yaml", name="missing.yaml")


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_recursion_and_memory_errors_become_yaml_errors(
    error: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(text: str) -> object:
        raise error()

    monkeypatch.setattr(yamlio, "_events", failing)
    with pytest.raises(YamlError, match=r"too deep or too large"):
        yamlio.load(b"a: 1\n")
    assert [d.rule for d in parse_card("c.md", b"---\na: 1\n---\n").errors] in (["depth"], ["size"])
