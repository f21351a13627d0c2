"""The git transport: the URL rules, mirrors, and no password prompts, with real git."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import GitError, LinkRefused
from hub_plugin.git.transport import GitTransport, fetch_sparse, git_url_allowed


@pytest.mark.parametrize("url", [
    "https://gitee.com/mindspore/models", "http://127.0.0.1:8080/models.git",
    "git://localhost/models", "file:///srv/git/models.git", "/srv/git/models.git",
])
def test_allowed_urls(url: str) -> None:
    git_url_allowed(url, allow_http=False)


@pytest.mark.parametrize("url", ["http://gitee.com/mindspore/models", "git://github.com/x/y"])
def test_plain_transports_to_remote_hosts_need_allow_http(url: str) -> None:
    with pytest.raises(LinkRefused, match="--allow-http"):
        git_url_allowed(url, allow_http=False)
    git_url_allowed(url, allow_http=True)


@pytest.mark.parametrize("url", ["ssh://git@gitee.com/mindspore/models", "ext::sh -c evil"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(LinkRefused, match="unsupported repository scheme"):
        git_url_allowed(url, allow_http=True)


def test_mirrors_rewrite_before_the_rules_apply() -> None:
    transport = GitTransport(MirrorMap.parse(
        "https://gitee.com/mindspore/=https://github.com/mindspore-ai/"))
    assert transport.rewrite("https://gitee.com/mindspore/models") == "https://github.com/mindspore-ai/models"
    to_plain = GitTransport(MirrorMap.parse("https://gitee.com/=git://mirror.example.org/"))
    with pytest.raises(LinkRefused):
        to_plain.rewrite("https://gitee.com/mindspore/models")


def test_git_may_use_only_the_scheme_asked_for() -> None:
    options = GitTransport()._config("https://gitee.com/mindspore/models")
    pairs = dict(option.split("=", 1) for option in options[1::2])
    assert pairs["protocol.allow"] == "never" and pairs["protocol.http.allow"] == "never"
    assert pairs["protocol.git.allow"] == "never" and pairs["http.sslVerify"] == "true"
    assert pairs["credential.helper"] == ""


class _AskForPassword(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="private"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def private_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AskForPassword)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/private.git"
    finally:
        server.shutdown()


def test_a_private_repository_fails_at_once_without_a_prompt(private_server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(GitError) as raised:
        fetch_sparse(GitTransport(), private_server, "master", [], tmp_path / "clone")
    assert time.monotonic() - started < 20
    assert "terminal prompts disabled" in str(raised.value)
    assert "never asks for a password" in str(raised.value)


def test_offline_makes_no_connection(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="offline mode is on"):
        fetch_sparse(GitTransport(offline=True), "https://gitee.com/mindspore/models", "master",
                     [], tmp_path / "clone")
    assert not (tmp_path / "clone").exists()
