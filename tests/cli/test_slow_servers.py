"""Issue 27 hole 9: a server that is never silent for long, yet never done, cannot hold a command.

A link whose server sends one byte every 2 s passed every per-read timeout: ``download``,
``validate --check-links`` and ``--verify-assets`` with ``--timeout 3 --tries 1`` were still running
after 45 s (the head at 2 s a byte takes minutes; a body of megabytes, days). The one HTTP client
(:mod:`hub_plugin.core.http`) gives every request a deadline: the status line and headers within
``--timeout``, then a minimum transfer rate for the body. Each command below ends within
:data:`BOUND` seconds with one line naming the too-slow transfer. Measured: on ``21e9d6b`` each
trickle case was still running when killed at 90 s; now each ends in 3 to 5 s.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes

from hub_plugin.cli import main

#: Seconds any of the commands may take against a trickling server with --timeout 3 --tries 1.
BOUND = 15.0
PAYLOAD = checkpoint_bytes(4096)  # a .ckpt must parse as one (issue 29)
SHA = hashlib.sha256(PAYLOAD).hexdigest()
SLOW = ("--timeout", "3", "--tries", "1")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> AssetServer:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    started = AssetServer(head=True)
    started.start()
    yield started
    started.stop()


def card(folder: Path, link: str, repo: str) -> Path:
    front = (VALID_FRONT_MATTER
             .replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
             .replace("<https://example.org/models/tiny>", f"<{repo}>")
             .replace(DIGEST, SHA))
    return write_card(folder, "tiny", card_text(front))


def timed(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    code = main(list(args))
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    return code, out, err, elapsed


FAULTS = {
    # headers at once, then the body one byte every 2 s
    "body-trickles": Fault(trickle=2.0),
    # the status line and the headers one byte every 2 s (what a HEAD meets too)
    "head-trickles": Fault(trickle=2.0, trickle_head=True),
    # connected, and then nothing at all
    "never-a-first-byte": Fault(delay=60.0),
}
WHY = {"body-trickles": "too slow", "head-trickles": "too slow", "never-a-first-byte": "no answer within 3 s"}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_download_ends_in_time_with_one_line(capsys, server: AssetServer, tmp_path: Path, fault: str) -> None:
    link = server.add("/tiny.ckpt", PAYLOAD, *[FAULTS[fault]] * 3)
    card(tmp_path, link, server.add("/repo", b"x"))
    code, out, err, elapsed = timed(capsys, "--registry", str(tmp_path), "download", "tiny", *SLOW)
    assert elapsed < BOUND, f"download held for {elapsed:.1f} s"
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and WHY[fault] in err and link in err, err


@pytest.mark.parametrize("flag", ["--check-links", "--verify-assets"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_validate_ends_in_time_with_the_link_dead(capsys, server: AssetServer, tmp_path: Path,
                                                  flag: str, fault: str) -> None:
    link = server.add("/tiny.ckpt", PAYLOAD, *[FAULTS[fault]] * 3)
    path = card(tmp_path, link, server.add("/repo", b"x"))
    code, out, _, elapsed = timed(capsys, "validate", flag, *SLOW, str(path))
    assert elapsed < BOUND, f"validate {flag} held for {elapsed:.1f} s"
    if flag == "--check-links" and fault == "body-trickles":  # HEAD: the head came, the link is alive
        assert code == 0 and "link/dead" not in out, out
        return
    assert code == 1
    (dead,) = [line for line in out.splitlines() if "link/dead" in line]
    assert "'asset-link' is dead: " in dead and WHY[fault] in dead and link in dead, out
