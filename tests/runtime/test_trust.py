"""Trust: a hubconf from outside the bundled registry runs only once someone said yes."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.registry import Registry
from hub_plugin.runtime.trust import TrustStore, UntrustedCode, ensure_trusted


@pytest.fixture
def package(tmp_path: Path):
    folder = tmp_path / "registry" / "outsider"
    write_card(folder, "outsider_card", card_text())
    (folder / "hubconf.py").write_text("def outsider():\n    'Code from elsewhere.'\n")
    registry = Registry.open([tmp_path / "registry"], environment=False, plugins=False)
    return registry.package("outsider")


def never(question: str) -> bool:
    raise AssertionError(f"asked: {question}")


def test_the_bundled_registry_is_trusted_without_asking() -> None:
    bundled = Registry.open(plugins=False).package("simclr")
    ensure_trusted(bundled, ask=never, interactive=True)


def test_outside_code_in_a_non_interactive_run_is_a_clear_error(package) -> None:
    with pytest.raises(UntrustedCode) as caught:
        ensure_trusted(package, interactive=False)
    assert "--trust" in str(caught.value) and str(package.path) in str(caught.value)


def test_trust_true_runs_once_without_remembering(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    ensure_trusted(package, True, store=store, ask=never, interactive=False)
    assert not store.is_trusted(package)


def test_trust_false_refuses(package, tmp_path: Path) -> None:
    with pytest.raises(UntrustedCode, match="refusing"):
        ensure_trusted(package, False, store=TrustStore(tmp_path / "home"))


def test_a_yes_is_asked_once_and_remembered(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    questions: list[str] = []
    ensure_trusted(package, store=store, ask=lambda q: questions.append(q) or True, interactive=True)
    assert len(questions) == 1 and "outsider" in questions[0]
    assert store.is_trusted(package)
    ensure_trusted(package, store=TrustStore(tmp_path / "home"), ask=never, interactive=True)
    ensure_trusted(package, store=TrustStore(tmp_path / "home"), interactive=False)


def test_a_no_is_refused_and_not_remembered(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    with pytest.raises(UntrustedCode, match="not trusted"):
        ensure_trusted(package, store=store, ask=lambda q: False, interactive=True)
    assert not store.is_trusted(package)


def test_an_edited_hubconf_is_asked_about_again(package, tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "home")
    ensure_trusted(package, store=store, ask=lambda q: True, interactive=True)
    package.hubconf.write_text("import os\nos.system('echo changed')\n")
    assert not store.is_trusted(package)
    with pytest.raises(UntrustedCode):
        ensure_trusted(package, store=store, interactive=False)


def test_the_allow_list_lives_under_hub_plugin_home(package, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "custom-home"))
    ensure_trusted(package, ask=lambda q: True, interactive=True)
    assert (tmp_path / "custom-home" / "trusted.json").is_file()
