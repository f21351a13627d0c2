"""Fetching from git repositories with the ``git`` command: shallow, partial and sparse.

Every repository hub-plugin reads (a hub's cards, a model zoo's code) is fetched here, the same way
and under the same rules as asset links:

- the URL is rewritten by ``HUB_PLUGIN_MIRROR`` first (``https://gitee.com/mindspore/=
  https://github.com/mindspore-ai/``, or ``git://127.0.0.1:9418/`` for a loopback mirror);
- ``https://`` is fetched with TLS verification (git's default; ``http.sslVerify`` is forced on);
  ``http://`` and ``git://`` only to loopback hosts unless ``allow_http``; ``file://`` and local
  paths are read; any other scheme (``ssh``, ``ext``) is refused. Git's ``protocol.*.allow`` says
  the same, so a redirect or a submodule cannot take git elsewhere;
- the environment cannot weaken git: every ``GIT_*`` variable (``GIT_SSL_NO_VERIFY``,
  ``GIT_CONFIG_*``, ``GIT_SSH_COMMAND``, ``GIT_ALLOW_PROTOCOL``, ``GIT_PROXY_COMMAND``,
  ``GIT_EXEC_PATH``, ``GIT_DIR``, ...) is dropped but the two that only add trusted certificates
  (``GIT_SSL_CAINFO``, ``GIT_SSL_CAPATH``), and the settings that matter are pinned with ``-c``;
- git reads no configuration but the pinned one (issue 27, hole 7): the system and global files
  are off (``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL`` the empty ``/dev/null``, which also
  hides ``$XDG_CONFIG_HOME/git/config``), so no filter driver, LFS (whose ``filter.lfs.*`` and
  ``.lfsconfig`` would send requests to any URL a repository names), hook path, ``url.*.insteadOf``,
  proxy or credential helper of the machine applies to a stranger's repository; LFS is also off by
  name (``filter.lfs.*`` emptied, ``GIT_LFS_SKIP_SMUDGE=1``), so a repository's ``.gitattributes``
  (``*.bin filter=lfs``) checks out the bytes committed and runs nothing. Publishing
  (:mod:`hub_plugin.publishing.hub_branch`) is the one exception: it pushes with the user's own
  git configuration, on purpose, for their credential helper;
- a ref or a path given to git comes after ``--`` (a ref ``--upload-pack=<command>`` is a ref
  name git refuses, never an option), and refs are checked
  (:func:`~hub_plugin.cards.repo_link.check_ref`) before git sees them;
- checkouts hold no symbolic links (``core.symlinks=false``: a link is checked out as a small file
  holding its target), no hooks run (``core.hooksPath`` is empty), no submodule is fetched;
- git's credential prompts are off (``GIT_TERMINAL_PROMPT=0``, no askpass, no credential helper), so
  a private or missing repository fails at once with one line instead of waiting for a password;
- one commit only (``--depth 1``), no file contents but those checked out (``--filter=blob:none``),
  and only the folders asked for (sparse checkout): a folder of a gigabyte repository costs its
  own files, the tip's trees and a few kilobytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..cards.repo_link import check_ref, is_full_commit
from ..core.settings import Settings
from ..downloads.link_rules import is_loopback_host
from ..downloads.mirrors import MirrorMap
from ..errors import (  # moved to errors.py (issue 26); importable here too
    GitError as GitError,
)
from ..errors import (
    GitMissing as GitMissing,
)
from ..errors import LinkRefused, RepoLinkError

#: The only ``GIT_*`` variables of the environment git is given: they add certificates to trust.
KEPT_GIT_VARIABLES = frozenset({"GIT_SSL_CAINFO", "GIT_SSL_CAPATH"})
#: Seconds a git command may take before it is stopped (a stalled server, a dead network).
GIT_TIMEOUT = 600.0


def git_url_allowed(url: str, *, allow_http: bool) -> None:
    """Raise :class:`LinkRefused` unless git may fetch ``url`` (see the module docstring)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" or scheme == "file" or (not scheme and Path(url).is_absolute()):
        return
    if scheme in ("http", "git"):
        if allow_http or is_loopback_host(parts.hostname or ""):
            return
        raise LinkRefused(
            f"refusing plain {scheme}:// repository {url}",
            hint="use https://, a loopback mirror, or pass --allow-http to accept it",
        )
    raise LinkRefused(f"unsupported repository scheme {scheme or '(none)'!r} in {url}")


