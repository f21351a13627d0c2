"""``hub-plugin hub ls|add|update|rm``, ``list --hub`` and UIDs from synced hubs, against a real
git daemon on 127.0.0.1 serving a hub repository the test builds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from git_server import GitServer
from hub_repos import ZOO_PREFIX, build_hub

from hub_plugin.cli import main


def _mirror(monkeypatch: pytest.MonkeyPatch, server: GitServer) -> None:
    """MindSpore Hub's Gitee URLs, answered by the test's git server."""
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"{ZOO_PREFIX}={server.root}")


def _add(server: GitServer, ref: str = "master") -> None:
    assert main(["hub", "add", "test", server.url("hub.git"), "--ref", ref,
                 "--path", "mshub_res/assets"]) == 0


def test_ls_lists_the_builtin_hub_unsynced(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "ls", "--format", "json"]) == 0
    (hub,) = json.loads(capsys.readouterr().out)
    assert hub["name"] == "mindspore" and hub["url"] == "https://gitee.com/mindspore/hub.git"
    assert (hub["ref"], hub["path"], hub["commit"]) == ("master", "mshub_res/assets", None)


def test_add_update_ls_list(git_server: GitServer, capsys: pytest.CaptureFixture[str]) -> None:
    hub = build_hub(git_server)
    _add(git_server)
    assert main(["hub", "update", "test"]) == 0
    assert f"test: {hub.second[:12]}" in capsys.readouterr().out
    assert main(["hub", "ls", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["test"]["commit"] == hub.second and rows["test"]["cards"] == 4
    assert rows["test"]["date"]

    assert main(["list", "--hub", "test"]) == 0
    out = capsys.readouterr().out
    for uid in ("mindspore/1.8/alexnet_cifar10", "mindspore/1.9/vgg16_cifar10",
                "noah-cvlab/gpu/0.7/ghostnet_oxford"):
        assert uid in out
    assert "4 of 4 cards of the hub test" in out
    assert main(["list", "--hub", "test", "--version", "1.8", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(c["uid"] for c in listed["cards"]) == [
        "mindspore/1.8/alexnet_cifar10", "mindspore/1.8/resnet50_imagenet2012"]
    assert listed["commit"] == hub.second
    assert main(["list", "--hub", "test", "--filter", "SECOND version", "--format", "json"]) == 0
    assert [c["uid"] for c in json.loads(capsys.readouterr().out)["cards"]] == [
        "mindspore/1.8/resnet50_imagenet2012"]


def test_sync_fetches_the_card_folder_only(git_server: GitServer, tmp_path: Path) -> None:
    """The repository holds 2 MB of random bytes outside the cards: a sparse, partial sync
    receives a small fraction of them."""
    build_hub(git_server, big_bytes=2_000_000)
    _add(git_server)
    before = git_server.proxy.received
    assert main(["hub", "update", "test"]) == 0
    sparse = git_server.proxy.received - before
    subprocess.run(["git", "clone", "-q", git_server.url("hub.git"), str(tmp_path / "full")],
                   check=True)
    full = git_server.proxy.received - before - sparse
    assert full > 2_000_000 and sparse < full / 20


def test_info_download_validate_on_a_hub_card(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server)
    _add(git_server)
    assert main(["hub", "update"]) == 1  # the built-in hub's server is not reachable here
    capsys.readouterr()
    assert main(["info", "mindspore/1.8/alexnet_cifar10", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["uid"] == "mindspore/1.8/alexnet_cifar10"
    assert info["origin"]["hub"] == "test" and info["origin"]["commit"] == hub.second
    assert info["zoo"] == {"repository": "https://gitee.com/mindspore/models", "ref": "r1.8",
                           "folder": "official/cv/alexnet", "config": None}  # not fetched yet
    assert info["route"]["kind"] == "zoo"
    assert main(["info", "noah-cvlab/gpu/0.7/ghostnet_oxford"]) == 0
    out = capsys.readouterr().out
    assert "from the hub test" in out and hub.second in out
    assert main(["validate", "--profile", "mindspore-hub", "mindspore/1.8/alexnet_cifar10"]) == 0
    assert "1 file checked (mindspore-hub): 1 valid" in capsys.readouterr().out


def test_a_new_commit_and_pinning(git_server: GitServer, capsys: pytest.CaptureFixture[str]) -> None:
    hub = build_hub(git_server)
    _add(git_server, ref=hub.first)
    assert main(["hub", "rm", "mindspore"]) == 0  # the only hub: an unknown UID syncs nothing else
    assert main(["hub", "update", "test"]) == 0
    capsys.readouterr()
    assert main(["list", "--hub", "test", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["commit"] == hub.first and len(listed["cards"]) == 3
    assert main(["info", "mindspore/1.9/vgg16_cifar10"]) == 1
    assert "no model named" in capsys.readouterr().err
    _add(git_server, ref="master")
    assert main(["hub", "update", "test"]) == 0
    assert f"was {hub.first[:12]}" in capsys.readouterr().out
    assert main(["info", "mindspore/1.9/vgg16_cifar10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["commit"] == hub.second


def test_a_failed_update_keeps_the_previous_snapshot(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server)
    _add(git_server)
    assert main(["hub", "update", "test"]) == 0
    git_server.stop()
    capsys.readouterr()
    assert main(["hub", "update", "test"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "git fetch of git://127.0.0.1" in err
    assert main(["info", "mindspore/1.8/alexnet_cifar10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["commit"] == hub.second


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "hub_plugin", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_an_update_killed_midway_leaves_the_snapshot_and_is_cleaned_up(
    git_server: GitServer, tmp_path: Path
) -> None:
    hub = build_hub(git_server)
    env = dict(os.environ)
    _add(git_server, ref=hub.first)
    assert main(["hub", "update", "test"]) == 0
    _add(git_server, ref="master")
    home = Path(env["HUB_PLUGIN_HOME"])
    git_server.proxy.stall_after = git_server.proxy.received + 200  # hang in the next fetch
    child = _cli("hub", "update", "test", env=env)
    scratch = home / "hubs" / "test" / "tmp"
    deadline = time.monotonic() + 30
    while not any(scratch.glob("*/clone/.git")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(scratch.glob("*/clone/.git")), "the update never started its clone"
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert (home / "hubs" / "test" / "current").read_text().strip() == hub.first
    assert main(["info", "mindspore/1.8/alexnet_cifar10"]) == 0
    git_server.proxy.stall_after = None
    git_server.proxy.released.set()
    assert main(["hub", "update", "test"]) == 0
    assert (home / "hubs" / "test" / "current").read_text().strip() == hub.second
    assert not any(scratch.iterdir()) if scratch.exists() else True


def test_first_use_syncs_the_builtin_hub_through_a_mirror(
    git_server: GitServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server)
    _mirror(monkeypatch, git_server)
    assert main(["info", "mindspore/1.8/resnet50_imagenet2012", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "first use of the hub 'mindspore'" in captured.err
    origin = json.loads(captured.out)["origin"]
    assert origin == {"hub": "mindspore", "url": "https://gitee.com/mindspore/hub.git",
                      "ref": "master", "commit": hub.second, "date": origin["date"]}
    assert main(["info", "mindspore/1.8/alexnet_cifar10"]) == 0
    assert "first use" not in capsys.readouterr().err  # synced once


def test_offline_without_a_snapshot_is_one_line_naming_hub_update(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_PLUGIN_OFFLINE", "1")
    assert main(["info", "mindspore/1.8/alexnet_cifar10"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "hub-plugin hub update mindspore" in err and "offline" in err
    assert main(["download", "--offline", "mindspore/1.8/alexnet_cifar10"]) == 1
    assert "hub-plugin hub update" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["info", "--offline", "mindspore/1.8/alexnet_cifar10"], ["list", "--hub", "mindspore", "--offline"]],
    ids=["info", "list --hub"],
)
def test_info_and_list_take_offline_as_an_option_too(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1  # no HUB_PLUGIN_OFFLINE here: the option alone keeps git from running
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "hub-plugin hub update mindspore" in err and "offline" in err


def test_rm_forgets_a_hub_and_its_snapshots(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    build_hub(git_server)
    _add(git_server)
    assert main(["hub", "update", "test"]) == 0
    assert main(["hub", "rm", "test"]) == 0
    assert main(["hub", "rm", "mindspore"]) == 0
    capsys.readouterr()
    assert main(["hub", "ls", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not (Path(os.environ["HUB_PLUGIN_HOME"]) / "hubs" / "test").exists()
    assert main(["info", "mindspore/1.8/alexnet_cifar10"]) == 1
    assert main(["hub", "update", "test"]) == 1
    assert "no hub named 'test'" in capsys.readouterr().err


def test_plain_git_to_a_remote_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "add", "far", "git://hub.example.org/hub.git"]) == 0
    assert main(["hub", "update", "far"]) == 2
    err = capsys.readouterr().err
    assert "refusing plain git:// repository" in err and "--allow-http" in err
    assert main(["hub", "add", "odd", "ssh://hub.example.org/hub.git"]) == 2


def test_hub_list_and_info_never_import_mindspore(git_server: GitServer) -> None:
    build_hub(git_server)
    code = (
        "import sys; from hub_plugin.cli import main\n"
        f"for args in (['hub', 'add', 'test', {git_server.url('hub.git')!r}, '--path', "
        "'mshub_res/assets'], ['hub', 'update', 'test'], ['hub', 'ls'], ['list', '--hub', 'test'], "
        "['info', 'mindspore/1.8/alexnet_cifar10'], ['hub', 'rm', 'test']):\n"
        "    assert main(args) == 0, args\n"
        "assert 'mindspore' not in sys.modules, 'mindspore was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_first_use_in_several_processes_syncs_once(
    git_server: GitServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build_hub(git_server)
    _mirror(monkeypatch, git_server)

    def connections_for(processes: int, home: Path) -> int:
        env = {**os.environ, "HUB_PLUGIN_HOME": str(home)}
        before = git_server.proxy.connections
        children = [_cli("info", "mindspore/1.8/alexnet_cifar10", env=env) for _ in range(processes)]
        for child in children:
            child.communicate(timeout=120)
            assert child.returncode == 0
        return git_server.proxy.connections - before

    assert connections_for(3, tmp_path / "three") == connections_for(1, tmp_path / "one")


def test_a_hub_path_outside_the_clone_is_refused_and_rm_deletes_nothing_outside(
    git_server: GitServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17, case 13: ``hub add --path ../../../victim`` moved a folder from outside the cache
    into the snapshot, and ``hub rm`` then deleted it. ``hub add`` refuses the path in one line;
    a settings file edited to say it anyway makes ``hub update`` refuse too; neither ``update``
    nor ``rm`` touches the folder."""
    build_hub(git_server)
    home = Path(os.environ["HUB_PLUGIN_HOME"])
    victim = tmp_path / "victim"
    (victim / "cards").mkdir(parents=True)
    (victim / "cards" / "precious.md").write_text("mine\n")
    clone = home / "hubs" / "test" / "tmp" / "1-abcdefgh" / "clone"
    escape = os.path.relpath(victim, clone)
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--path", escape]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a plain relative path" in err
    _add(git_server)
    settings = Path(os.environ["HUB_PLUGIN_CONFIG"]) / "hubs.json"
    data = json.loads(settings.read_text())
    data["hubs"]["test"]["path"] = escape
    settings.write_text(json.dumps(data))
    assert main(["hub", "update", "test"]) == 1
    assert "not a plain relative path" in capsys.readouterr().err
    assert main(["hub", "rm", "test"]) == 0
    assert (victim / "cards" / "precious.md").read_text() == "mine\n"
    assert main(["hub", "rm", "../victim"]) == 2
    assert victim.is_dir()


