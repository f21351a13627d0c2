"""A change to a hub, as a new branch of the user's clone: cards committed without a checkout.

``hub-plugin publish --hub DIR`` writes cards into a hub repository the user cloned (their fork of
MindSpore Hub, say) without touching its work tree, its index or any other branch: the commit is
made with git's plumbing on a temporary index (``GIT_INDEX_FILE``): ``read-tree`` of the base
commit, ``hash-object -w`` and ``update-index --cacheinfo`` for each card, ``write-tree``,
``commit-tree``, then ``update-ref`` that creates the branch only if it does not exist (old value
zero). The branch is pushed with ``git push -- REMOTE refs/heads/B:refs/heads/B``; a failed push
deletes the branch again, so a retry starts clean.

Refs and paths are validated before git sees them (``check-ref-format``; card paths are plain
segments, :func:`~hub_plugin.cards.completion.hub_layout_path`), and every ref or path
given to git comes after ``--`` where git takes one. This is the user's own repository and remote:
their git configuration, credential helpers and ssh keys apply (unlike a hub's sync, which fetches
strangers' repositories under :mod:`hub_plugin.git.transport`'s rules).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import (  # moved to errors.py (issue 26); importable here too
    HubChangeError as HubChangeError,
)
from ..git.transport import GIT_TIMEOUT, _reason, git_command

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ZERO = "0" * 40


def _run(repo: Path, args: Sequence[str], *, stdin: bytes | None = None,
         env: Mapping[str, str] | None = None, what: str = "") -> bytes:
    git = git_command()
    environment = dict(os.environ)
    environment.update(env or {})
    environment["LC_ALL"] = "C"
    if not sys.stdin.isatty():
        environment["GIT_TERMINAL_PROMPT"] = "0"
    try:
        done = subprocess.run([git, "-C", str(repo), *args], input=stdin, capture_output=True,
                              env=environment, timeout=GIT_TIMEOUT, check=False,
                              stdin=None if stdin is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise HubChangeError(f"{what or 'git ' + args[0]}: no answer within {GIT_TIMEOUT:.0f} s") from error
    if done.returncode != 0:
        reason, hint = _reason(done.stderr.decode(errors="replace"), done.returncode)
        raise HubChangeError(f"{what or 'git ' + args[0]} in {repo} failed: {reason}", hint=hint)
    return done.stdout


def check_branch_name(name: str) -> str:
    """``name`` if git accepts it as a branch name (and it does not look like an option)."""
    if not name or name.startswith("-") or not re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        raise HubChangeError(f"not a usable branch name: {name!r}",
                             hint="use letters, digits, '.', '_', '-' and '/'")
    git = git_command()
    done = subprocess.run([git, "check-ref-format", f"refs/heads/{name}"], capture_output=True,
                          check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise HubChangeError(f"not a valid branch name: {name!r}")
    return name


@dataclass(frozen=True)
class HubClone:
    """A local clone of a hub repository, checked: a work tree whose tracked files are unchanged."""

    path: Path
    head: str

    @classmethod
    def open(cls, path: Path) -> HubClone:
        if not path.is_dir():
            raise HubChangeError(f"the hub clone {path} is not a folder")
        top = _run(path, ["rev-parse", "--show-toplevel"], what=f"reading {path} as a git repository")
        root = Path(top.decode().strip())
        changed = _run(root, ["status", "--porcelain", "--untracked-files=no"]).decode().strip()
        if changed:
            first = changed.splitlines()[0].strip()
            raise HubChangeError(f"the hub clone {root} has uncommitted changes ({first})",
                                 hint="commit or stash them first: publish branches from HEAD")
        head = _run(root, ["rev-parse", "--verify", "HEAD^{commit}"]).decode().strip()
        if not _COMMIT.fullmatch(head):
            raise HubChangeError(f"unexpected HEAD {head!r} in {root}")
        return cls(root, head)

    def branch_exists(self, branch: str) -> bool:
        try:
            _run(self.path, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                             f"refs/heads/{branch}"])
        except HubChangeError:
            return False
        return True

    def remote_url(self, remote: str) -> str:
        """The URL of the remote named ``remote``, or ``remote`` itself when it is a URL or a path."""
        if remote.startswith("-") or not remote.strip():
            raise HubChangeError(f"not a usable remote: {remote!r}")
        names = _run(self.path, ["remote"]).decode().split()
        if remote in names:
            return _run(self.path, ["remote", "get-url", "--", remote]).decode().strip()
        if "://" in remote or remote.startswith("/") or re.match(r"^[\w.-]+@[\w.-]+:", remote):
            return remote
        raise HubChangeError(f"{self.path} has no remote {remote!r}",
                             hint=f"one of: {', '.join(names) or 'none'}; or give a URL")

    def remote_has_branch(self, remote: str, branch: str) -> bool:
        listed = _run(self.path, ["ls-remote", "--heads", "--", remote, f"refs/heads/{branch}"],
                      what=f"asking {remote} for its branches")
        return bool(listed.strip())

    def file_at_head(self, path: str) -> bytes | None:
        """The bytes of ``path`` in HEAD's tree, or ``None`` where there is no such file."""
        listed = _run(self.path, ["ls-tree", "-z", self.head, "--", path]).decode()
        if not listed:
            return None
        meta, _, _ = listed.partition("\t")
        _mode, kind, blob = meta.split()
        if kind != "blob" or not _COMMIT.fullmatch(blob):
            raise HubChangeError(f"{path} in the hub is a {kind}, not a file")
        return _run(self.path, ["cat-file", "blob", blob])

    def has_folder(self, path: str) -> bool:
        listed = _run(self.path, ["ls-tree", "-z", self.head, "--", path]).decode()
        return "\ttree" in listed or " tree " in listed

    def commit_on_new_branch(self, branch: str, files: Mapping[str, bytes], message: str) -> str:
        """Commit ``files`` (hub path -> bytes) on HEAD as the new branch ``branch``; the commit id.
        The work tree, the index and HEAD are not touched."""
        check_branch_name(branch)
        with tempfile.TemporaryDirectory(prefix="hub-plugin-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            _run(self.path, ["read-tree", "--", self.head], env=env)
            for path, data in files.items():
                blob = _run(self.path, ["hash-object", "-w", "--stdin"], stdin=data).decode().strip()
                _run(self.path, ["update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], env=env)
            tree = _run(self.path, ["write-tree"], env=env).decode().strip()
        commit = _run(self.path, ["commit-tree", tree, "-p", self.head, "-F", "-"],
                      stdin=message.encode(), what="committing the cards").decode().strip()
        _run(self.path, ["update-ref", "-m", "hub-plugin publish", "--", f"refs/heads/{branch}",
                         commit, _ZERO], what=f"creating the branch {branch}")
        return commit

    def delete_branch(self, branch: str, commit: str) -> None:
        """Delete ``branch`` if it still points at ``commit`` (undoing a change whose push failed)."""
        _run(self.path, ["update-ref", "-d", "--", f"refs/heads/{branch}", commit])

    def push(self, remote: str, branch: str) -> None:
        _run(self.path, ["push", "--", remote, f"refs/heads/{branch}:refs/heads/{branch}"],
             what=f"pushing {branch} to {remote}")


def pull_request_url(remote_url: str, branch: str) -> str | None:
    """Where a pull request for ``branch`` is opened on GitHub or Gitee, from the fork's URL
    (``https://``, ``ssh://`` or ``git@host:owner/repo``); ``None`` for other hosts."""
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(.+)", remote_url)
    if scp:
        host, path = scp[1], scp[2]
    else:
        parts = urlsplit(remote_url)
        host, path = parts.hostname or "", parts.path
    owner_repo = path.strip("/").removesuffix(".git").split("/")
    if len(owner_repo) != 2 or not all(owner_repo):
        return None
    owner, repo = owner_repo
    host = host.lower()
    if host == "github.com":
        return f"https://github.com/{owner}/{repo}/pull/new/{branch}"
    if host == "gitee.com":
        return f"https://gitee.com/{owner}/{repo}/pulls/new"  # the page asks for the branch
    return None


__all__ = ["HubChangeError", "HubClone", "check_branch_name", "pull_request_url"]
