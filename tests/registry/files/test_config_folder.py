"""The config folder: trust decisions and hub settings out of the cache, moved there once."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from hub_plugin.assets.git.hub_sync import hub_store
from hub_plugin.cli import main
from hub_plugin.registry.files.config_folder import default_config_root, moved_once
from hub_plugin.runtime.trust.store import TrustStore


def test_the_default_follows_xdg(tmp_path: Path) -> None:
    assert default_config_root({"HUB_PLUGIN_CONFIG": str(tmp_path)}) == tmp_path
    assert default_config_root({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "hub-plugin"
    assert default_config_root({}) == Path.home() / ".config" / "hub-plugin"


def test_a_file_is_moved_once_and_a_newer_one_wins(tmp_path: Path) -> None:
    old, new = tmp_path / "cache" / "trusted.json", tmp_path / "config" / "trusted.json"
    old.parent.mkdir()
    old.write_text("old")
    assert moved_once(new, old) == new and new.read_text() == "old" and not old.exists()
    old.write_text("stale")  # an older hub-plugin wrote there again: the config folder's wins
    assert moved_once(new, old).read_text() == "old" and old.read_text() == "stale"


def test_trust_and_hub_settings_move_from_the_cache_and_survive_clearing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, config = Path(os.environ["HUB_PLUGIN_HOME"]), Path(os.environ["HUB_PLUGIN_CONFIG"])
    (home / "hubs").mkdir(parents=True)
    (home / "hubs" / "settings.json").write_text(json.dumps(
        {"hubs": {"mine": {"url": "https://example.org/hub.git", "ref": "main", "path": ""}},
         "removed": []}))
    (home / "trusted.json").write_text(json.dumps({"format": 2, "entries": [
        {"kind": "repository", "url": "https://example.org/zoo", "commit": "a" * 40,
         "name": "zoo", "source": "test", "trusted-at": "2026-12-01T15:20:03Z"}]}))
    assert main(["hub", "ls", "--format", "json"]) == 0
    assert "mine" in {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert main(["trust", "ls", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["store"] == str(config / "trusted.json") and len(listed["entries"]) == 1
    assert (config / "hubs.json").is_file() and (config / "trusted.json").is_file()
    assert not (home / "trusted.json").exists() and not (home / "hubs" / "settings.json").exists()
    import shutil

    shutil.rmtree(home)  # clearing the cache forgets nothing that was decided
    assert hub_store().hub("mine").url == "https://example.org/hub.git"
    assert TrustStore().is_repository_trusted("https://example.org/zoo", "a" * 40)


def test_a_move_across_file_systems_copies_then_removes_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "cache" / "trusted.json", tmp_path / "config" / "trusted.json"
    old.parent.mkdir()
    old.write_text('{"format": 2, "entries": []}\n', encoding="utf-8")
    rename = os.replace

    def across(source: object, target: object) -> None:
        if Path(str(source)) == old:  # os.replace cannot cross file systems (EXDEV)
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", across)
    assert moved_once(new, old) == new
    assert new.read_text(encoding="utf-8") == '{"format": 2, "entries": []}\n'
    assert not old.exists() and sorted(p.name for p in new.parent.iterdir()) == ["trusted.json"]
