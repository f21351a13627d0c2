"""Issue 17: what a card, a ref or the environment says cannot take git, or the zoo cache, outside
what the user asked for. Real git against a real git daemon (and an HTTPS server) on 127.0.0.1."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from asset_server import AssetServer
from git_server import GitServer, WorkRepo
from tls_server import tls_server
from zoo_repos import FOLDERS, ZOO, build_zoo

from hub_plugin.cards.repo_link import RepoLink, parse_repo_link
from hub_plugin.downloads.link_rules import is_loopback_host
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import GitError, PathEscape, RepoLinkError
from hub_plugin.git import transport as git_transport
from hub_plugin.git.transport import GitTransport, fetch_sparse
from hub_plugin.zoo.checkout import ZooCache

__all__ = ["tls_server"]


def _transport(server: GitServer) -> GitTransport:
    return GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={server.root}"))


def _modes(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mode for p in sorted(folder.rglob("*"))}


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder of the user's, outside the cache, with writable files."""
    folder = tmp_path / "home-of-the-user"
    (folder / "projects").mkdir(parents=True)
    (folder / "projects" / "thesis.tex").write_text("years of work\n")
    (folder / "notes.txt").write_text("notes\n")
    return folder


def test_a_traversing_folder_changes_nothing_outside_the_checkout(
    git_server: GitServer, tmp_path: Path, victim: Path
) -> None:
    """Cases 1 and 2: ``official/cv/../../../..`` reached another checkout (imported under this
    repository's trust) and the user's files (write bits stripped before any trust). The parser
    refuses the link; a RepoLink made past the parser is stopped by the containment check at
    the join, before anything is written or changed outside ``zoo/<key>/<commit>/``."""
    build_zoo(git_server)
    cache = ZooCache(tmp_path / "home")
    before = _modes(victim)
    escape = os.path.relpath(victim, tmp_path / "home" / "zoo" / "k" / "c")
    with pytest.raises(RepoLinkError):
        parse_repo_link(f"{ZOO}/tree/r1.8/{escape}")
    with pytest.raises(PathEscape):
        cache.folder(RepoLink(ZOO, "r1.8", escape), _transport(git_server))
    assert _modes(victim) == before
    assert all(p.stat().st_mode & stat.S_IWUSR for p in victim.rglob("*") if p.is_file())


def test_a_link_committed_into_the_zoo_is_not_followed(
    git_server: GitServer, tmp_path: Path, victim: Path
) -> None:
    """A zoo repository that commits a symbolic link (``official/cv/evil -> <the user's home>``):
    git checks it out as a plain file (core.symlinks=false), so the folder is missing, not the
    user's home, and nothing there is made read-only."""
    repo = WorkRepo(tmp_path / "work-evil")
    repo.write("official/cv/ok/hubconf.py", "def create_network(name):\n    return None\n")
    (repo.path / "official" / "cv" / "evil").symlink_to(victim, target_is_directory=True)
    repo.commit("a link")
    git_server.publish(repo, "models.git")
    cache = ZooCache(tmp_path / "home")
    before = _modes(victim)
    with pytest.raises(Exception, match=r"no folder 'official/cv/evil'|not a plain|symbolic"):
        cache.folder(parse_repo_link(f"{ZOO}/tree/master/official/cv/evil"), _transport(git_server))
    assert _modes(victim) == before
    checkout = next((tmp_path / "home" / "zoo").glob("*/" + "[0-9a-f]" * 40))
    assert not any(p.is_symlink() for p in checkout.rglob("*"))


@pytest.mark.parametrize("ref", ["--upload-pack=touch {marker}", "-c", "--output={marker}"])
def test_a_ref_never_reaches_git_as_an_option(
    git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    """Case 3: ``--upload-pack=<cmd>`` as a ref ran the command over a file:// repository (a
    user's mirror) before trust. It is refused before git runs; and with that check removed (a
    parser gap), the ``--`` before the ref still keeps git from reading it as an option."""
    repo = build_zoo(git_server)
    marker = tmp_path / "pwned"
    ref = ref.format(marker=marker)
    file_mirror = GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/=file://{repo.path}/"))
    url = "https://gitee.com/mindspore/.git"
    with pytest.raises(RepoLinkError):
        parse_repo_link(f"{ZOO}/tree/{ref.replace(' ', '%20')}/official")
    with pytest.raises(GitError, match="not a git ref name"):
        fetch_sparse(file_mirror, url, ref, [], tmp_path / "one")
    assert not (tmp_path / "one").exists()
    monkeypatch.setattr(git_transport, "check_ref", lambda ref, **_: ref)
    with pytest.raises(GitError):
        fetch_sparse(file_mirror, url, ref, [], tmp_path / "two")
    assert not marker.exists()


def test_the_environment_cannot_redirect_git(git_server: GitServer, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """GIT_CONFIG_* in the environment rewrote the URL git fetched (``url.X.insteadOf``) and
    could allow any protocol: every such variable is dropped, git fetches what was asked."""
    good = build_zoo(git_server)
    evil = WorkRepo(tmp_path / "work-evil")
    evil.write("official/cv/alpha/mindspore_hub_conf.py", "import os\nos.system('id')\n")
    evil.commit("evil")
    git_server.publish(evil, "evil.git")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "2")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{git_server.url('evil.git')}.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", git_server.url("models"))
    monkeypatch.setenv("GIT_CONFIG_KEY_1", "protocol.allow")
    monkeypatch.setenv("GIT_CONFIG_VALUE_1", "always")
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "ext:file:git:https:http")
    found = ZooCache(tmp_path / "home").folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['alpha']}"),
                                               _transport(git_server))
    assert found.commit == good.head() != evil.head()
    environment = GitTransport().environment()
    assert not any((k.startswith("GIT_CONFIG") and k not in ("GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL"))
                   or k == "GIT_ALLOW_PROTOCOL" for k in environment)
    # the two GIT_CONFIG_* set on purpose turn the machine's config files off (issue 27, hole 7)
    assert (environment["GIT_CONFIG_NOSYSTEM"], environment["GIT_CONFIG_GLOBAL"]) == ("1", os.devnull)


