"""``info --refresh`` (and ``load --refresh``): a hub that follows a branch is synced again when it
answers a UID; a hub pinned to a commit is not. Real git against the test's git daemon."""

from __future__ import annotations

import json

import pytest
from git_server import GitServer
from hub_repos import CARDS, build_hub, hub_card

import hub_plugin
from hub_plugin.cli import main

UID = "mindspore/1.8/alexnet_cifar10"


def test_refresh_syncs_a_branch_hub_again_and_leaves_a_pinned_one(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server, big_bytes=1000)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", CARDS]) == 0
    assert main(["hub", "rm", "mindspore"]) == 0
    assert main(["hub", "update", "test"]) == 0
    hub.repo.write(f"{CARDS}/{UID}.md", hub_card("alexnet", summary="alexnet fixed on master"))
    third = hub.repo.commit("a fix")
    git_server.publish(hub.repo, "hub.git")
    capsys.readouterr()

    assert main(["info", UID, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["commit"] == hub.second  # not asked
    assert main(["info", UID, "--refresh", "--format", "json"]) == 0
    refreshed = json.loads(capsys.readouterr().out)
    assert refreshed["origin"]["commit"] == third
    assert refreshed["fields"]["summary"] == "alexnet fixed on master"
    assert hub_plugin.info(UID, offline=True).fields["summary"] == "alexnet fixed on master"

    assert main(["hub", "add", "test", git_server.url("hub.git"), "--ref", hub.second,
                 "--path", CARDS]) == 0
    assert main(["hub", "update", "test"]) == 0
    git_server.stop()  # pinned: --refresh asks nothing
    capsys.readouterr()
    assert main(["info", UID, "--refresh", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["commit"] == hub.second
