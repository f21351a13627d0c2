from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from asset_fixtures import cache, make_asset, payload, sleeps, transfer  # noqa: E402,F401
from asset_server import asset_server  # noqa: E402,F401  (a fixture for every test: a loopback server)
from git_server import git_server  # noqa: E402,F401  (a git daemon on 127.0.0.1 over test repositories)
from s3_server import _shared_s3_server, s3_server, strict_s3_server  # noqa: E402,F401  (moto's S3 server)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's registries, cache or settings."""
    for name in ("HUB_PLUGIN_REGISTRY", "HUB_PLUGIN_MIRROR", "HUB_PLUGIN_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path_factory.mktemp("hub-home")))
    monkeypatch.setenv("HUB_PLUGIN_CONFIG", str(tmp_path_factory.mktemp("hub-config")))
    monkeypatch.delenv("GLOG_v", raising=False)
