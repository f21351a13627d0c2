"""``hub-plugin download``, end to end: cards in a temporary registry, a real local server."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault, asset_server
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes

from hub_plugin.cards.asset_link import CardOrigin
from hub_plugin.cli import main

__all__ = ["asset_server"]

REPO = Path(__file__).resolve().parents[2]
CONTENT = checkpoint_bytes(300 * 1024)  # a .ckpt must parse as one (issue 29)
SHA = hashlib.sha256(CONTENT).hexdigest()


def card(registry: Path, name: str, link: str, sha256: str = SHA) -> Path:
    front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
    return write_card(registry, name, card_text(front.replace(DIGEST, sha256)))


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return tmp_path / "registry"


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HUB_PLUGIN_HOME"])  # a fresh folder per test (tests/conftest.py)


def download(registry: Path, *args: str) -> int:
    return main(["--registry", str(registry), "download", *args])


def test_prints_the_verified_path_and_downloads_once(
    asset_server: AssetServer, registry: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card(registry, "tiny", asset_server.add("/models/tiny.ckpt", CONTENT))
    assert download(registry, "tiny") == 0
    out, err = capsys.readouterr()
    place = CardOrigin.local(registry, registry / "tiny.md").place  # local/registry-<id>/tiny
    path = home / "cards" / place / "tiny.ckpt"
    assert out == f"{path}\n"
    assert err == ""  # no progress bar: stderr is not a terminal
    assert path.read_bytes() == CONTENT
    assert download(registry, "tiny") == 0
    assert capsys.readouterr().out == f"{path}\n"
    assert len(asset_server.requests_for("/models/tiny.ckpt")) == 1


def test_wrong_bytes_are_one_clear_line_and_a_non_zero_exit(
    asset_server: AssetServer, registry: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = asset_server.add("/tiny.ckpt", CONTENT, Fault(body=os.urandom(len(CONTENT))))
    card(registry, "tiny", url)
    assert download(registry, "tiny") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"hub-plugin: error: {url}: sha256 mismatch: expected {SHA}, got ")
    assert f"({len(CONTENT)} bytes received of {len(CONTENT)} announced)" in err
    assert "retry with: hub-plugin download tiny" in err
    assert not any((home / "blobs" / "sha256").iterdir())
    assert not any((home / "tmp").iterdir())
    assert download(registry, "tiny") == 0  # the server is fixed: the retry works


def test_a_503_then_success(
    asset_server: AssetServer, registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card(
        registry,
        "tiny",
        asset_server.add("/tiny.ckpt", CONTENT, Fault(status=503, headers={"Retry-After": "0"})),
    )
    assert download(registry, "tiny") == 0
    assert capsys.readouterr().out.strip().endswith("tiny.ckpt")


def test_a_server_that_never_answers(
    asset_server: AssetServer, registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card(registry, "tiny", asset_server.add("/tiny.ckpt", CONTENT, Fault(status=404)))
    assert download(registry, "tiny") == 1
    assert "HTTP 404 Not Found" in capsys.readouterr().err


def test_offline_never_connects(
    asset_server: AssetServer,
    registry: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    card(registry, "cached", asset_server.add("/cached.ckpt", CONTENT))
    other = b"not cached"
    card(registry, "missing", asset_server.add("/missing.ckpt", other), hashlib.sha256(other).hexdigest())
    assert download(registry, "cached") == 0
    capsys.readouterr()
    asset_server.log.clear()

    assert download(registry, "cached", "--offline") == 0
    assert capsys.readouterr().out.strip().endswith("cached.ckpt")
    assert download(registry, "missing", "--offline") == 1
    err = capsys.readouterr().err
    assert err.startswith("hub-plugin: error: offline:") and "not in the cache" in err
    monkeypatch.setenv("HUB_PLUGIN_OFFLINE", "1")
    assert download(registry, "missing") == 1
    assert asset_server.log == []


def test_a_digest_prefix_warns_that_the_check_is_weak(
    asset_server: AssetServer, registry: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card(registry, "tiny", asset_server.add("/tiny.ckpt", CONTENT), SHA[:8])
    assert download(registry, "tiny") == 0
    err = capsys.readouterr().err
    assert "only 8 of 64 sha256 digits" in err and "the check is weak" in err and SHA in err
    assert (home / "blobs" / "sha256" / SHA).is_file()


def test_refusals_and_bad_input_are_one_line(
    registry: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    card(registry, "remote", "http://hub.invalid/models/tiny.ckpt")
    assert download(registry, "remote") == 2
    assert "refusing plain http:// link" in capsys.readouterr().err
    assert download(registry, "no_such_card") == 1
    assert "no model named 'no_such_card'" in capsys.readouterr().err
    assert download(registry, "remote", "--timeout", "0") == 2
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", "nonsense")
    assert download(registry, "remote") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "PREFIX=REPLACEMENT" in err


def test_remote_http_with_allow_http_goes_through_a_mirror(
    asset_server: AssetServer,
    registry: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asset_server.add("/mirror/tiny.ckpt", CONTENT)
    card(registry, "tiny", "https://download.mindspore.cn/models/tiny.ckpt")
    monkeypatch.setenv(
        "HUB_PLUGIN_MIRROR", f"https://download.mindspore.cn/models/={asset_server.url('/mirror/')}"
    )
    assert download(registry, "tiny") == 0
    assert capsys.readouterr().out.strip().endswith("tiny.ckpt")


def test_the_command_line_in_a_process_of_its_own(
    asset_server: AssetServer, registry: Path, home: Path
) -> None:
    """stdout carries only paths; the assets layer and the command never import MindSpore."""
    card(registry, "tiny", asset_server.add("/tiny.ckpt", CONTENT))
    code = (
        "import sys; from hub_plugin.cli import main; code = main(sys.argv[1:]); "
        "assert 'mindspore' not in sys.modules, 'mindspore was imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--registry", str(registry), "download", "tiny"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    place = CardOrigin.local(registry, registry / "tiny.md").place
    assert result.stdout == f"{home / 'cards' / place / 'tiny.ckpt'}\n"
    assert result.stderr == ""
