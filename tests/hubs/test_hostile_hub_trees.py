"""Issue 27, holes 5 and 6: a hub whose card folder a stranger shapes. Real git against a real git
daemon on 127.0.0.1, and ``hub-plugin``'s own commands.

- Hole 5: a valid card 1,100 folders deep made every ``hub update`` end in ``RecursionError``
  (``Path.rglob``), left ``hubs/<name>/tmp/<id>``, and broke every later update, first use and even
  ``hub rm`` (``shutil.rmtree``). Hub folders are now walked and removed without recursion.
- Hole 6: the gate skipped ``README-*.md`` and dot paths under ``mshub_res/assets/`` that ``info``
  and ``load`` served by UID. One answer now (:mod:`hub_plugin.cards.card_files`): they
  are never served.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from git_server import GitServer
from hub_repos import CARDS, build_hub, hub_card

from hub_plugin.cli import main
from hub_plugin.core.file_tree import remove_tree

DEPTH = 1100


def _deep(base: Path, depth: int = DEPTH) -> Path:
    """``base/d/d/.../d`` ``depth`` folders deep, made one folder at a time (``os.makedirs`` is
    recursive itself)."""
    folder = base
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(depth):
        folder = folder / "d"
        folder.mkdir()
    return folder


def _add(server: GitServer) -> None:
    assert main(["hub", "add", "test", server.url("hub.git"), "--path", "mshub_res/assets"]) == 0


def test_a_card_a_thousand_folders_deep_breaks_no_command(
    git_server: GitServer, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    hub = build_hub(git_server, big_bytes=10)
    request.addfinalizer(lambda: remove_tree(hub.repo.path))  # pytest's own rmtree would recurse
    deep = _deep(hub.repo.path / CARDS / "mindspore")
    (deep / "evil.md").write_text(hub_card("evil", summary="deep"), encoding="utf-8")
    deep_commit = hub.repo.commit("a card 1,100 folders deep")
    git_server.publish(hub.repo, "hub.git")
    _add(git_server)
    home = Path(os.environ["HUB_PLUGIN_HOME"])
    # a sync killed earlier left a tree as deep behind
    _deep(home / "hubs" / "test" / "tmp" / "1-deadbeef")

    assert main(["hub", "update", "test"]) == 0
    assert f"test: {deep_commit[:12]}" in capsys.readouterr().out
    assert not (home / "hubs" / "test" / "tmp" / "1-deadbeef").exists()
    assert main(["info", "mindspore/1.8/alexnet_cifar10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["commit"] == deep_commit
    assert main(["list", "--hub", "test", "--format", "json"]) == 0
    assert "evil" not in capsys.readouterr().out  # not at a UID's place: not a card of the hub
    assert main(["hub", "update", "test"]) == 0  # again, over the deep snapshot
    assert main(["cache", "ls"]) == 0
    capsys.readouterr()
    assert main(["hub", "rm", "test"]) == 0
    assert not (home / "hubs" / "test").exists()


@pytest.mark.parametrize("relative", ["mindspore/1.8/README-resnet50.md", ".staging/1.8/x.md",
                                      "mindspore/1.8/.x.md"])
def test_files_the_gate_skips_are_never_served(
    git_server: GitServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, relative: str
) -> None:
    """An invalid card under a name the gate passes over: the gate checks nothing, and no client
    serves it (``info`` by its UID finds no model), before or after the index."""
    hub = build_hub(git_server, big_bytes=10)
    hub.repo.write(f"{CARDS}/{relative}", "# not a card\n\n---\nasset: [\n")
    hub.repo.commit("an invalid card under a skipped name")
    git_server.publish(hub.repo, "hub.git")
    assert main(["validate", str(hub.repo.path)]) == 0
    out = capsys.readouterr().out
    name = relative.rsplit("/", 1)[-1]
    if name.startswith("README"):  # the report says why it is not checked
        assert "not a card: a README in the hub's card folder mshub_res/assets/" in out
    else:
        assert name not in out
    _add(git_server)
    assert main(["hub", "rm", "mindspore"]) == 0  # the only hub: an unknown UID syncs nothing else
    assert main(["hub", "update", "test"]) == 0
    capsys.readouterr()
    uid = relative.removesuffix(".md")
    assert main(["info", uid]) == 1
    err = capsys.readouterr().err
    assert "no model named" in err and err.count("\n") == 1
    assert main(["list", "--hub", "test", "--format", "json"]) == 0
    assert uid not in capsys.readouterr().out
