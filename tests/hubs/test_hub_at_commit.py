"""A hub answered at a commit (``--locked``, issue 29): the snapshot at a lock file's commit is
read from disk or fetched with git at that commit and kept beside the one in use, which stays in
use; offline and not on disk, or a commit the server does not have, is one error. Real git
against the test's git daemon."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_server import GitServer
from hub_repos import CARDS, build_hub

from hub_plugin.cli import main
from hub_plugin.core.settings import Settings
from hub_plugin.errors import GitError, HubNotSynced
from hub_plugin.git.transport import GitTransport
from hub_plugin.hubs.sync import hub_cards, hub_store, snapshot_at_commit

UID = "mindspore/1.8/resnet50_imagenet2012"


@pytest.fixture
def settings(git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUB_PLUGIN_CONFIG", str(tmp_path / "config"))
    return Settings.from_environment()


def test_a_pinned_hub_answers_at_its_commit_and_leaves_the_current_one(
    git_server: GitServer, settings: Settings,
) -> None:
    hub = build_hub(git_server, big_bytes=100)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", CARDS]) == 0
    assert main(["hub", "rm", "mindspore"]) == 0
    assert main(["hub", "update", "test"]) == 0
    store = hub_store(settings)
    current = store.hub_folder("test") / "current"
    assert current.read_text(encoding="utf-8").strip() == hub.second

    entry = hub_cards(settings, pinned={"test": hub.first}).find(UID)
    assert entry is not None and entry.root.hub is not None
    assert entry.root.hub.commit == hub.first and "first version" in entry.path.read_text()
    assert current.read_text(encoding="utf-8").strip() == hub.second  # still the one in use
    assert hub_cards(settings).find(UID).path.read_text().count("second version") == 1  # type: ignore[union-attr]
    assert hub_cards(settings, pinned={"test": hub.first}).find("mindspore/1.9/vgg16_cifar10") is None

    offline = GitTransport(offline=True)  # on disk now: no git needed
    spec = store.hub("test")
    assert snapshot_at_commit(store, spec, hub.first, offline).commit == hub.first
    with pytest.raises(HubNotSynced, match="offline, and its cards at commit 0000000000"):
        snapshot_at_commit(store, spec, "0" * 40, offline)
    with pytest.raises(GitError):  # a commit the server does not have
        snapshot_at_commit(store, spec, "0" * 40, GitTransport.from_settings(settings))
    assert current.read_text(encoding="utf-8").strip() == hub.second
