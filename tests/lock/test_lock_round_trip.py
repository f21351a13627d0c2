"""The lock round trip (issue 29 items 1 and 2) against a hub and a zoo served by git on 127.0.0.1
and a checkpoint served by the loopback HTTP server: ``lock`` pins the hub commit, the card's
sha256, the zoo commit and code digest and the checkpoint's full sha256 and size (the card gives
an 8-digit prefix, so lock downloads it and says so); ``load --locked`` then works offline from the
cache; a card edited in the hub, the zoo branch moved, the checkpoint replaced: each is refused with
one line naming it and ``hub-plugin lock --upgrade``, and ``lock --check`` exits 1."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tomllib
from asset_server import AssetServer
from git_server import GitServer, WorkRepo
from hub_repos import hub_card
from zoo_repos import DOWNLOADS, FOLDERS, ZOO, build_zoo, publish_cards, save_checkpoint

from hub_plugin.cli import main
from hub_plugin.errors import IntegrityError, LockMismatch
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore
UID = "mindspore/1.8/alpha_toy"
UPGRADE = f"hub-plugin lock --upgrade {UID}"


@dataclass
class Served:
    zoo: WorkRepo
    hub_commit: str
    checkpoint: bytes
    sha256: str
    lock: Path


def _card(summary: str, digest: str) -> str:
    return hub_card("alpha", summary=summary, repo_link=f"{ZOO}/tree/r1.8/{FOLDERS['alpha']}",
                    asset_link=f"{DOWNLOADS}alpha_toy.ckpt", digest=digest)


@pytest.fixture
def served(git_server: GitServer, asset_server: AssetServer, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Served:
    zoo = build_zoo(git_server)
    path = tmp_path / "alpha_toy.ckpt"
    digest = save_checkpoint(path, {"dense.weight": np.ones((3, 4), np.float32),
                                    "dense.bias": np.zeros(3, np.float32)})
    content = path.read_bytes()
    asset_server.add("/models/alpha_toy.ckpt", content)
    commit = publish_cards(git_server, {UID: _card("alpha toy network", digest[:8])})
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root},"
                       f"{DOWNLOADS}={asset_server.url('/models/')}")
    monkeypatch.chdir(tmp_path)
    return Served(zoo, commit, content, digest, tmp_path / "hub-plugin.lock")


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip() and "first use of the hub" not in line]
    assert len(lines) == 1, err
    return lines[0]


def test_lock_pins_everything_and_load_locked_works_offline(
    served: Served, git_server: GitServer, asset_server: AssetServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    err = capsys.readouterr().err
    assert "downloading alpha_toy.ckpt of alpha_toy to learn its full sha256" in err, err
    lock = tomllib.loads(served.lock.read_text(encoding="utf-8"))
    assert lock["version"] == 1 and {"hub-plugin", "python", "mindspore"} <= set(lock["versions"])
    [model] = lock["model"]
    assert model["name"] == UID
    assert model["hub"] == {"name": "mindspore", "url": "https://gitee.com/mindspore/hub.git",
                            "commit": served.hub_commit}
    assert model["card"]["path"] == f"{UID}.md"
    assert model["route"]["kind"] == "zoo" and model["route"]["commit"] == served.zoo.head()
    assert model["route"]["folder"] == FOLDERS["alpha"] and len(model["route"]["digest"]) == 64
    assert model["assets"] == [{"card": "alpha_toy", "link": f"{DOWNLOADS}alpha_toy.ckpt",
                                "sha256": served.sha256, "size": len(served.checkpoint)}]
    assert main(["lock", "--check"]) == 0

    capsys.readouterr()
    assert main(["load", UID, "--locked", "--offline"]) == 1  # no terminal to ask, no --trust
    line = _one_line(capsys)  # the trust question names the locked commit
    head = served.zoo.head()
    assert f"the repository {ZOO} at commit {head[:12]}" in line and f"--commit {head}" in line, line
    asked = len(asset_server.requests_for("/models/alpha_toy.ckpt"))
    loaded = load_model(UID, trust=True, locked=True, offline=True)
    assert loaded.zoo is not None and loaded.zoo.commit == served.zoo.head()
    assert [a.sha256 for a in loaded.assets] == [served.sha256]
    assert len(asset_server.requests_for("/models/alpha_toy.ckpt")) == asked  # from the cache
    capsys.readouterr()
    assert main(["download", UID, "--locked", "--offline"]) == 0
    assert capsys.readouterr().out.strip().endswith("alpha_toy.ckpt")


def test_a_card_edited_in_the_hub_is_refused(
    served: Served, git_server: GitServer, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    publish_cards(git_server, {UID: _card("alpha, edited", served.sha256[:8])})
    capsys.readouterr()
    assert main(["lock", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"{UID}: the card {UID}.md was edited" in out, out
    assert main(["load", UID, "--trust", "--locked"]) == 0  # --check left this machine's hub as it was
    assert main(["hub", "update", "mindspore"]) == 0  # now it has the edited card
    capsys.readouterr()
    for command in (["load", UID, "--trust", "--locked"], ["download", UID, "--locked"],
                    ["info", UID, "--locked"]):
        assert main(command) == 1
        line = _one_line(capsys)
        assert "was edited (the hub mindspore is at commit" in line and UPGRADE in line, line
    with pytest.raises(LockMismatch, match="was edited"):
        load_model(UID, trust=True, locked=served.lock)
    assert main(["lock", "--upgrade", UID]) == 0
    assert main(["load", UID, "--trust", "--locked"]) == 0


def test_a_moved_zoo_branch_is_refused(
    served: Served, git_server: GitServer, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    first = served.zoo.head()
    served.zoo.write("official/cv/alpha/FIXED.md", "a fix on the branch\n")
    second = served.zoo.commit("a fix on r1.8")
    served.zoo.branch("r1.8")
    git_server.publish(served.zoo, "models.git")
    capsys.readouterr()
    assert main(["lock", "--check"]) == 1
    assert f"the ref r1.8 of {ZOO} moved: locked at commit {first[:12]}, now {second[:12]}" \
        in capsys.readouterr().out
    assert load_model(UID, trust=True, locked=True).zoo.commit == first  # the remembered commit
    assert main(["load", UID, "--trust", "--locked", "--refresh"]) == 1
    line = _one_line(capsys)
    assert f"moved: locked at commit {first[:12]}, now {second[:12]}" in line and UPGRADE in line


def test_a_replaced_checkpoint_is_refused(
    served: Served, asset_server: AssetServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    other = served.checkpoint.replace(b"dense.bias", b"dense.bIas")
    assert hashlib.sha256(other).hexdigest() != served.sha256
    asset_server.add("/models/alpha_toy.ckpt", other)
    capsys.readouterr()
    assert main(["lock", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"{UID}: cannot be resolved" in out and "sha256" in out, out
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "another-machine"))
    assert main(["download", UID, "--locked"]) != 0
    line = _one_line(capsys)
    assert f"sha256 mismatch: expected {served.sha256}, got {hashlib.sha256(other).hexdigest()}" \
        in line, line  # the locked full digest, not the card's 8-digit prefix
    with pytest.raises(IntegrityError):
        load_model(UID, trust=True, locked=True)
