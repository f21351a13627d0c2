"""A zoo folder whose ``default_config.yaml`` is nested 5,000 deep (issue 27 hole 12): ``load`` ends
with one line naming the file, before the trust question and before any zoo code runs, and ``info``
shows the config as unreadable; no internal error. A zoo repository and a hub the test builds,
served by a real git daemon on 127.0.0.1."""

from __future__ import annotations

import os
import textwrap

import pytest
from git_server import GitServer, WorkRepo
from hub_repos import hub_card
from zoo_repos import publish_cards

from hub_plugin.cli import main

pytestmark = pytest.mark.mindspore

FOLDER = "official/cv/deep"
UID = "mindspore/1.8/deep_mnist"


@pytest.fixture
def deep_zoo(git_server: GitServer, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = WorkRepo(git_server.base.parent / f"work-deepzoo-{os.urandom(3).hex()}")
    repo.write(f"{FOLDER}/mindspore_hub_conf.py", textwrap.dedent('''
        raise SystemExit("zoo code ran")
    ''').lstrip())
    repo.write(f"{FOLDER}/model_utils/config.py", 'parser.add_argument("--config_path")\n')
    repo.write(f"{FOLDER}/default_config.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n")
    repo.commit("a deep config")
    repo.branch("r1.8")
    git_server.publish(repo, "models.git")
    publish_cards(git_server, {UID: hub_card(
        "deep", summary="a deep config", repo_link=f"https://gitee.com/mindspore/models/tree/r1.8/{FOLDER}")})
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root}")


def test_load_and_info_of_a_deep_zoo_config_are_one_line(
    deep_zoo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", UID, "--no-pretrained"]) == 1  # no --trust: the question would come next
    out, err = capsys.readouterr()
    lines = [line for line in err.strip().splitlines() if "first use of the hub" not in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("hub-plugin: error: default_config.yaml:1:") and ": depth: " in lines[0]
    assert "internal error" not in err and "Traceback" not in err and "RecursionError" not in err
    assert "trust" not in err.lower() and "zoo code ran" not in out + err
    assert main(["info", UID]) == 0
    out, err = capsys.readouterr()
    assert "zoo config: none readable (default_config.yaml:1:" in out and "depth" in out, out
    assert "internal error" not in out + err
