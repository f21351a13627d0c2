from __future__ import annotations

from pathlib import Path

import pytest

from hub_plugin.downloads.link_rules import check_url_allowed, is_loopback_host, locate
from hub_plugin.errors import LinkRefused


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "example.org", "localhost.example.org", ""])
def test_remote_hosts(host: str) -> None:
    assert not is_loopback_host(host)


def test_plain_http_is_refused_for_remote_hosts_unless_allowed() -> None:
    check_url_allowed("https://example.org/a", allow_http=False)
    check_url_allowed("http://127.0.0.1:8000/a", allow_http=False)
    with pytest.raises(LinkRefused, match="--allow-http"):
        check_url_allowed("http://example.org/a", allow_http=False)
    check_url_allowed("http://example.org/a", allow_http=True)
    with pytest.raises(LinkRefused, match="scheme 'ftp'"):
        check_url_allowed("ftp://example.org/a", allow_http=True)


def test_locate_urls_files_and_paths(tmp_path: Path) -> None:
    assert not locate("https://x/y.ckpt").is_local
    file_source = locate((tmp_path / "a b.ckpt").as_uri())
    assert file_source.path == tmp_path / "a b.ckpt"
    relative = locate("weights/c.ckpt", base_dir=tmp_path)
    assert relative.path == tmp_path / "weights" / "c.ckpt"
    with pytest.raises(LinkRefused):
        locate("file://otherhost/c.ckpt")
    with pytest.raises(LinkRefused):
        locate("gopher://x/y")
    with pytest.raises(LinkRefused):
        locate("  ")
