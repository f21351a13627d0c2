"""The zoo folder cache: one shallow, partial, sparse checkout per repository and commit, shared
by its folders, read-only, safe under concurrent and killed processes. Real git against a real
git daemon on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from git_server import GitServer
from zoo_repos import FOLDERS, ZOO, build_zoo

from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import ZooCodeMissing
from hub_plugin.git.transport import GitTransport
from hub_plugin.zoo.checkout import ZooCache

CHILD = """
import sys
from pathlib import Path
from hub_plugin.git.transport import GitTransport
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.zoo.checkout import ZooCache
from hub_plugin.cards.repo_link import parse_repo_link
home, mirror, link = sys.argv[1:]
found = ZooCache(Path(home)).folder(parse_repo_link(link), GitTransport(MirrorMap.parse(mirror)))
print(found.commit, found.path)
"""


def _transport(server: GitServer, **options: bool) -> GitTransport:
    return GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={server.root}"), **options)


def _link(name: str, ref: str = "r1.8") -> str:
    return f"{ZOO}/tree/{ref}/{FOLDERS[name]}"


def _child(home: Path, server: GitServer, link: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), f"https://gitee.com/mindspore/={server.root}", link],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _working_in(folder: Path) -> list[str]:
    """The processes whose working directory is inside ``folder`` (Linux /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(folder) in os.readlink(proc / "cwd"):
                found.append(proc.name)
        except OSError:
            continue
    return found


def test_one_checkout_per_commit_shared_by_folders(git_server: GitServer, tmp_path: Path) -> None:
    repo = build_zoo(git_server)
    cache = ZooCache(tmp_path)
    alpha = cache.folder(parse_repo_link(_link("alpha")), _transport(git_server))
    beta = cache.folder(parse_repo_link(_link("beta")), _transport(git_server))
    assert alpha.commit == beta.commit == repo.head()
    assert alpha.path.parent.parent == beta.path.parent.parent  # official/cv of one checkout
    assert (alpha.path / "src" / "network.py").is_file() and (beta.path / "src" / "layers.py").is_file()
    checkout = alpha.path.parents[2]
    assert not (checkout / "research" / "cv" / "gamma").exists()  # never asked for
    mode = (alpha.path / "mindspore_hub_conf.py").stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    # a known ref is served from the cache with no server at all
    git_server.stop()
    again = cache.folder(parse_repo_link(_link("alpha")), _transport(git_server, offline=True))
    assert again == alpha
    with pytest.raises(ZooCodeMissing, match=r"offline: the code of .* is not in the cache"):
        cache.folder(parse_repo_link(_link("gamma")), _transport(git_server, offline=True))


def test_a_commit_in_the_link_pins_the_code(git_server: GitServer, tmp_path: Path) -> None:
    repo = build_zoo(git_server)
    first = repo.head()
    repo.write("official/cv/alpha/NEW.md", "new\n")
    repo.commit("later")
    repo.branch("r1.8")
    git_server.publish(repo, "models.git")
    cache = ZooCache(tmp_path)
    pinned = cache.folder(parse_repo_link(_link("alpha", first)), _transport(git_server))
    assert pinned.commit == first and not (pinned.path / "NEW.md").exists()
    moving = cache.folder(parse_repo_link(_link("alpha")), _transport(git_server))
    assert moving.commit == repo.head() and (moving.path / "NEW.md").is_file()


def test_a_missing_folder_is_one_clear_error(git_server: GitServer, tmp_path: Path) -> None:
    build_zoo(git_server)
    with pytest.raises(ZooCodeMissing, match="has no folder 'official/cv/nothing'"):
        ZooCache(tmp_path).folder(parse_repo_link(f"{ZOO}/tree/r1.8/official/cv/nothing"),
                                  _transport(git_server))


def test_concurrent_loads_make_one_clone(git_server: GitServer, tmp_path: Path) -> None:
    build_zoo(git_server)
    single = tmp_path / "single"
    before = git_server.proxy.connections
    done = _child(single, git_server, _link("alpha"))
    assert done.wait(60) == 0, done.stderr.read() if done.stderr else ""
    one_clone = git_server.proxy.connections - before

    shared = tmp_path / "shared"
    before = git_server.proxy.connections
    children = [_child(shared, git_server, _link("alpha")) for _ in range(4)]
    outputs = [child.communicate(timeout=120) for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    assert len({out for out, _err in outputs}) == 1
    assert git_server.proxy.connections - before == one_clone
    (repository,) = (shared / "zoo").glob("*-*/")
    assert len([p for p in repository.iterdir() if p.is_dir() and len(p.name) == 40]) == 1


def test_a_clone_killed_midway_is_cleaned_up(git_server: GitServer, tmp_path: Path) -> None:
    build_zoo(git_server, filler_folders=4, filler_bytes=50_000)
    git_server.proxy.stall_after = git_server.proxy.received + 300
    child = _child(tmp_path, git_server, _link("alpha"))
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("zoo/*/tmp/*/.git")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("zoo/*/tmp/*/.git")), "the clone never started"
    time.sleep(0.3)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    if sys.platform.startswith("linux"):  # its git died with it, not left writing into the cache
        deadline = time.monotonic() + 5
        while _working_in(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _working_in(tmp_path)
    git_server.proxy.stall_after = None
    git_server.proxy.released.set()
    found = ZooCache(tmp_path).folder(parse_repo_link(_link("alpha")), _transport(git_server))
    assert (found.path / "mindspore_hub_conf.py").is_file()
    assert not list(tmp_path.glob("zoo/*/tmp/*"))


def test_one_folder_costs_a_small_part_of_a_full_clone(git_server: GitServer, tmp_path: Path) -> None:
    build_zoo(git_server, filler_folders=20, filler_bytes=100_000)
    before = git_server.proxy.received
    ZooCache(tmp_path).folder(parse_repo_link(_link("alpha")), _transport(git_server))
    sparse = git_server.proxy.received - before
    subprocess.run(["git", "clone", "-q", git_server.url("models.git"), str(tmp_path / "full")],
                   check=True)
    full = git_server.proxy.received - before - sparse
    assert full > 2_000_000 and sparse < full * 0.05


def test_plain_git_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    from hub_plugin.errors import LinkRefused

    link = parse_repo_link("git://zoo.example.org/models/tree/r1.8/official/cv/alpha")
    with pytest.raises(LinkRefused, match="refusing plain git://"):
        ZooCache(tmp_path).folder(link, GitTransport(MirrorMap()))
