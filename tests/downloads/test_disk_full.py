"""A full disk for real (issue 17, case 11): the cache on a 4 MiB tmpfs in a mount namespace of its
own (``unshare --user --map-root-user --mount``), the asset on the loopback server.

ENOSPC is the one-line :class:`~hub_plugin.errors.CacheError` naming the folder and its free space,
never ``internal error``; the partial file is removed, so the failed download does not keep the
disk full. Skipped where unprivileged namespaces are not allowed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asset_server import AssetServer, Fault
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card

REPO = Path(__file__).resolve().parents[2]
CONTENT = os.urandom(2 * 1024 * 1024)


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(),
                                reason="unprivileged mount namespaces are not allowed")


def _in_small_disk(mount: Path, command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with a 4 MiB tmpfs mounted at ``mount`` (seen by that command only)."""
    script = 'mount -t tmpfs -o size=4m none "$0" && exec "$@"'
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, str(mount), *command],
        capture_output=True, text=True, timeout=120, env=env, cwd=REPO,
    )


# Fills the disk after the first chunk arrives (as another program would), then reports.
FILLER = """
import json, os, shutil, sys
from pathlib import Path
from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.downloads.fetch import fetch
from hub_plugin.core.progress import SilentProgress
from hub_plugin.errors import CacheError
from hub_plugin.cards.manifest import Asset

mount, url, sha = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

class FillTheDisk(SilentProgress):
    done = False
    def advance(self, count):
        if not self.done:
            self.done = True
            with open(mount / "filler", "wb") as handle:
                try:
                    while True:
                        handle.write(b"x" * 65536)
                except OSError:
                    pass

cache = AssetCache(mount / "cache")
try:
    fetch(Asset(url, sha, "ckpt"), cache=cache, progress=FillTheDisk())
    print(json.dumps({"error": None}))
except CacheError as error:
    print(json.dumps({"error": str(error), "type": type(error).__name__,
                      "tmp": [p.name for p in cache.tmp_dir.iterdir()],
                      "free": shutil.disk_usage(mount).free,
                      "filler": (mount / "filler").stat().st_size}))
"""


def test_enospc_while_writing_is_the_cache_error_and_the_partial_file_goes(
    asset_server: AssetServer, tmp_path: Path
) -> None:
    url = asset_server.add("/big.ckpt", CONTENT, chunk_delay=0.01)
    mount = tmp_path / "disk"
    mount.mkdir()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    result = _in_small_disk(mount, [sys.executable, "-c", FILLER, str(mount), url,
                                    hashlib.sha256(CONTENT).hexdigest()], env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["type"] == "CacheError" and "\n" not in report["error"]
    assert f"no space left in {mount / 'cache' / 'tmp'}" in report["error"]
    assert "MiB free" in report["error"] and "the unfinished download was removed" in report["error"]
    assert report["tmp"] == []  # the partial file is gone ...
    assert report["free"] >= 64 * 1024  # ... and with it the space it held (the filler took the rest)


def test_download_on_a_full_disk_is_one_line_and_no_internal_error(
    asset_server: AssetServer, tmp_path: Path
) -> None:
    registry = tmp_path / "registry"
    link = asset_server.add("/big.ckpt", CONTENT, Fault(content_length=str(8 * 1024 * 1024)))
    front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>", link)
    write_card(registry, "big", card_text(front.replace(DIGEST, hashlib.sha256(CONTENT).hexdigest())))
    mount = tmp_path / "disk"
    mount.mkdir()
    env = {**os.environ, "HUB_PLUGIN_HOME": str(mount / "cache"), "NO_PROXY": "127.0.0.1,localhost"}
    result = _in_small_disk(
        mount, [sys.executable, "-m", "hub_plugin", "--registry", str(registry), "download", "big"], env
    )
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in result.stderr, result.stderr
    assert f"no space left in {mount / 'cache' / 'tmp'}" in lines[0]
