"""The lock round trip (issue 29 items 1 and 2) against a hub and a zoo served by git on 127.0.0.1
and a checkpoint served by the loopback HTTP server: ``lock`` pins the hub commit, the card's
sha256, the zoo commit and code digest and the checkpoint's full sha256 and size (the card gives
an 8-digit prefix, so lock downloads it and says so); ``load --locked`` then works offline from the
cache. A card edited in the hub and the zoo branch moved are served from the lock (the card's
bytes at the locked hub commit, the zoo code at the locked commit, fetched in a fresh home), while
``lock --check`` exits 1 and ``lock --upgrade`` moves the lock; what the lock pins but cannot be
had (offline, not cached) and a checkpoint replaced at its link are refused with one line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tomllib
from asset_server import AssetServer
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card
from zoo_repos import DOWNLOADS, FOLDERS, ZOO, build_zoo, save_checkpoint

from hub_plugin.cli import main
from hub_plugin.errors import IntegrityError, LockMismatch
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore
UID = "mindspore/1.8/alpha_toy"
UPGRADE = f"hub-plugin lock --upgrade {UID}"


@dataclass
class Served:
    zoo: WorkRepo
    hub: WorkRepo
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
    hub = WorkRepo(tmp_path / "work-hub")
    hub.write(f"{CARDS}/{UID}.md", _card("alpha toy network", digest[:8]))
    commit = hub.commit("cards")
    git_server.publish(hub, "hub.git")
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root},"
                       f"{DOWNLOADS}={asset_server.url('/models/')}")
    monkeypatch.chdir(tmp_path)
    return Served(zoo, hub, commit, content, digest, tmp_path / "hub-plugin.lock")


def _edit_card(served: Served, git_server: GitServer, summary: str) -> str:
    """The hub's card edited upstream: a new commit on the hub's branch; its id."""
    served.hub.write(f"{CARDS}/{UID}.md", _card(summary, served.sha256[:8]))
    commit = served.hub.commit(f"edit: {summary}")
    git_server.publish(served.hub, "hub.git")
    return commit


def _move_zoo_branch(served: Served, git_server: GitServer) -> str:
    """The zoo's branch r1.8 moved on: the network's marker changed; the new commit's id."""
    network = "official/cv/alpha/src/network.py"
    text = (served.zoo.path / network).read_text(encoding="utf-8")
    served.zoo.write(network, text.replace('KIND = "alpha"', 'KIND = "alpha, moved on"'))
    commit = served.zoo.commit("a fix on r1.8")
    served.zoo.branch("r1.8")
    git_server.publish(served.zoo, "models.git")
    return commit


def _kind(network: object) -> str:
    """The marker of the zoo code that built ``network`` (``KIND`` in its module)."""
    return str(type(network).__init__.__globals__["KIND"])


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


def test_a_card_edited_in_the_hub_is_served_from_the_lock(
    served: Served, git_server: GitServer, capsys: pytest.CaptureFixture[str],
) -> None:
    import hub_plugin

    assert main(["lock", UID]) == 0
    edited = _edit_card(served, git_server, "alpha, edited")
    capsys.readouterr()
    assert main(["lock", "--check"]) == 1  # the lock no longer matches what the hub serves
    out = capsys.readouterr().out
    assert f"{UID}: the card {UID}.md was edited" in out, out
    assert main(["hub", "update", "mindspore"]) == 0  # this machine's hub now has the edited card
    assert hub_plugin.info(UID).fields["summary"] == "alpha, edited"
    assert hub_plugin.info(UID, locked=True).fields["summary"] == "alpha toy network"
    loaded = load_model(UID, trust=True, locked=served.lock)
    assert loaded.manifest.fields["summary"] == "alpha toy network"
    assert f"snapshots/{served.hub_commit}/cards" in loaded.manifest.path
    capsys.readouterr()
    assert main(["info", UID, "--locked", "--format", "json"]) == 0
    assert '"summary": "alpha toy network"' in capsys.readouterr().out
    assert main(["download", UID, "--locked"]) == 0

    assert main(["lock", "--upgrade", UID]) == 0  # take what is served now
    [model] = tomllib.loads(served.lock.read_text(encoding="utf-8"))["model"]
    assert model["hub"]["commit"] == edited
    assert main(["lock", "--check"]) == 0
    assert load_model(UID, trust=True, locked=True).manifest.fields["summary"] == "alpha, edited"


