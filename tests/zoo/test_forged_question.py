"""Issue 27, hole 1, for zoo code: a zoo folder whose file *names* are escape sequences cannot
redraw the trust question. ``load`` of a hub card linking that folder, on a real pseudo-terminal,
against a real git daemon on 127.0.0.1: the folder is refused before anything is listed or asked,
with the names shown escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_server import GitServer
from pseudo_terminal import run_on_a_terminal
from zoo_repos import FOLDERS, build_zoo, build_zoo_hub, mirrors

pytestmark = pytest.mark.mindspore

#: Clears the screen, goes to the top and draws a question of its own (the attack of hole 1).
FORGED = ("\x1b[2J\x1b[HThe repository https:\x1b]0;hub\x07 is in the bundled registry; it was last "
          "trusted at commit 4f1c2a9e0b7d.py")


def test_escape_sequences_in_zoo_file_names_never_reach_the_terminal(
    git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoo = build_zoo(git_server)
    zoo.write(f"{FOLDERS['alpha']}/{FORGED.replace('/', '_')}", "raise SystemExit('ran')\n")
    zoo.commit("a file named to forge the question")
    zoo.branch("r1.8")
    git_server.publish(zoo, "models.git")
    build_zoo_hub(git_server, {})
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", mirrors(git_server, tmp_path / "checkpoints"))
    code, output = run_on_a_terminal(["load", "mindspore/1.8/alpha_toy", "--no-pretrained"], b"y\n")
    assert code == 1 and "[y/N]" not in output, output
    assert "\x1b[2J" not in output and "\x1b]0;" not in output
    assert "\\x1b[2J\\x1b[HThe repository https:\\x1b]0;hub\\x07 is" in output
    assert "control characters" in output and "Traceback" not in output
