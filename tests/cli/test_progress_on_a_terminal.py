"""On a terminal, long work shows it is alive (a hub sync's phases, link checks' cards done of
total); piped, as in CI logs, nothing extra is printed. The terminal is a real pseudo-terminal."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from asset_server import AssetServer
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes
from git_server import GitServer
from hub_repos import CARDS, build_hub
from pseudo_terminal import run_on_a_terminal

from hub_plugin.cli import main


def _on_a_terminal(*arguments: str) -> tuple[int, str]:
    return run_on_a_terminal(arguments)


def _piped(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub_plugin", *arguments], capture_output=True,
                          text=True, timeout=120)


def test_a_hub_sync_shows_its_phases_on_a_terminal_only(git_server: GitServer) -> None:
    build_hub(git_server, big_bytes=1000)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", CARDS]) == 0
    code, shown = _on_a_terminal("hub", "update", "test")
    assert code == 0, shown
    assert "hub test: fetching mshub_res/assets from" in shown and "test: " in shown
    piped = _piped("hub", "update", "test")
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.count("\n") == 1 and "fetching" not in piped.stdout


def test_link_checks_count_cards_on_a_terminal_only(asset_server: AssetServer, tmp_path: Path) -> None:
    for index in range(3):
        payload = checkpoint_bytes(64 + index)  # a .ckpt must parse as one (issue 29)
        link = asset_server.add(f"/c{index}.ckpt", payload)
        front = (VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
                 .replace(DIGEST, hashlib.sha256(payload).hexdigest()))
        write_card(tmp_path / "hub", f"card{index}", card_text(front))
    code, shown = _on_a_terminal("validate", "--verify-assets", str(tmp_path / "hub"))
    assert code == 0, shown
    assert "checking cards" in shown and "/3" in shown
    piped = _piped("validate", "--verify-assets", str(tmp_path / "hub"))
    assert piped.returncode == 0 and piped.stderr == "" and "checking cards" not in piped.stdout
