"""A hub change as a new branch made with git's plumbing: the clone's work tree, index, HEAD and
other branches stay as they were; names that are not plain branch names never reach git."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_server import WorkRepo, git

from hub_plugin.errors import HubChangeError
from hub_plugin.publishing.hub_branch import HubClone, check_branch_name


@pytest.fixture
def clone(tmp_path: Path) -> WorkRepo:
    repo = WorkRepo(tmp_path / "hub")
    repo.write("mshub_res/assets/mindspore/1.8/old.md", "old card\n")
    repo.write("README.md", "hub\n")
    repo.commit("first")
    return repo


def test_the_commit_touches_only_the_new_branch(clone: WorkRepo) -> None:
    (clone.path / "untracked.txt").write_text("mine\n")
    hub = HubClone.open(clone.path)
    refs = git("for-each-ref", cwd=clone.path)
    index = (clone.path / ".git" / "index").read_bytes()
    commit = hub.commit_on_new_branch("publish/new", {"mshub_res/assets/me/2.3/new.md": b"new card\n"},
                                      "Add new\n\nsha256 abc\n")
    assert git("show", "publish/new:mshub_res/assets/me/2.3/new.md", cwd=clone.path) == "new card"
    assert git("show", "publish/new:mshub_res/assets/mindspore/1.8/old.md", cwd=clone.path) == "old card"
    assert git("rev-parse", "publish/new^", cwd=clone.path) == hub.head
    assert git("log", "-1", "--format=%s", commit, cwd=clone.path) == "Add new"
    assert (clone.path / ".git" / "index").read_bytes() == index
    assert git("rev-parse", "HEAD", cwd=clone.path) == hub.head
    assert not (clone.path / "mshub_res/assets/me").exists()
    assert (clone.path / "untracked.txt").read_text() == "mine\n"
    assert set(refs.splitlines()) < set(git("for-each-ref", cwd=clone.path).splitlines())
    with pytest.raises(HubChangeError, match="creating the branch publish/new"):
        hub.commit_on_new_branch("publish/new", {"x.md": b"y"}, "again")  # created only if new
    assert git("rev-parse", "publish/new", cwd=clone.path) == commit
    assert hub.file_at_head("mshub_res/assets/mindspore/1.8/old.md") == b"old card\n"
    assert hub.file_at_head("mshub_res/assets/nothing.md") is None


def test_a_modified_tracked_file_is_refused(clone: WorkRepo) -> None:
    (clone.path / "README.md").write_text("changed\n")
    with pytest.raises(HubChangeError, match="uncommitted changes"):
        HubClone.open(clone.path)


def test_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(HubChangeError, match=r"reading .* as a git repository"):
        HubClone.open(tmp_path)


@pytest.mark.parametrize("name", ["-f", "--upload-pack=x", "a..b", "a b", "x.lock", "a//b", "@{1}", "",
                                  "a:b", "a~1", "refs/../x", "/abs"])
def test_names_that_are_not_plain_branch_names(name: str) -> None:
    with pytest.raises(HubChangeError, match="branch name"):
        check_branch_name(name)


def test_plain_branch_names() -> None:
    assert check_branch_name("publish/simclr-0123abcd") == "publish/simclr-0123abcd"