def _dies_with(parent: int) -> Callable[[], None] | None:
    """On Linux, a function for ``preexec_fn`` that makes git die when ``parent`` does: a
    hub-plugin killed with SIGKILL must not leave a git fetch writing into the cache after the next
    run has swept it. Elsewhere None (git then outlives its parent; the next run still sweeps)."""
    if not sys.platform.startswith("linux"):
        return None

    def arrange() -> None:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arrange


@dataclass(frozen=True)
class GitTransport:
    """How git is run: mirrors, the plain-transport rule, offline mode, a time limit."""

    mirrors: MirrorMap = field(default_factory=MirrorMap.from_environment)
    allow_http: bool = False
    offline: bool = False
    timeout: float = GIT_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> GitTransport:
        """The transport ``settings`` ask for (mirrors, offline, plain http)."""
        return cls(mirrors=MirrorMap.from_settings(settings), allow_http=settings.allow_http,
                   offline=settings.offline)

    def rewrite(self, url: str) -> str:
        """The URL git will be given: ``url`` through the mirrors, checked."""
        target = self.mirrors.apply(url)
        git_url_allowed(target, allow_http=self.allow_http)
        return target

    def _config(self, url: str) -> list[str]:
        """``-c`` options for every git command: the scheme of ``url`` (already checked) and
        https are the only transports git may use, TLS is verified, nothing prompts."""
        scheme = urlsplit(url).scheme.lower() or "file"
        options = {
            "protocol.allow": "never",
            "protocol.https.allow": "always",
            "protocol.file.allow": "always" if scheme == "file" else "never",
            "protocol.http.allow": "always" if scheme == "http" else "never",
            "protocol.git.allow": "always" if scheme == "git" else "never",
            "http.sslVerify": "true",
            "core.symlinks": "false",
            "core.hooksPath": os.devnull,
            "core.fsmonitor": "false",
            "submodule.recurse": "false",
            "fetch.recurseSubmodules": "false",
            "credential.helper": "",
            # LFS off by name as well (the global and system files that define it are not read)
            "filter.lfs.process": "",
            "filter.lfs.smudge": "",
            "filter.lfs.clean": "",
            "filter.lfs.required": "false",
            "lfs.fetchexclude": "*",
            "core.askPass": "",
            "advice.detachedHead": "false",
            "init.defaultBranch": "main",
            "gc.auto": "0",
            "maintenance.auto": "false",
            "http.lowSpeedLimit": "1000",
            "http.lowSpeedTime": "60",
        }
        return [arg for key, value in options.items() for arg in ("-c", f"{key}={value}")]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("GIT_") or k in KEPT_GIT_VARIABLES}
        env.pop("SSH_ASKPASS", None)
        env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never", LC_ALL="C",
                   GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_LFS_SKIP_SMUDGE="1")
        return env

    def run(self, args: Sequence[str], *, url: str, ref: str | None = None,
            cwd: Path | None = None) -> str:
        """Run ``git <args>`` for the repository ``url``; its stdout, or :class:`GitError`."""
        git = git_command()
        try:
            done = subprocess.run(
                [git, *self._config(url), *args], cwd=cwd, env=self.environment(),
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=self.timeout,
                preexec_fn=_dies_with(os.getpid()),
            )
        except subprocess.TimeoutExpired as error:
            raise GitError(url, ref, f"no answer within {self.timeout:.0f} s") from error
        if done.returncode != 0:
            raise GitError(url, ref, *_reason(done.stderr, done.returncode))
        return done.stdout


def git_command() -> str:
    """The path of the ``git`` command; :class:`GitMissing` when it is not installed."""
    git = shutil.which("git")
    if git is None:
        raise GitMissing("the git command is not installed", hint="install git, then retry")
    return git


