"""``validate --check-links`` and ``--verify-assets`` against a real loopback server with faults."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, line_of, write_card
from checkpoint_samples import checkpoint_bytes
from tls_server import tls_server  # an HTTPS AssetServer with a fresh self-signed certificate

from hub_plugin.cli import main

__all__ = ["tls_server"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def card_for(folder: Path, name: str, asset_link: str, digest: str, repo_link: str) -> Path:
    front = (VALID_FRONT_MATTER
             .replace("<https://example.org/models/tiny.ckpt>", f"<{asset_link}>")
             .replace("<https://example.org/models/tiny>", f"<{repo_link}>")
             .replace(DIGEST, digest))
    return write_card(folder, name, card_text(front))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> AssetServer:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,127.0.0.2,localhost")
    started = AssetServer(head=True)
    started.start()
    yield started
    started.stop()


def positions(path: Path) -> tuple[int, int]:
    text = path.read_text()
    return line_of(text, "asset-link:"), line_of(text, "asset-sha256:")


def test_a_live_link_passes_and_its_announced_size_is_reported(capsys, server, tmp_path: Path) -> None:
    payload = checkpoint_bytes(3000)  # a .ckpt must parse as one (issue 29)
    link = server.add("/tiny.ckpt", payload)
    repo = server.add("/repo", b"<html>")
    card = card_for(tmp_path, "live", link, hashlib.sha256(payload).hexdigest(), repo)
    code, out, _ = run(capsys, "validate", "--check-links", str(card))
    assert code == 0, out
    asset_line, _ = positions(card)
    assert (f"{card}:{asset_line}:17: link/size: 'asset-link' answers HTTP 200: 2.9 KiB (3000 bytes) "
            "(note)") in out
    assert [r.method for r in server.requests_for("/tiny.ckpt")] == ["HEAD"]  # nothing downloaded
    assert [r.method for r in server.requests_for("/repo")] == ["HEAD"]


def test_a_404_and_a_redirect_to_a_404_are_errors_at_their_lines(capsys, server, tmp_path: Path) -> None:
    repo = server.add("/repo", b"<html>")
    missing = server.url("/gone.ckpt")
    moved = server.add("/moved.ckpt", b"", Fault(redirect="/gone-too.ckpt"))
    dead = card_for(tmp_path, "dead", missing, DIGEST, repo)
    redirected = card_for(tmp_path, "redirected", moved, DIGEST, server.url("/no-repo"))
    code, out, _ = run(capsys, "validate", "--check-links", "--tries", "1", str(tmp_path))
    assert code == 1
    asset_line, _ = positions(dead)
    assert f"{dead}:{asset_line}:17: link/dead: 'asset-link' is dead: HTTP 404 ({missing})" in out
    text = redirected.read_text()
    assert (f"{redirected}:{positions(redirected)[0]}:17: link/dead: 'asset-link' is dead: HTTP 404 "
            f"(redirected to {server.url('/gone-too.ckpt')}) ({moved})") in out
    assert f"{redirected}:{line_of(text, 'repo-link:')}:12: link/dead: 'repo-link' is dead: HTTP 404" in out
    assert out.strip().endswith("2 files checked (strict): 0 valid, 2 invalid")


def test_a_server_that_refuses_head_gets_a_one_byte_range_get(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = AssetServer(head=False)
    server.start()
    try:
        payload = checkpoint_bytes(5000)
        link = server.add("/tiny.ckpt", payload)
        card = card_for(tmp_path, "nohead", link, hashlib.sha256(payload).hexdigest(),
                        server.add("/repo", b"x"))
        code, out, _ = run(capsys, "validate", "--check-links", str(card))
    finally:
        server.stop()
    assert code == 0, out
    assert "answers HTTP 206: 4.9 KiB (5000 bytes)" in out
    assert [(r.method, r.range) for r in server.requests_for("/tiny.ckpt")] == [
        ("HEAD", None), ("GET", "bytes=0-0")]


def test_a_slow_host_beyond_the_timeout_is_a_dead_link(capsys, server, tmp_path: Path) -> None:
    slow = server.add("/slow.ckpt", b"x", Fault(delay=1.5), Fault(delay=1.5))
    card = card_for(tmp_path, "slow", slow, DIGEST, server.add("/repo", b"x"))
    code, out, _ = run(capsys, "validate", "--check-links", "--timeout", "0.3", "--tries", "2",
                       str(card))
    assert code == 1
    assert f"'asset-link' is dead: no answer within 0.3 s after 2 tries ({slow})" in out


def test_verify_assets_names_both_digests_at_the_sha256_line(capsys, server, tmp_path: Path) -> None:
    link = server.add("/tiny.ckpt", b"the real bytes")
    card = card_for(tmp_path, "wrong", link, hashlib.sha256(b"other bytes").hexdigest(),
                    server.add("/repo", b"x"))
    code, out, _ = run(capsys, "validate", "--verify-assets", str(card))
    assert code == 1
    _, digest_line = positions(card)
    actual = hashlib.sha256(b"the real bytes").hexdigest()
    expected = hashlib.sha256(b"other bytes").hexdigest()
    assert (f"{card}:{digest_line}:19: asset/sha256-mismatch: the file at {link} has sha256 {actual} "
            f"(14 bytes), but the card says {expected}") in out


def test_verify_assets_prints_the_full_digest_of_a_prefix_and_a_second_run_downloads_nothing(
    capsys, server, tmp_path: Path
) -> None:
    payload = checkpoint_bytes(1024 * 1024)
    full = hashlib.sha256(payload).hexdigest()
    link = server.add("/tiny.ckpt", payload)
    card = card_for(tmp_path, "prefix", link, full[:8], server.add("/repo", b"x"))
    for _ in (1, 2):
        code, out, _ = run(capsys, "validate", "--profile", "mindspore-hub", "--verify-assets",
                           "--format", "json", str(card))
        assert code == 0, out
        (file,) = json.loads(out)["files"]
        (size,) = [n for n in file["notes"] if n["rule"] == "link/size"]
        assert size["message"] == ("'asset-link': 1.0 MiB (1048576 bytes), sha256 verified, the link's "
                                   "size and 6 ranges of 64 KiB compared")
        (note,) = [n for n in file["notes"] if n["rule"] == "asset/full-sha256"]
        assert note["pointer"] == "/asset/0/asset-sha256" and note["line"] == positions(card)[1]
        assert note["message"] == f"the card gives 8 of 64 digits; the full sha256 is {full}"
    asked = server.requests_for("/tiny.ckpt")
    assert [r.range for r in asked].count(None) == 1  # one download, in the first run
    assert len(asked) == 1 + 6 + 6 and all(r.range for r in asked[7:])  # then ranges only


def test_the_strict_profile_still_gets_the_full_digest_of_a_prefix(capsys, server, tmp_path) -> None:
    payload = b"checkpoint bytes"
    full = hashlib.sha256(payload).hexdigest()
    card = card_for(tmp_path, "strict", server.add("/tiny.ckpt", payload), full[:10],
                    server.add("/repo", b"x"))
    code, out, _ = run(capsys, "validate", "--verify-assets", "--format", "github", str(card))
    assert code == 1  # the prefix is still an error of the text under strict
    assert f"::notice file={card},line={positions(card)[1]},col=19,title=asset/full-sha256::" \
           f"the card gives 10 of 64 digits; the full sha256 is {full}" in out.replace("%3A", ":")


@pytest.mark.parametrize("flag", ["--check-links", "--verify-assets"])
def test_offline_with_a_network_check_is_a_one_line_usage_error(capsys, tmp_path, flag, monkeypatch):
    write_card(tmp_path, "good", card_text())
    code, out, err = run(capsys, "validate", flag, "--offline", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"hub-plugin: error: {flag} needs the network, and --offline forbids it\n"
    monkeypatch.setenv("HUB_PLUGIN_OFFLINE", "1")
    code, _, err = run(capsys, "validate", flag, str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "HUB_PLUGIN_OFFLINE forbids it" in err


def test_a_mirror_is_followed_as_for_downloads(capsys, server, tmp_path, monkeypatch) -> None:
    payload = checkpoint_bytes(64)
    server.add("/models/tiny.ckpt", payload)
    server.add("/models/repo", b"x")
    card = card_for(tmp_path, "mirrored", "https://download.example.invalid/models/tiny.ckpt",
                    hashlib.sha256(payload).hexdigest(), "https://download.example.invalid/models/repo")
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://download.example.invalid/={server.url('/')}")
    code, out, _ = run(capsys, "validate", "--check-links", "--verify-assets", str(card))
    assert code == 0, out
    assert "'asset-link': 64 bytes, sha256 verified, every byte the link serves compared" in out
    # downloaded, then compared with the blob stored (as every later run does); never HEAD apart
    assert [r.method for r in server.requests_for("/models/tiny.ckpt")] == ["GET", "GET"]


def test_no_host_sees_more_than_the_per_host_limit(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,127.0.0.2")
    servers = [AssetServer(host=host, head=True, latency=0.15) for host in ("127.0.0.1", "127.0.0.2")]
    for server in servers:
        server.start()
    try:
        for index in range(24):
            server = servers[index % 2]
            payload = f"asset {index}".encode()
            card_for(tmp_path, f"card{index:02d}", server.add(f"/a{index}.ckpt", payload),
                     hashlib.sha256(payload).hexdigest(), server.add(f"/repo{index}", b"x"))
        code, out, _ = run(capsys, "validate", "--check-links", "--jobs", "8", "--per-host", "3",
                           str(tmp_path))
    finally:
        for server in servers:
            server.stop()
    assert code == 0, out
    assert [server.peak for server in servers] == [3, 3]  # the limit held, and was reached
    assert sum(len(server.log) for server in servers) == 48


def test_every_format_carries_the_findings(capsys, server, tmp_path: Path) -> None:
    card = card_for(tmp_path, "dead", server.url("/gone.ckpt"), DIGEST, server.add("/repo", b"x"))
    outputs = {}
    for output_format in ("text", "json", "github", "sarif"):
        code, outputs[output_format], _ = run(capsys, "validate", "--check-links", "--format",
                                              output_format, str(card))
        assert code == 1
    assert "link/dead" in outputs["text"]
    assert json.loads(outputs["json"])["files"][0]["errors"][0]["rule"] == "link/dead"
    assert "title=link/dead::" in outputs["github"]
    (run_,) = json.loads(outputs["sarif"])["runs"]
    assert [r["ruleId"] for r in run_["results"]] == ["link/dead"]



def test_a_tls_failure_is_a_dead_link_and_a_ca_bundle_fixes_it(capsys, tls_server, tmp_path, monkeypatch):
    server, cert = tls_server
    payload = checkpoint_bytes(64)
    link = server.add("/w.ckpt", payload)
    card = card_for(tmp_path, "tls", link, hashlib.sha256(payload).hexdigest(), server.add("/repo", b"x"))
    code, out, _ = run(capsys, "validate", "--check-links", str(card))
    assert code == 1
    assert "'asset-link' is dead: TLS failed: " in out and "CERTIFICATE_VERIFY_FAILED" in out
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    code, out, _ = run(capsys, "validate", "--check-links", "--verify-assets", str(card))
    assert code == 0, out


def test_an_asset_without_a_usable_digest_is_left_to_the_text_checks(capsys, server, tmp_path) -> None:
    card = card_for(tmp_path, "nodigest", server.add("/tiny.ckpt", b"x"), "not-a-digest",
                    server.add("/repo", b"x"))
    code, out, _ = run(capsys, "validate", "--verify-assets", "--format", "json", str(card))
    (file,) = json.loads(out)["files"]
    assert code == 1 and [e["rule"] for e in file["errors"]] == ["sha256"]
    assert file["notes"] == [] and server.requests_for("/tiny.ckpt") == []
