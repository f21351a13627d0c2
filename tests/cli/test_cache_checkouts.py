"""``cache ls|rm|prune`` cover hub snapshots and zoo checkouts: by kind, with sizes and last use;
prune and rm never remove a hub's current snapshot. Real git against the test's git daemon."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from git_server import GitServer
from hub_repos import CARDS, build_hub
from zoo_repos import FOLDERS, ZOO, build_zoo

from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.cli import main
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.git.transport import GitTransport
from hub_plugin.zoo.checkout import ZooCache


def _ls(capsys: pytest.CaptureFixture[str]) -> dict[str, list[dict[str, object]]]:
    capsys.readouterr()
    assert main(["cache", "ls", "--format", "json"]) == 0
    listed: dict[str, list[dict[str, object]]] = json.loads(capsys.readouterr().out)
    return listed


def _age(path: Path, days: float) -> None:
    stamp = time.time() - days * 86400
    os.utime(path, (stamp, stamp))


def test_hub_snapshots_and_zoo_checkouts_are_listed_pruned_and_removed(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    home = Path(os.environ["HUB_PLUGIN_HOME"])
    hub = build_hub(git_server, big_bytes=1000)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--ref", hub.first,
                 "--path", CARDS]) == 0
    assert main(["hub", "update", "test"]) == 0
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", CARDS]) == 0
    assert main(["hub", "update", "test"]) == 0  # two snapshots: the previous and the current
    zoo = build_zoo(git_server)
    transport = GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={git_server.root}"))
    ZooCache(home).folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['alpha']}"), transport)

    listed = _ls(capsys)
    snapshots = {s["commit"]: s for s in listed["hub-snapshots"]}
    assert set(snapshots) == {hub.first, hub.second}
    assert snapshots[hub.second]["current"] and not snapshots[hub.first]["current"]
    assert all(int(str(s["size"])) > 0 and s["last_used"] for s in snapshots.values())
    (checkout,) = listed["zoo-checkouts"]
    assert checkout["owner"] == ZOO and checkout["commit"] == zoo.head()
    assert checkout["detail"] == FOLDERS["alpha"]
    assert main(["cache", "ls"]) == 0
    table = capsys.readouterr().out
    assert f"hub:test@{hub.second} (current)" in table and "zoo checkouts" in table

    # everything old: prune removes the previous snapshot and the checkout, never the current
    for snapshot in snapshots.values():
        _age(Path(str(snapshot["path"])), 40)
    _age(home / "zoo" / Path(str(checkout["path"])).parent.name / f"{zoo.head()}.json", 40)
    assert main(["cache", "prune", "--older-than", "30d", "--yes"]) == 0
    after = _ls(capsys)
    assert [s["commit"] for s in after["hub-snapshots"]] == [hub.second]
    assert after["zoo-checkouts"] == []
    assert main(["info", "mindspore/1.8/alexnet_cifar10", "--offline"]) == 0  # still served

    assert main(["cache", "rm", f"hub:test@{hub.second[:10]}", "--yes"]) == 2
    assert "current snapshot" in capsys.readouterr().err
    # issue 28, item 5: hub:NAME of a hub with only its current snapshot printed nothing
    assert main(["cache", "rm", "hub:test", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would keep hub:test@{hub.second}: the hub's current snapshot" in out
    assert "hub-plugin hub rm test" in out
    assert main(["cache", "rm", "hub:test", "--yes"]) == 0
    assert f"kept hub:test@{hub.second}" in capsys.readouterr().out
    assert [s["commit"] for s in _ls(capsys)["hub-snapshots"]] == [hub.second]
    ZooCache(home).folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['alpha']}"), transport)
    key = str(_ls(capsys)["zoo-checkouts"][0]["name"])
    assert main(["cache", "rm", key.split("@")[0], "--yes"]) == 0
    assert _ls(capsys)["zoo-checkouts"] == []
    assert main(["cache", "rm", "zoo:nothing", "--yes"]) == 2
