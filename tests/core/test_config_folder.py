"""The config folder: trust decisions and hub settings out of the cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from hub_plugin.cli import main
from hub_plugin.core.config_folder import default_config_root
from hub_plugin.hubs.store import HubSpec
from hub_plugin.hubs.sync import hub_store
from hub_plugin.trust.store import TrustStore


def test_the_default_follows_xdg(tmp_path: Path) -> None:
    assert default_config_root({"HUB_PLUGIN_CONFIG": str(tmp_path)}) == tmp_path
    assert default_config_root({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "hub-plugin"
    assert default_config_root({}) == Path.home() / ".config" / "hub-plugin"


def test_trust_and_hub_settings_live_in_the_config_folder_and_survive_clearing_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home, config = Path(os.environ["HUB_PLUGIN_HOME"]), Path(os.environ["HUB_PLUGIN_CONFIG"])
    hub_store().add(HubSpec("mine", "https://example.org/hub.git", "main", ""))
    TrustStore().trust_repository("https://example.org/zoo", "a" * 40, name="zoo", source="test")
    assert main(["hub", "ls", "--format", "json"]) == 0
    assert "mine" in {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert main(["trust", "ls", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["store"] == str(config / "trusted.json") and len(listed["entries"]) == 1
    assert (config / "hubs.json").is_file() and (config / "trusted.json").is_file()
    home.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(home)  # clearing the cache forgets nothing that was decided
    assert hub_store().hub("mine").url == "https://example.org/hub.git"
    assert TrustStore().is_repository_trusted("https://example.org/zoo", "a" * 40)
