"""``hub-plugin cache ls|rm|prune|verify`` over a cache filled by real downloads."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault, asset_server
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes

from hub_plugin.cli import main
from hub_plugin.cli.cache import human_size, parse_duration, parse_size
from hub_plugin.errors import UsageError

__all__ = ["asset_server"]

ONE = checkpoint_bytes(100 * 1024)  # a .ckpt must parse as one (issue 29)
TWO = checkpoint_bytes(200 * 1024)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HUB_PLUGIN_HOME"])


@pytest.fixture
def filled(asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A registry of cards one and two, both downloaded; returns the registry."""
    registry = tmp_path / "registry"
    for name, content in (("one", ONE), ("two", TWO)):
        link = asset_server.add(f"/{name}.ckpt", content)
        front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
        front = front.replace(DIGEST, hashlib.sha256(content).hexdigest())
        write_card(registry, name, card_text(front))
    assert main(["--registry", str(registry), "download", "one", "two"]) == 0
    capsys.readouterr()
    return registry


def cache(*args: str) -> int:
    return main(["cache", *args])


def listing(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert cache("ls", "--format", "json") == 0
    return {row["cards"][0]: row for row in json.loads(capsys.readouterr().out)["assets"]}


def test_ls(filled: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = listing(capsys)
    assert set(rows) == {"one", "two"}
    assert rows["two"]["size"] == len(TWO)
    assert rows["one"]["sha256"] == hashlib.sha256(ONE).hexdigest()
    assert rows["one"]["files"] == ["one/one.ckpt"]
    assert cache("ls") == 0
    table = capsys.readouterr().out
    assert "2 cached assets" in table and "300.0 KiB" in table and "one" in table


def test_ls_of_an_empty_cache(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cache("ls") == 0
    assert capsys.readouterr().out == f"no cached assets, hub snapshots or zoo checkouts in {home}\n"


def test_rm_by_card_and_by_digest(filled: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cache("rm", "one", "--dry-run") == 0
    assert capsys.readouterr().out.startswith("would remove ")
    assert set(listing(capsys)) == {"one", "two"}
    assert cache("rm", "one", "--yes") == 0
    assert set(listing(capsys)) == {"two"}
    assert [p.name for p in (home / "cards").rglob("*.ckpt")] == ["two.ckpt"]
    assert cache("rm", hashlib.sha256(TWO).hexdigest()[:10], "--yes") == 0
    assert listing(capsys) == {}


def test_rm_refuses_without_yes_when_nobody_can_answer(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cache("rm", "one") == 2  # stdin is not a terminal under pytest
    assert "pass --yes" in capsys.readouterr().err
    assert set(listing(capsys)) == {"one", "two"}


def test_rm_of_something_absent(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cache("rm", "nothing", "--yes") == 2
    assert "nothing in the cache matches 'nothing'" in capsys.readouterr().err


def test_prune_by_size_keeps_the_most_recently_used(
    filled: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--registry", str(filled), "download", "one"]) == 0  # one is now the latest
    capsys.readouterr()
    assert cache("prune", "--max-size", "150K", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would remove" in out and "two" in out and "100.0 KiB would remain" in out
    assert cache("prune", "--max-size", "150K", "--yes") == 0
    assert set(listing(capsys)) == {"one"}


def test_prune_by_age(filled: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = json.loads((home / "index.json").read_text())
    two = hashlib.sha256(TWO).hexdigest()
    index["blobs"][two]["last_used"] -= 40 * 86400
    (home / "index.json").write_text(json.dumps(index))
    assert cache("prune", "--older-than", "30d", "--yes") == 0
    assert "removed 1 blob(s), 200.0 KiB" in capsys.readouterr().out
    assert set(listing(capsys)) == {"one"}
    assert cache("prune", "--older-than", "30d", "--yes") == 0
    assert capsys.readouterr().out.startswith("nothing to prune")
    assert cache("prune", "--older-than", "soon") == 2


def test_verify_finds_and_removes_a_corrupt_blob(
    filled: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cache("verify") == 0
    assert capsys.readouterr().out.endswith("checked 2 blobs in " + str(home) + ": all good\n")
    blob = home / "blobs" / "sha256" / hashlib.sha256(ONE).hexdigest()
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as handle:  # flip one byte: same size, different digest
        handle.seek(5000)
        byte = handle.read(1)
        handle.seek(5000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    assert cache("verify", "--dry-run") == 1
    assert blob.exists()
    assert cache("verify") == 1
    out = capsys.readouterr().out
    assert f"corrupt {blob} (one)" in out and "; removed" in out and "1 corrupt" in out
    assert not blob.exists()
    assert set(listing(capsys)) == {"two"}
    # and the next download fetches it again
    assert main(["--registry", str(filled), "download", "one"]) == 0
    assert blob.read_bytes() == ONE


@pytest.mark.parametrize(
    ("text", "size"), [("123", 123), ("1K", 1024), ("1.5MiB", 1572864), ("10g", 10 * 1024**3)]
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_durations_and_bad_quantities() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("2w") == 14 * 86400
    with pytest.raises(UsageError):
        parse_duration("30")
    with pytest.raises(UsageError):
        parse_size("lots")
    assert human_size(1536) == "1.5 KiB"
    assert human_size(12) == "12 B"


def test_an_unfinished_download_shows_in_ls_and_prune_removes_it(
    asset_server: AssetServer, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry"
    link = asset_server.add("/cut.ckpt", TWO, Fault(cut_after=70_000), Fault(status=503))
    front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
    write_card(registry, "cut", card_text(front.replace(DIGEST, hashlib.sha256(TWO).hexdigest())))
    assert main(["--registry", str(registry), "download", "cut", "--tries", "1"]) != 0
    capsys.readouterr()
    assert cache("ls", "--format", "json") == 0
    (unfinished,) = json.loads(capsys.readouterr().out)["unfinished"]
    assert unfinished["size"] == 70_000 and unfinished["active"] is False
    assert Path(unfinished["path"]).parent == home / "tmp"
    assert cache("ls") == 0
    out = capsys.readouterr().out
    assert f"unfinished download {unfinished['path']}: 68.4 KiB" in out and "cache prune removes it" in out
    assert cache("prune", "--yes") == 0
    assert "and 1 unfinished download(s)" in capsys.readouterr().out
    assert not Path(unfinished["path"]).exists()
    assert cache("ls", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["unfinished"] == []