def test_a_moved_zoo_branch_is_served_from_the_lock(
    served: Served, git_server: GitServer, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    first = served.zoo.head()
    second = _move_zoo_branch(served, git_server)
    capsys.readouterr()
    assert main(["lock", "--check"]) == 1
    assert f"the ref r1.8 of {ZOO} moved: locked at commit {first[:12]}, now {second[:12]}" \
        in capsys.readouterr().out
    # --refresh asks the branch again: the lock's commit is still what is loaded
    loaded = load_model(UID, trust=True, locked=True, refresh=True)
    assert loaded.zoo is not None and loaded.zoo.commit == first and _kind(loaded.network) == "alpha"
    moved = load_model(UID, trust=True, refresh=True)  # without the lock: the branch's code
    assert moved.zoo is not None and moved.zoo.commit == second
    assert _kind(moved.network) == "alpha, moved on"
    assert load_model(UID, trust=True, locked=True).zoo.commit == first  # remembered ref moved


def test_a_fresh_home_loads_the_locked_card_and_code_after_both_moved(
    served: Served, git_server: GitServer, asset_server: AssetServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lock", UID]) == 0
    first = served.zoo.head()
    edited = _edit_card(served, git_server, "alpha, edited")
    second = _move_zoo_branch(served, git_server)
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "another-machine"))

    capsys.readouterr()
    assert main(["load", UID, "--locked", "--offline", "--trust"]) == 1  # nothing cached there
    line = _one_line(capsys)
    assert f"{UID}: what {served.lock.name} pins cannot be had" in line, line
    assert f"commit {served.hub_commit[:12]}" in line and UPGRADE in line, line
    with pytest.raises(LockMismatch, match="pins cannot be had"):
        load_model(UID, trust=True, locked=True, offline=True)

    assert main(["load", UID, "--locked", "--trust"]) == 0
    capsys.readouterr()
    assert main(["load", UID, "--locked"]) == 1  # no terminal to ask: the question's one line
    line = _one_line(capsys)
    assert f"the repository {ZOO} at commit {first[:12]}" in line, line  # names the locked commit
    loaded = load_model(UID, trust=True, locked=True)
    assert loaded.manifest.fields["summary"] == "alpha toy network"  # the locked card's bytes
    assert loaded.zoo is not None and loaded.zoo.commit == first  # the locked zoo commit's code
    assert _kind(loaded.network) == "alpha"
    assert [a.sha256 for a in loaded.assets] == [served.sha256]
    current = tmp_path / "another-machine" / "hubs" / "mindspore" / "current"
    assert not current.exists()  # the hub's locked commit was fetched, not synced as in use
    asked = len(asset_server.requests_for("/models/alpha_toy.ckpt"))
    again = load_model(UID, trust=True, locked=True, offline=True)  # and now from the cache
    assert again.zoo is not None and again.zoo.commit == first
    assert len(asset_server.requests_for("/models/alpha_toy.ckpt")) == asked

    capsys.readouterr()
    assert main(["lock", "--check"]) == 1  # what the hubs serve now is not what is locked
    out = capsys.readouterr().out
    assert f"{UID}: the card {UID}.md was edited" in out, out
    assert main(["lock", "--upgrade", UID]) == 0
    [model] = tomllib.loads(served.lock.read_text(encoding="utf-8"))["model"]
    assert model["hub"]["commit"] == edited and model["route"]["commit"] == second
    assert main(["lock", "--check"]) == 0
    moved = load_model(UID, trust=True, locked=True)
    assert moved.manifest.fields["summary"] == "alpha, edited"
    assert moved.zoo is not None and moved.zoo.commit == second
    assert _kind(moved.network) == "alpha, moved on"


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
