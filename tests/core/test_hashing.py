from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hub_plugin.core.hashing import (
    EMPTY_SHA256,
    StreamDigest,
    digest_matches,
    hash_file,
    is_full_digest,
)


def test_hash_file_agrees_with_hashlib_across_chunk_boundaries(tmp_path: Path) -> None:
    for size in (0, 1, 4095, 4096, 4097, 300_001):
        content = os.urandom(size)
        path = tmp_path / f"f{size}"
        path.write_bytes(content)
        digest = hash_file(path, chunk_size=4096)
        assert digest.sha256 == hashlib.sha256(content).hexdigest()
        assert digest.size == size


def test_stream_digest_resumes_from_a_file_prefix(tmp_path: Path) -> None:
    content = os.urandom(10_000)
    path = tmp_path / "part"
    path.write_bytes(content[:3000])
    digest = StreamDigest.of_file(path, chunk_size=1024)
    digest.update(memoryview(content)[3000:])
    assert digest.result().sha256 == hashlib.sha256(content).hexdigest()
    assert digest.size == len(content)


def test_digest_prefix_rules() -> None:
    full = hashlib.sha256(b"x").hexdigest()
    assert is_full_digest(full)
    assert not is_full_digest(full[:63])
    assert not is_full_digest(full.upper())
    assert digest_matches(full, full)
    assert digest_matches(full[:8], full)
    assert not digest_matches("", full)
    assert not digest_matches(EMPTY_SHA256[:8], full)
    assert hashlib.sha256(b"").hexdigest() == EMPTY_SHA256
