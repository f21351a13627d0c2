"""``refresh``: a zoo branch ref is asked about again (a moved branch is picked up); a pinned
commit never is. Real git against the test's git daemon, with a branch that moves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_server import GitServer
from zoo_repos import FOLDERS, ZOO, build_zoo

from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.cli import main
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.git.transport import GitTransport
from hub_plugin.zoo.checkout import ZooCache


def _transport(server: GitServer, **options: bool) -> GitTransport:
    return GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={server.root}"), **options)


def _link(ref: str = "r1.8"):  # type: ignore[no-untyped-def]
    return parse_repo_link(f"{ZOO}/tree/{ref}/{FOLDERS['alpha']}")


def test_refresh_picks_up_a_moved_branch_and_never_asks_about_a_pinned_commit(
    git_server: GitServer, tmp_path: Path
) -> None:
    repo = build_zoo(git_server)
    first = repo.head()
    cache = ZooCache(tmp_path)
    assert cache.folder(_link(), _transport(git_server)).commit == first
    repo.write("official/cv/alpha/FIXED.md", "fixed on the branch\n")
    second = repo.commit("a fix on r1.8")
    repo.branch("r1.8")
    git_server.publish(repo, "models.git")

    remembered = cache.folder(_link(), _transport(git_server))
    assert remembered.commit == first  # resolved once, remembered
    refreshed = cache.folder(_link(), _transport(git_server), refresh=True)
    assert refreshed.commit == second and (refreshed.path / "FIXED.md").is_file()
    assert cache.folder(_link(), _transport(git_server)).commit == second  # remembered anew

    pinned = cache.folder(_link(first), _transport(git_server))
    git_server.stop()  # a pinned commit is never re-resolved: no server needed
    assert cache.folder(_link(first), _transport(git_server), refresh=True).commit == first
    assert pinned.commit == first and not (pinned.path / "FIXED.md").exists()


def test_hub_update_refresh_forgets_branch_refs_only(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_zoo(git_server)
    first = repo.head()
    cache = ZooCache(Path(os.environ["HUB_PLUGIN_HOME"]))
    cache.folder(_link(), _transport(git_server))
    cache.folder(_link(first), _transport(git_server))
    assert main(["hub", "rm", "mindspore"]) == 0  # no hub to sync: only the zoo refs change
    assert main(["hub", "update", "--refresh"]) == 0
    assert "1 branch ref forgotten" in capsys.readouterr().out  # r1.8; the pinned commit kept
    repo.write("official/cv/alpha/LATER.md", "later\n")
    second = repo.commit("later")
    repo.branch("r1.8")
    git_server.publish(repo, "models.git")
    assert cache.folder(_link(), _transport(git_server)).commit == second
