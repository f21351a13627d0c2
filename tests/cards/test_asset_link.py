"""Asset links parsed by their card's origin (issue 17, case 9): a hub card names network links
only; a local registry's card names local files inside its root, whatever the encoding."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_plugin.cards.asset_link import (
    CardOrigin,
    is_loopback_host,
    network_link_problem,
    parse_asset_link,
)
from hub_plugin.errors import LinkRefused

ROOT = Path("/srv/registry")
LOCAL = CardOrigin("local", ROOT, "local/registry/x")
HUB = CardOrigin.hub(Path("/srv/hub/cards"), "main", "0123456789abcdef", "mindspore/1.8/x")


@pytest.mark.parametrize("origin", [LOCAL, HUB, CardOrigin.checked(ROOT / "x.md")])
@pytest.mark.parametrize("link", ["https://example.org/w.ckpt", "http://127.0.0.1:8000/w.ckpt",
                                  "http://example.org/w.ckpt"])  # plain http: decided at request time
def test_network_links_parse_from_any_origin(origin: CardOrigin, link: str) -> None:
    parsed = parse_asset_link(link, origin)
    assert parsed.url == link and not parsed.is_local


@pytest.mark.parametrize("origin", [HUB, CardOrigin.checked(ROOT / "x.md")])
@pytest.mark.parametrize("link", ["../../../../etc/hostname", "/dev/zero", "w.ckpt", "file:///etc/hostname",
                                  "file://localhost/etc/hostname", "C:/Windows/win.ini"])
def test_a_hub_card_or_a_checked_card_names_no_local_file(origin: CardOrigin, link: str) -> None:
    with pytest.raises(LinkRefused, match="names a local file"):
        parse_asset_link(link, origin)


def test_a_local_card_names_files_inside_its_root() -> None:
    parsed = parse_asset_link("weights/w.ckpt", LOCAL, card_dir=ROOT / "pkg")
    assert (parsed.root, parsed.relative) == (ROOT, PurePosixPath("pkg/weights/w.ckpt"))
    assert parse_asset_link("file:///srv/registry/w%20x.ckpt", LOCAL).relative == PurePosixPath("w x.ckpt")
    assert parse_asset_link("/srv/registry/a/w.ckpt", LOCAL).relative == PurePosixPath("a/w.ckpt")


@pytest.mark.parametrize("link", [
    "../w.ckpt", "a/../../w.ckpt", "%2e%2e/w.ckpt", "a%2f..%2f..%2fw.ckpt", "./w.ckpt", "a//w.ckpt",
    "a\\..\\w.ckpt", "a/%5c../w.ckpt", "w%00.ckpt", "/etc/hostname", "file:///etc/hostname",
    "file:///srv/registry/../etc/hostname", "file://otherhost/srv/registry/w.ckpt", "ftp://x/w",
    "/srv/registry", "/srv/registry-other/w.ckpt", "",
])
def test_a_local_card_cannot_leave_its_root(link: str) -> None:
    with pytest.raises(LinkRefused):
        parse_asset_link(link, LOCAL)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_is_a_literal_address_or_localhost(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["x.localhost", "localhost.example.org", "127.0.0.1.nip.io", "10.0.0.1",
                                  "0x7f000001", "2130706433", ""])
def test_names_that_dns_resolves_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)
    assert network_link_problem(f"http://{host}/w.ckpt") is not None


SEGMENTS = st.sampled_from([
    "a", "w.ckpt", ".", "..", "", "%2e", "%2E%2e", ".%2e", "%2f", "%2F..", "%5c", "\\", "..\\", "%00",
    "\u2024\u2024", "\uff0e\uff0e", "\uff0f", "e\u0301", "%c0%ae%c0%ae", "~", "%252e%252e", "srv", "registry",
])
SEPARATORS = st.sampled_from(["/", "//", "%2f", "/./", "\\"])


@settings(deadline=None)
@given(parts=st.lists(SEGMENTS, min_size=1, max_size=6), seps=st.lists(SEPARATORS, min_size=6, max_size=6),
       prefix=st.sampled_from(["", "/", "/srv/registry/", "file://", "file:///srv/registry/",
                               "file://localhost/srv/registry/"]))
def test_no_generated_link_yields_a_path_outside_the_root(
    parts: list[str], seps: list[str], prefix: str
) -> None:
    """Encoded, doubled, mixed and Unicode separators and dots: either refused, or a relative path
    of plain segments whose join with the root stays inside it."""
    link = prefix + "".join(part + sep for part, sep in zip(parts, seps, strict=False)).rstrip("/\\")
    try:
        parsed = parse_asset_link(link, LOCAL, card_dir=ROOT / "pkg")
    except LinkRefused:
        return
    if parsed.url is not None:
        return
    assert parsed.root == ROOT and parsed.relative is not None
    assert all(p not in ("", ".", "..") and "/" not in p and "\\" not in p for p in parsed.relative.parts)
    joined = os.path.normpath(ROOT / parsed.relative)
    assert joined.startswith(str(ROOT) + os.sep)
