"""``load --refresh`` (``refresh=True``): the zoo code of a card whose ``repo-link`` follows a
branch is resolved again, so a fix pushed to ``r1.8`` is picked up; without it, the commit first
resolved is remembered. Real git against the test's git daemon, with a branch that moves."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_server import GitServer
from zoo_repos import build_zoo, build_zoo_hub, mirrors

from hub_plugin.cli import main
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore
UID = "mindspore/1.8/alpha_toy"


def test_load_refresh_picks_up_a_moved_zoo_branch(
    git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    zoo = build_zoo(git_server)
    build_zoo_hub(git_server, {})
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", mirrors(git_server, tmp_path / "checkpoints"))
    first = load_model(UID, pretrained=False, trust=True).zoo.commit
    zoo.write("official/cv/alpha/FIXED.md", "a fix on the branch\n")
    second = zoo.commit("a fix on r1.8")
    zoo.branch("r1.8")
    git_server.publish(zoo, "models.git")

    assert load_model(UID, pretrained=False, trust=True).zoo.commit == first  # remembered
    capsys.readouterr()
    assert main(["load", UID, "--no-pretrained", "--trust", "--refresh"]) == 0
    assert f"at {second}" in capsys.readouterr().out
    assert load_model(UID, pretrained=False, trust=True, offline=True).zoo.commit == second
