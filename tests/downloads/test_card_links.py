"""A card's asset links by where the card came from, end to end (issue 17, cases 9 and 12).

A hub synced from a real git daemon on 127.0.0.1 and assets on the loopback HTTP server: a hub
card that names a local file is refused before the file is opened (by ``download`` and by
``validate --verify-assets --format github``); two cards with one stem and one file name in two
hub versions get two views, and a path ``download`` printed keeps its bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from asset_server import AssetServer
from card_samples import VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import checkpoint_bytes
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.asset_link import CardOrigin
from hub_plugin.cards.manifest import Asset
from hub_plugin.cli import main
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import LinkRefused

SECRET = Path("/etc/hostname")
V18 = checkpoint_bytes(50_000)  # a .ckpt must parse as one (issue 29)
V19 = checkpoint_bytes(60_000)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside every registry whose digest must never be printed."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_bytes(b"the user's private file " + os.urandom(16))
    return path


@pytest.fixture
def hub(git_server: GitServer, asset_server: AssetServer, secret: Path) -> Path:
    """A synced hub: net_cifar10 in 1.8 and in 1.9 (the same file name, other bytes), and cards
    that name local files (a relative path out of the snapshot, an absolute path, file://)."""
    repo = WorkRepo(git_server.base.parent / f"work-{os.urandom(4).hex()}")
    for version, content in (("1.8", V18), ("1.9", V19)):
        link = asset_server.add(f"/{version}/net.ckpt", content)
        repo.write(f"{CARDS}/mindspore/{version}/net_cifar10.md",
                   hub_card("net", summary=f"net {version}", asset_link=link, digest=_sha(content)))
    up = "../" * 12 + str(secret).lstrip("/")
    for stem, link in (("relative_cifar10", up), ("absolute_cifar10", str(secret)),
                       ("uri_cifar10", secret.as_uri()), ("device_cifar10", "/dev/zero")):
        repo.write(f"{CARDS}/mindspore/1.8/{stem}.md",
                   hub_card(stem, summary="reads a local file", asset_link=link,
                            digest=_sha(secret.read_bytes())))
    repo.commit("cards")
    url = git_server.publish(repo, "hub.git")
    # "aaa": searched before the built-in hub "mindspore", which this test never syncs
    assert main(["hub", "add", "aaa", url, "--path", CARDS]) == 0
    assert main(["hub", "update", "aaa"]) == 0
    return Path(os.environ["HUB_PLUGIN_HOME"])


@pytest.mark.parametrize("stem", ["relative_cifar10", "absolute_cifar10", "uri_cifar10", "device_cifar10"])
def test_download_refuses_a_hub_card_that_names_a_local_file(
    hub: Path, secret: Path, stem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["download", f"mindspore/1.8/{stem}"]) != 0
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "names a local file" in err and "a card from a hub may name only https links" in err
    assert AssetCache(hub).entries() == []


def test_a_hub_card_given_by_its_path_is_still_a_hub_card(
    hub: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = hub.glob("hubs/aaa/snapshots/*/cards/mindspore/1.8/relative_cifar10.md")
    capsys.readouterr()
    assert main(["download", str(path)]) != 0
    assert "a card from a hub may name only https links" in capsys.readouterr().err
    assert AssetCache(hub).entries() == []


@pytest.mark.parametrize("check", ["--verify-assets", "--check-links"])
@pytest.mark.parametrize("stem", ["relative_cifar10", "absolute_cifar10", "uri_cifar10", "device_cifar10"])
def test_validate_in_github_format_reads_no_local_file(
    hub: Path, secret: Path, stem: str, check: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["validate", "--profile", "mindspore-hub", check, "--format", "github",
                 f"mindspore/1.8/{stem}"])
    out = capsys.readouterr().out
    assert code == 1
    assert "title=link/refused::'asset-link'" in out and "names a local file" in out
    assert _sha(secret.read_bytes()) not in out and f"{secret.stat().st_size} bytes" not in out
    assert AssetCache(hub).entries() == []


def test_two_hub_versions_of_one_stem_and_file_name_get_two_views(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["download", "mindspore/1.8/net_cifar10"]) == 0
    first = Path(capsys.readouterr().out.strip())
    assert main(["download", "mindspore/1.9/net_cifar10"]) == 0
    second = Path(capsys.readouterr().out.strip())
    assert first != second and first.name == second.name == "net.ckpt"
    assert first.read_bytes() == V18 and second.read_bytes() == V19  # the printed path kept its bytes
    assert first.relative_to(hub / "cards").parts[:2] == ("hub", first.parts[-5])
    assert "mindspore" in first.parts and "1.8" in first.parts and "1.9" in second.parts
    assert main(["cache", "ls", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["assets"]
    assert sorted(r["cards"] for r in rows) == [["net_cifar10"], ["net_cifar10"]]


def test_a_local_registry_card_reads_its_own_files_but_not_through_a_link(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry"
    weights = registry / "weights"
    weights.mkdir(parents=True)
    (weights / "w.ckpt").write_bytes(V18)
    (weights / "out.ckpt").symlink_to(secret)
    private = secret.read_bytes()
    for name, link, content in (("own", "weights/w.ckpt", V18), ("linked", "weights/out.ckpt", private),
                                ("up", "../outside/secret.txt", private)):
        front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
        front = front.replace(front.split("asset-sha256: ")[1].split("\n")[0], _sha(content))
        write_card(registry, name, card_text(front))
    assert main(["--registry", str(registry), "download", "own"]) == 0
    assert Path(capsys.readouterr().out.strip()).read_bytes() == V18
    assert main(["--registry", str(registry), "download", "linked"]) != 0
    assert "symbolic link" in capsys.readouterr().err
    assert main(["--registry", str(registry), "download", "up"]) != 0
    assert "'..' segment" in capsys.readouterr().err


def test_a_local_mirror_serves_only_files_inside_its_folder(tmp_path: Path, secret: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "w.ckpt").write_bytes(V18)
    mirrors = MirrorMap.parse(f"https://download.mindspore.cn/models/={mirror.as_uri()}/")
    origin = CardOrigin.hub(tmp_path, "main", "0" * 40, "mindspore/1.8/w")
    cache = AssetCache(tmp_path / "cache")
    got = fetch(Asset("https://download.mindspore.cn/models/w.ckpt", _sha(V18), "ckpt"), card="w",
                cache=cache, mirrors=mirrors, origin=origin)
    assert got.path.read_bytes() == V18
    escape = "https://download.mindspore.cn/models/../" + os.path.relpath(secret, mirror.parent)
    with pytest.raises(LinkRefused, match=r"'\.\.' segment"):
        fetch(Asset(escape, _sha(secret.read_bytes()), "ckpt"), card="x", cache=cache, mirrors=mirrors,
              origin=origin)


def test_a_device_or_fifo_is_never_copied_even_from_the_python_api(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cache = AssetCache(tmp_path / "cache")
    for source in ("/dev/zero", str(fifo)):
        with pytest.raises(Exception, match="not a regular file"):
            fetch(Asset(source, "0" * 64, "ckpt"), cache=cache)
    assert list((tmp_path / "cache" / "tmp").glob("*")) == []