def test_git_ssl_no_verify_does_not_turn_tls_off(
    tls_server: tuple[AssetServer, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 14: with ``GIT_SSL_NO_VERIFY=1`` set, git still verifies the server's certificate:
    the self-signed server is refused before git sends a single request."""
    server, _cert = tls_server
    monkeypatch.setenv("GIT_SSL_NO_VERIFY", "1")
    monkeypatch.setenv("GIT_SSL_VERIFY", "false")
    url = server.url("/models.git")
    with pytest.raises(GitError, match=r"(?i)certificate|SSL"):
        fetch_sparse(GitTransport(), url, "master", [], tmp_path / "clone")
    assert server.log == []


@pytest.mark.parametrize("host", ["evil.localhost", "localhost.evil.example", "127.0.0.1.nip.io"])
def test_names_that_dns_resolves_are_not_loopback(host: str) -> None:
    """Case 15: ``*.localhost`` names counted as loopback, so plain http:// and git:// went to
    whatever DNS answered. Only ``localhost`` and loopback addresses are."""
    assert not is_loopback_host(host)
    assert is_loopback_host("localhost") and is_loopback_host("127.0.0.2")
    assert is_loopback_host("[::1]")
    with pytest.raises(Exception, match="--allow-http"):
        git_transport.git_url_allowed(f"git://{host}/models", allow_http=False)


@pytest.mark.parametrize("driver", ["evil", "lfs"])
def test_a_zoo_checkout_runs_no_filter_of_the_machine(
    git_server: GitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str
) -> None:
    """Issue 27, hole 7: a zoo repository's ``.gitattributes`` (``*.bin filter=lfs``) and
    ``.lfsconfig`` made git-lfs, configured in the machine's git config, reach any URL during the
    checkout, before trust. Here the user's global git config (``HOME``, ``XDG_CONFIG_HOME``,
    ``GIT_CONFIG_GLOBAL``) defines that filter as a command leaving a marker: git for a stranger's
    repository reads no system or global config and runs no filter, so the marker never appears
    and the file holds the bytes committed. The same checkout serves hub syncs."""
    repo = WorkRepo(tmp_path / "work-filters")
    repo.write(".gitattributes", f"*.bin filter={driver}\n")
    repo.write(".lfsconfig", "[lfs]\n\turl = http://127.0.0.1:9/internal\n")
    repo.write("official/cv/ok/hubconf.py", "def create_network(name):\n    return None\n")
    repo.write("official/cv/ok/weights.bin", "committed bytes\n")
    repo.commit("filters")  # before the hostile config below exists
    git_server.publish(repo, "models.git")
    marker = tmp_path / "MARKER"
    home = tmp_path / "user-home"
    (home / ".config" / "git").mkdir(parents=True)
    config = (f'[filter "{driver}"]\n\tsmudge = "touch {marker}; cat"\n'
              f'\tprocess = "touch {marker}"\n\trequired = true\n'
              f'[core]\n\thooksPath = {tmp_path}/hooks\n')
    for place in (home / ".gitconfig", home / ".config" / "git" / "config"):
        place.write_text(config, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    found = ZooCache(tmp_path / "home").folder(
        parse_repo_link(f"{ZOO}/tree/master/official/cv/ok"), _transport(git_server))
    assert not marker.exists()
    assert (found.path / "weights.bin").read_text() == "committed bytes\n"
    environment = GitTransport().environment()
    assert environment["GIT_CONFIG_NOSYSTEM"] == "1" and environment["GIT_CONFIG_GLOBAL"] == os.devnull
