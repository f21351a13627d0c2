"""Fixtures of the assets tests: a cache in a temporary folder and a policy that never waits."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from asset_server import FAST_POLICY, asset_server  # asset_server: a real server on 127.0.0.1

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.transfer import HttpTransfer

__all__ = ["asset_for", "asset_server"]


@pytest.fixture
def cache(tmp_path: Path) -> AssetCache:
    return AssetCache(tmp_path / "cache")


@pytest.fixture
def sleeps() -> list[float]:
    """The waits a transfer asked for (the transfer does not really sleep)."""
    return []


@pytest.fixture
def transfer(sleeps: list[float]) -> HttpTransfer:
    return HttpTransfer(FAST_POLICY, sleep=sleeps.append, jitter=lambda: 0.5)


@pytest.fixture
def payload() -> bytes:
    """600 KiB of incompressible bytes: several chunks, over in a blink."""
    return os.urandom(600 * 1024)


def asset_for(link: str, content: bytes, *, prefix: int = 64) -> Asset:
    return Asset(link, hashlib.sha256(content).hexdigest()[:prefix], "ckpt")


@pytest.fixture
def make_asset() -> Callable[..., Asset]:
    return asset_for
