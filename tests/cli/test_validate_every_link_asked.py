"""``validate --verify-assets`` asks every link in every run, whatever the cache holds, and its
verdicts depend neither on the order of the cards, nor on ``--jobs``, nor on a cold or warm cache.
Against the loopback fault server, with cards that share digests."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault, asset_server
from card_samples import VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes

from hub_plugin.cli import main

__all__ = ["asset_server"]

BIG = checkpoint_bytes(1024 * 1024 + 17)  # sampled by ranges, not fetched whole
SMALL = checkpoint_bytes(64)  # a .ckpt must parse as one (issue 29)


def card(folder: Path, name: str, asset_link: str, payload_or_digest: bytes | str, repo: str) -> Path:
    digest = (payload_or_digest if isinstance(payload_or_digest, str)
              else hashlib.sha256(payload_or_digest).hexdigest())
    front = (VALID_FRONT_MATTER
             .replace("<https://example.org/models/tiny.ckpt>", f"<{asset_link}>")
             .replace("<https://example.org/models/tiny>", f"<{repo}>"))
    front = "\n".join(f"    asset-sha256: {digest}" if line.startswith("    asset-sha256:") else line
                      for line in front.splitlines()) + "\n"
    return write_card(folder, name, card_text(front))


@pytest.fixture
def server(asset_server: AssetServer) -> AssetServer:
    """The loopback fault server (proxies bypassed), answering HEAD as real file servers do."""
    asset_server.head = True
    return asset_server


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "json", *args])
    out = capsys.readouterr().out
    report = json.loads(out)
    report["files"].sort(key=lambda f: f["path"])
    return code, report


def findings(report: dict, *kinds: str) -> set[tuple[str, str, str]]:
    return {(Path(f["path"]).name, d["rule"], d["message"]) for f in report["files"]
            for kind in kinds for d in f[kind]}


def test_a_404_link_is_dead_even_when_its_digest_is_cached(capsys, server, tmp_path: Path) -> None:
    repo = server.add("/repo", b"x")
    good = card(tmp_path / "a", "good", server.add("/good.ckpt", SMALL), SMALL, repo)
    dead = card(tmp_path / "b", "dead", server.url("/gone.ckpt"), SMALL, repo)
    assert validate(capsys, "--verify-assets", str(good))[0] == 0  # the digest is now cached
    code, report = validate(capsys, "--verify-assets", str(dead))
    assert code == 1
    assert findings(report, "errors") == {
        ("dead.md", "link/dead", f"'asset-link' is dead: HTTP 404 ({server.url('/gone.ckpt')})")}
    assert [r.method for r in server.requests_for("/gone.ckpt")] == ["GET"]


@pytest.mark.parametrize("payload", [SMALL, BIG], ids=["whole", "ranges"])
def test_a_link_serving_other_bytes_of_the_same_size_is_a_mismatch(
    capsys, server, tmp_path: Path, payload: bytes
) -> None:
    repo = server.add("/repo", b"x")
    good = card(tmp_path / "a", "good", server.add("/good.ckpt", payload), payload, repo)
    other = bytes(b ^ 0x5A for b in payload)
    swapped = card(tmp_path / "b", "swapped", server.add("/swapped.ckpt", other), payload, repo)
    assert validate(capsys, "--verify-assets", str(good))[0] == 0
    code, report = validate(capsys, "--verify-assets", str(swapped))
    assert code == 1
    ((_, rule, message),) = findings(report, "errors")
    assert rule == "asset/sha256-mismatch"
    assert "its bytes differ from the file of this sha256 at offset 0" in message


def test_a_link_serving_a_shorter_file_is_a_mismatch_naming_both_sizes(capsys, server, tmp_path) -> None:
    repo = server.add("/repo", b"x")
    good = card(tmp_path / "a", "good", server.add("/good.ckpt", BIG), BIG, repo)
    short = card(tmp_path / "b", "short", server.add("/short.ckpt", BIG[:-1000]), BIG, repo)
    validate(capsys, "--verify-assets", str(good))
    code, report = validate(capsys, "--verify-assets", str(short))
    ((_, rule, message),) = findings(report, "errors")
    assert code == 1 and rule == "asset/sha256-mismatch"
    assert "the file of this sha256 has 1.0 MiB (1048593 bytes)" in message


def test_a_server_ignoring_ranges_is_compared_whole(capsys, server, tmp_path: Path) -> None:
    repo = server.add("/repo", b"x")
    good = card(tmp_path, "good", server.add("/good.ckpt", BIG), BIG, repo)
    validate(capsys, "--verify-assets", str(good))
    server.add("/good.ckpt", BIG, Fault(ignore_range=True))
    code, report = validate(capsys, "--verify-assets", str(good))
    assert code == 0
    assert ("good.md", "link/size", "'asset-link': 1.0 MiB (1048593 bytes), sha256 verified, every byte "
            "the link serves compared") in findings(report, "notes")


def test_two_cards_with_one_digest_each_get_their_link_asked(capsys, server, tmp_path: Path) -> None:
    repo = server.add("/repo", b"x")
    card(tmp_path, "first", server.add("/r1.8/w.ckpt", BIG), BIG, repo)
    card(tmp_path, "second", server.url("/r1.9/w.ckpt"), BIG, repo)  # republished, but gone
    code, report = validate(capsys, "--verify-assets", str(tmp_path))
    assert code == 1
    assert {(name, rule) for name, rule, _ in findings(report, "errors")} == {("second.md", "link/dead")}
    assert server.requests_for("/r1.9/w.ckpt")
    assert len([r for r in server.requests_for("/r1.8/w.ckpt") if r.range is None]) == 1  # one download


def _hub(server: AssetServer, folder: Path) -> list[Path]:
    """Cards sharing digests, with every kind of link: good, dead, other bytes, another size,
    a 503 that recovers, and prefixes."""
    repo = server.add("/repo", b"x")
    other = os.urandom(len(BIG))
    return [
        card(folder, "a_good", server.add("/a.ckpt", BIG), BIG, repo),
        card(folder, "b_dead", server.url("/b.ckpt"), BIG, repo),
        card(folder, "c_other", server.add("/c.ckpt", other), BIG, repo),
        card(folder, "d_short", server.add("/d.ckpt", BIG[:5000]), BIG, repo),
        card(folder, "e_prefix", server.add("/e.ckpt", BIG), hashlib.sha256(BIG).hexdigest()[:8], repo),
        card(folder, "f_small", server.add("/f.ckpt", SMALL), SMALL, repo),
        card(folder, "g_small_dead", server.url("/g.ckpt"), SMALL, repo),
        card(folder, "h_nowhere", server.url("/h.ckpt"), b"served by no link", repo),
        card(folder, "i_wrong_alone", server.add("/i.ckpt", b"not these"), b"these", repo),
    ]


def test_verdicts_do_not_depend_on_order_jobs_or_the_cache(
    capsys, server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = _hub(server, tmp_path / "cards")
    orders = [cards, cards[::-1], [cards[i] for i in (4, 1, 7, 0, 8, 2, 6, 3, 5)]]
    seen: list[dict] = []
    for number, (order, jobs, warm) in enumerate(itertools.product(orders, ("1", "8"), (False, True))):
        if not warm:
            monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / f"home-{number}"))
        code, report = validate(capsys, "--profile", "mindspore-hub", "--verify-assets", "--jobs", jobs,
                                *map(str, order))
        assert code == 1
        seen.append(report)
    assert all(report == seen[0] for report in seen[1:])
    errors = {(name, rule) for name, rule, _ in findings(seen[0], "errors")}
    assert errors == {("b_dead.md", "link/dead"), ("c_other.md", "asset/sha256-mismatch"),
                      ("d_short.md", "asset/sha256-mismatch"), ("g_small_dead.md", "link/dead"),
                      ("h_nowhere.md", "link/dead"), ("i_wrong_alone.md", "asset/sha256-mismatch")}
    notes = {name for name, rule, _ in findings(seen[0], "notes") if rule == "link/size"}
    assert notes == {"a_good.md", "e_prefix.md", "f_small.md"}


def test_both_checks_together_never_report_less_than_either_alone(capsys, server, tmp_path: Path) -> None:
    cards = [str(path) for path in _hub(server, tmp_path / "cards")]
    alone = {}
    for flags in (("--check-links",), ("--verify-assets",), ("--check-links", "--verify-assets")):
        code, report = validate(capsys, "--profile", "mindspore-hub", *flags, *cards)
        alone[flags] = (code, {(name, rule) for name, rule, _ in findings(report, "errors", "warnings")})
    both = alone["--check-links", "--verify-assets"]
    for flags in (("--check-links",), ("--verify-assets",)):
        assert both[0] >= alone[flags][0]
        assert both[1] >= alone[flags][1], flags
    assert ("b_dead.md", "link/dead") in alone["--check-links",][1]
