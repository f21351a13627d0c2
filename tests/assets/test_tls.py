"""TLS is verified, always: a self-signed server fails until its certificate is trusted."""

from __future__ import annotations

import hashlib
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from asset_server import AssetServer

from hub_plugin.assets import AssetCache, HttpTransfer, fetch
from hub_plugin.errors import DownloadError
from hub_plugin.registry.manifest import Asset


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AssetServer, Path]]:
    """An HTTPS AssetServer on 127.0.0.1 with a fresh self-signed certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = AssetServer(tls=context)
    server.start()
    try:
        yield server, cert
    finally:
        server.stop()


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