def test_the_index_points_invalid_cards_into_the_snapshot_not_the_build_folder(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server)
    hub.repo.write("mshub_res/assets/mindspore/1.8/broken_cifar10.md",
                   "# broken\n\n---\nmodel-name: broken\nfine-tunable: sometimes\n---\n")
    hub.repo.commit("a broken card")
    git_server.publish(hub.repo, "hub.git")
    _add(git_server)
    assert main(["hub", "update", "test"]) == 0
    capsys.readouterr()
    assert main(["list", "--hub", "test", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    (broken,) = [c for c in listed["cards"] if "error" in c]
    snapshot = Path(os.environ["HUB_PLUGIN_HOME"]) / "hubs" / "test" / "snapshots" / listed["commit"]
    card = snapshot / "cards" / "mindspore" / "1.8" / "broken_cifar10.md"
    assert broken["error"].startswith(f"{card}:"), broken["error"]
    assert card.is_file() and "/test/tmp/" not in broken["error"]
    index = (snapshot / "index.json").read_text(encoding="utf-8")
    assert str(snapshot.parent.parent) not in index  # only paths relative to the snapshot
    assert '"cards/mindspore/1.8/broken_cifar10.md:' in index
    assert main(["list", "--hub", "test"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "broken_cifar10" in line]
    assert f"invalid card: {card}:" in row


def test_a_short_commit_is_resolved_at_add_time_or_refused(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(git_server, big_bytes=1000)
    _add(git_server, ref=hub.second[:7])
    capsys.readouterr()
    assert main(["hub", "ls", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["test"]["ref"] == hub.second  # the full id: hub update can fetch it
    assert main(["hub", "update", "test"]) == 0
    capsys.readouterr()
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--ref", hub.first[:8]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "full 40-digit commit id" in err  # not a tip: refused
    assert main(["hub", "add", "test", git_server.url("hub.git"), "--ref", hub.first]) == 0


def test_snapshot_dates_print_in_utc(git_server: GitServer, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from git_server import WorkRepo

    repo = WorkRepo(git_server.base.parent / "work-tz")
    repo.write("cards/mindspore/1.8/x.md", "# x\n")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-06-01T12:00:00+08:00")
    repo.commit("a commit made in UTC+8")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    assert main(["hub", "add", "tz", git_server.publish(repo, "tz.git"), "--path", "cards"]) == 0
    assert main(["hub", "update", "tz"]) == 0
    assert "(2026-06-01T04:00:00+00:00)" in capsys.readouterr().out


def test_a_repository_laid_out_like_mindspore_hub_needs_no_path(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 28, item 5: ``hub add`` of a repository laid out like MindSpore Hub needed ``--path
    mshub_res/assets`` by hand (its root holds no UIDs). The first sync finds the folder, fetches
    it alone (sparse: the 2 MB outside the cards are not received) and records it."""
    hub = build_hub(git_server, big_bytes=2_000_000)
    assert main(["hub", "add", "test", git_server.url("hub.git")]) == 0
    assert "mshub_res/assets/ if the repository is laid out like MindSpore Hub" in (
        capsys.readouterr().out)
    before = git_server.proxy.received
    assert main(["hub", "update", "test"]) == 0
    assert git_server.proxy.received - before < 500_000
    captured = capsys.readouterr()
    assert f"test: {hub.second[:12]}" in captured.out and "4 cards" in captured.out
    assert "laid out like MindSpore Hub: its cards are mshub_res/assets/" in captured.err
    assert main(["hub", "ls", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["test"]["path"] == "mshub_res/assets" and rows["test"]["cards"] == 4
    assert main(["info", "mindspore/1.8/alexnet_cifar10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["origin"]["hub"] == "test"
    assert main(["hub", "update", "test"]) == 0  # the recorded folder: no second detection
    assert "laid out like" not in capsys.readouterr().err


def test_a_ref_git_refuses_is_refused_at_add_in_one_line(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 28, item 5: ``--ref 4f1c...e9`` (the README's own placeholder) was accepted and
    failed only at ``hub update``; it is refused at ``hub add`` by the repo-link parser's ref
    rules, exit 2, and nothing is recorded."""
    build_hub(git_server, big_bytes=1000)
    for ref in ("4f1c...e9", "-upload-pack=x", "a b", "v1.lock"):
        assert main(["hub", "add", "test", git_server.url("hub.git"), f"--ref={ref}"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is not a branch, a tag or a commit id" in err, err
    assert main(["hub", "ls", "--format", "json"]) == 0
    assert "test" not in {row["name"] for row in json.loads(capsys.readouterr().out)}


def test_did_you_mean_names_a_uid_once_and_hub_uids_for_a_bare_stem(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 28, item 5: "did you mean" repeated a UID two hubs hold, and for a bare stem
    (``info alexnet_cifar10``) suggested only local names (``simclr_encoder_cifar10``)."""
    build_hub(git_server, big_bytes=1000)
    assert main(["hub", "rm", "mindspore"]) == 0
    _add(git_server)
    assert main(["hub", "add", "again", git_server.url("hub.git"), "--path",
                 "mshub_res/assets"]) == 0
    assert main(["hub", "update"]) == 0
    capsys.readouterr()
    assert main(["info", "mindspore/1.8/alexnet_cifar1"]) == 1
    err = capsys.readouterr().err
    assert err.count("mindspore/1.8/alexnet_cifar10") == 1, err
    assert main(["info", "alexnet_cifar10"]) == 1
    err = capsys.readouterr().err
    assert "did you mean: mindspore/1.8/alexnet_cifar10" in err, err
    assert err.count("mindspore/1.8/alexnet_cifar10") == 1
    assert main(["info", "vgg16_cifar1"]) == 1  # close to a stem: the UID, not only local names
    assert "mindspore/1.9/vgg16_cifar10" in capsys.readouterr().err