def _reason(stderr: str, code: int) -> tuple[str, str | None]:
    """Git's own words for a failure (its last ``fatal:`` line and what follows), and a hint."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith(("fatal:", "error:"))]
    reason = " ".join(lines[starts[-1]:] if starts else lines[-1:]) or f"exit status {code}"
    reason = reason.removeprefix("fatal: ").removeprefix("error: ")
    hint = None
    if "could not read Username" in reason or "Authentication failed" in reason:
        hint = ("the repository is private or does not exist; hub-plugin never asks for a "
                "password: use a public URL or a mirror (HUB_PLUGIN_MIRROR)")
    elif "unable to connect" in reason or "Could not resolve host" in reason:
        hint = ("the server cannot be reached; ways forward: --offline (HUB_PLUGIN_OFFLINE=1) "
                "with code already cached, or a mirror (HUB_PLUGIN_MIRROR=PREFIX=REPLACEMENT)")
    return reason, hint


@dataclass(frozen=True)
class SparseCheckout:
    """A shallow, partial, sparse checkout of one commit on disk."""

    path: Path
    url: str
    commit: str
    date: str
    layout: str = ""
    """The folder of ``layouts`` that was found and checked out alone, or ``""``."""


def fetch_sparse(transport: GitTransport, url: str, ref: str, folders: Sequence[str],
                 destination: Path, *, layouts: Sequence[str] = ()) -> SparseCheckout:
    """Check out ``folders`` of ``url`` at ``ref`` (a branch, a tag, ``HEAD`` or a commit id)
    into the new folder ``destination``: one commit, only those folders' file contents.

    ``folders`` empty means the whole tree of that commit, unless one of ``layouts`` (folders
    tried in order, such as MindSpore Hub's ``mshub_res/assets``) is a folder at that commit: then
    only that one is checked out, and :attr:`SparseCheckout.layout` names it (the trees are
    fetched without their files, so asking costs no file contents). Raises :class:`GitError` (also
    when offline: no connection is attempted) or :class:`LinkRefused`.
    """
    if not is_full_commit(ref):
        try:
            check_ref(ref)
        except RepoLinkError as error:
            raise GitError(url, ref, error.message) from None
    target = transport.rewrite(url)
    if transport.offline:
        raise GitError(url, ref, "offline mode is on (HUB_PLUGIN_OFFLINE / --offline)",
                       "drop --offline or unset HUB_PLUGIN_OFFLINE to fetch")
    destination.mkdir(parents=True)
    run = transport.run
    run(["init", "-q", "--", str(destination)], url=target, ref=ref)
    run(["remote", "add", "--", "origin", target], url=target, ref=ref, cwd=destination)
    if folders:
        run(["config", "core.sparseCheckout", "true"], url=target, cwd=destination)
        patterns = "".join(f"/{folder.strip('/')}/\n" for folder in folders)
        (destination / ".git" / "info").mkdir(exist_ok=True)
        (destination / ".git" / "info" / "sparse-checkout").write_text(patterns, encoding="utf-8")
    run(["-c", "protocol.version=2", "fetch", "-q", "--depth", "1", "--filter=blob:none",
         "--no-tags", "--no-recurse-submodules", "--", "origin", ref], url=target, ref=ref, cwd=destination)
    layout = "" if folders else _first_folder(run, target, destination, layouts)
    if layout:
        run(["config", "core.sparseCheckout", "true"], url=target, cwd=destination)
        (destination / ".git" / "info").mkdir(exist_ok=True)
        (destination / ".git" / "info" / "sparse-checkout").write_text(f"/{layout}/\n",
                                                                       encoding="utf-8")
    run(["checkout", "-q", "FETCH_HEAD"], url=target, ref=ref, cwd=destination)
    commit, date = run(["log", "-1", "--format=%H %cI"], url=target, cwd=destination).split()
    return SparseCheckout(destination, url, commit, date, layout)


def _first_folder(run: Callable[..., str], target: str, checkout: Path,
                  layouts: Sequence[str]) -> str:
    """The first of ``layouts`` that is a folder (a tree) in ``FETCH_HEAD``, or ``""``."""
    for folder in layouts:
        listed = run(["ls-tree", "-d", "--name-only", "FETCH_HEAD", "--", folder.strip("/")],
                     url=target, cwd=checkout)
        if listed.strip() == folder.strip("/"):
            return folder.strip("/")
    return ""


def add_folders(transport: GitTransport, checkout: Path, url: str, folders: Sequence[str]) -> None:
    """Widen the sparse checkout in ``checkout`` by ``folders`` (their blobs are fetched)."""
    target = transport.rewrite(url)
    if transport.offline:
        raise GitError(url, None, "offline mode is on (HUB_PLUGIN_OFFLINE / --offline)")
    sparse = checkout / ".git" / "info" / "sparse-checkout"
    have = sparse.read_text(encoding="utf-8").splitlines() if sparse.is_file() else []
    wanted = [f"/{folder.strip('/')}/" for folder in folders]
    sparse.write_text("".join(f"{p}\n" for p in dict.fromkeys([*have, *wanted])), encoding="utf-8")
    (checkout / ".git" / "index.lock").unlink(missing_ok=True)  # a killed run's; we hold the lock
    transport.run(["read-tree", "-mu", "HEAD"], url=target, cwd=checkout)
