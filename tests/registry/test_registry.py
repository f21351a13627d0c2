"""Finding cards and model packages, and resolving names."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.core.resources import models_dir
from hub_plugin.errors import AmbiguousName, CardError, ModelNotFound, RegistryError
from hub_plugin.registry import Registry

SIMCLR_CARDS = {"simclr_encoder_cifar10", "simclr_linearclassifier_cifar10"}


def only(*folders: Path) -> Registry:
    return Registry.open(folders, bundled=False, environment=False, plugins=False)


def test_the_bundled_registry_holds_simclr() -> None:
    registry = Registry.open(plugins=False)
    assert {e.name for e in registry.cards()} >= SIMCLR_CARDS
    (package,) = [p for p in registry.packages() if p.name == "simclr"]
    assert package.path == models_dir() / "simclr"
    assert package.default_card == "simclr_linearclassifier_cifar10"
    assert package.card_settings("simclr_linearclassifier_cifar10")["requires"] == [
        "simclr_encoder_cifar10"
    ]


def test_a_package_name_means_its_default_card() -> None:
    manifest = Registry.open(plugins=False).resolve("simclr")
    assert manifest.name == "simclr_linearclassifier_cifar10"
    assert manifest.package == "simclr"
    assert manifest.assets[0].sha256.startswith("9ce1b950")


def test_a_card_is_addressed_by_its_stem() -> None:
    manifest = Registry.open(plugins=False).resolve("simclr_encoder_cifar10")
    assert manifest.assets[0].sha256.startswith("683fb600")


def test_a_card_is_addressed_by_its_uid_in_a_publisher_version_layout(tmp_path: Path) -> None:
    write_card(tmp_path / "mindspore" / "1.8", "tiny", card_text())
    write_card(tmp_path / "other" / "2.0", "tiny", card_text())
    registry = only(tmp_path)
    manifest = registry.resolve("mindspore/1.8/tiny")
    assert manifest.uid == "mindspore/1.8/tiny"
    assert manifest.path.endswith("mindspore/1.8/tiny.md")
    with pytest.raises(AmbiguousName) as caught:
        registry.resolve("tiny")
    first, second = sorted(caught.value.candidates)
    assert first.startswith("mindspore/1.8/tiny ") and second.startswith("other/2.0/tiny ")


def test_an_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(ModelNotFound) as caught:
        Registry.open(plugins=False).resolve("simclr_encoder_cifar")
    assert "simclr_encoder_cifar10" in caught.value.suggestions


def test_a_path_to_a_card_resolves(tmp_path: Path) -> None:
    path = write_card(tmp_path, "loose", card_text())
    assert Registry.open(plugins=False).resolve(str(path)).name == "loose"


def test_an_invalid_card_raises_card_error_when_resolved(tmp_path: Path) -> None:
    write_card(tmp_path, "broken", "---\nmodel-name: x\n")
    with pytest.raises(CardError) as caught:
        only(tmp_path).resolve("broken")
    assert "front-matter" in str(caught.value)


def test_registry_folders_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_card(tmp_path / "a", "from_a", card_text())
    write_card(tmp_path / "b", "from_b", card_text())
    monkeypatch.setenv(
        "HUB_PLUGIN_REGISTRY", f"{tmp_path / 'a'}{__import__('os').pathsep}{tmp_path / 'b'}"
    )
    registry = Registry.open(plugins=False)
    assert registry.resolve("from_b").name == "from_b"
    assert {r.source for r in registry.roots} == {"bundled", "HUB_PLUGIN_REGISTRY"}


def test_a_missing_registry_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        Registry.open([tmp_path / "missing"])


def test_two_packages_of_one_name_are_an_error_naming_both(tmp_path: Path) -> None:
    for side in ("one", "two"):
        package = tmp_path / side / "twin"
        write_card(package, f"twin_{side}", card_text())
        (package / "hubconf.py").write_text("def twin():\n    'A twin.'\n")
    registry = only(tmp_path / "one", tmp_path / "two")
    with pytest.raises(AmbiguousName) as caught:
        registry.resolve("twin")
    assert len(caught.value.candidates) == 2
    with pytest.raises(AmbiguousName):
        registry.package("twin")


def test_a_package_without_a_default_card_says_so(tmp_path: Path) -> None:
    package = tmp_path / "multi"
    write_card(package, "first", card_text())
    write_card(package, "second", card_text())
    (package / "hubconf.py").write_text("")
    with pytest.raises(ModelNotFound, match="default-card"):
        only(tmp_path).resolve("multi")
    assert only(tmp_path).resolve("second").package == "multi"


def test_plugin_packages_register_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    package = site / "acme_models"
    (package / "acme").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('a registry never imports plugins')\n")
    write_card(package / "acme", "acme_cifar10", card_text())
    (package / "acme" / "hubconf.py").write_text("")
    dist = site / "acme_models-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-models\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[hub_plugin.models]\nacme = acme_models\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    registry = Registry.open()
    plugin_roots = [r for r in registry.roots if r.source.startswith("plugin")]
    assert [r.source for r in plugin_roots] == ["plugin acme-models:acme"]
    assert not plugin_roots[0].trusted
    manifest = registry.resolve("acme")
    assert manifest.name == "acme_cifar10" and manifest.package == "acme"
    assert "acme_models" not in sys.modules
