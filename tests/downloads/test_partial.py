from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub_plugin.downloads.partial import PartialDownload

REPO = Path(__file__).resolve().parents[2]


def test_writes_are_queued_but_behave_as_if_immediate(tmp_path: Path) -> None:
    chunks = [os.urandom(70_000) for _ in range(40)]
    partial = PartialDownload(tmp_path / "a.part")
    for chunk in chunks:
        partial.write(chunk)
    assert partial.size == 40 * 70_000
    digest = partial.finish()
    content = b"".join(chunks)
    assert digest.sha256 == hashlib.sha256(content).hexdigest()
    assert (tmp_path / "a.part").read_bytes() == content
    with pytest.raises(ValueError, match="closed"):
        partial.write(b"more")


def test_restart_resume_and_close(tmp_path: Path) -> None:
    partial = PartialDownload(tmp_path / "a.part")
    partial.write(b"old bytes")
    partial.restart()
    assert partial.size == 0
    partial.write(b"new ")
    partial.close()  # kept for a later try
    again = PartialDownload(tmp_path / "a.part")
    assert again.resumed_from == 4
    again.write(b"bytes")
    assert again.finish().sha256 == hashlib.sha256(b"new bytes").hexdigest()


def test_discard_deletes(tmp_path: Path) -> None:
    partial = PartialDownload(tmp_path / "a.part")
    partial.write(b"bad")
    partial.discard()
    assert not (tmp_path / "a.part").exists()


DISK_FULL_CHILD = """
import resource, signal, sys
from pathlib import Path
from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.downloads.fetch import fetch
from hub_plugin.errors import CacheError
from hub_plugin.cards.manifest import Asset
source = Path(sys.argv[2])
cache = AssetCache(Path(sys.argv[1]))
cache.ensure()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit, write() fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))
try:
    fetch(Asset(source.as_uri(), sys.argv[3], "ckpt"), cache=cache)
except CacheError as error:
    print(error)
"""


def test_a_write_error_is_a_cache_error_not_a_retry(tmp_path: Path) -> None:
    """A full disk (here: a file-size limit) stops the download with a clear CacheError."""
    content = os.urandom(1_000_000)
    source = tmp_path / "big.ckpt"
    source.write_bytes(content)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DISK_FULL_CHILD,
            str(tmp_path / "cache"),
            str(source),
            hashlib.sha256(content).hexdigest(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cannot write ") and "File too large" in result.stdout
    assert not any((tmp_path / "cache" / "blobs" / "sha256").iterdir())
