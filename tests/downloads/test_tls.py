"""TLS is verified, always: a self-signed server fails until its certificate is trusted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from asset_server import AssetServer
from tls_server import tls_server  # an HTTPS AssetServer with a self-signed certificate

from hub_plugin.cache.asset_cache import AssetCache
from hub_plugin.cards.manifest import Asset
from hub_plugin.downloads.fetch import fetch
from hub_plugin.downloads.transfer import HttpTransfer
from hub_plugin.errors import DownloadError

__all__ = ["tls_server"]


def test_an_untrusted_certificate_fails_then_a_ca_bundle_fixes_it(
    tls_server: tuple[AssetServer, Path],
    cache: AssetCache,
    transfer: HttpTransfer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, cert = tls_server
    content = b"weights" * 1000
    asset = Asset(server.add("/w.ckpt", content), hashlib.sha256(content).hexdigest(), "ckpt")
    assert asset.link.startswith("https://127.0.0.1:")
    with pytest.raises(DownloadError, match="TLS failed") as caught:
        fetch(asset, cache=cache, transfer=transfer)
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert "REQUESTS_CA_BUNDLE" in str(caught.value)
    assert server.log == []  # no request was sent over the unverified connection
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    assert fetch(asset, cache=cache, transfer=HttpTransfer()).path.read_bytes() == content
