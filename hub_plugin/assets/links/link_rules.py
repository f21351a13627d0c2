"""Where an asset link points, and whether hub-plugin may follow it.

A card's ``asset-link`` (after :mod:`~hub_plugin.assets.links.mirrors` rewrites it) is one of:

- an ``https://`` URL: fetched with TLS verification, always on;
- an ``http://`` URL: fetched only when the host is loopback (a local mirror) or the caller allows
  plain HTTP (``--allow-http``); anything else is refused, because an attacker on the path could
  substitute the bytes and only the digest would stand in the way;
- a ``file://`` URL or a local path (relative paths are taken from the card's folder): copied.

The same rule is applied to every redirect a server answers with.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ...errors import LinkRefused


@dataclass(frozen=True, slots=True)
class Source:
    """A resolved asset link: ``url`` for the network, or ``path`` for a local file."""

    url: str
    path: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.path is not None


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost`` or an address in 127.0.0.0/8 or ``::1``.

    Other names (``evil.localhost``, ``localhost.example.com``) are not: they are resolved by DNS,
    which may answer any address."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url_allowed(url: str, *, allow_http: bool) -> None:
    """Raise :class:`LinkRefused` unless ``url`` may be requested over the network."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return
    if scheme == "http":
        if allow_http or is_loopback_host(parts.hostname or ""):
            return
        raise LinkRefused(
            f"refusing plain http:// link {url}",
            hint="use https://, a loopback mirror, or pass --allow-http to accept it",
        )
    raise LinkRefused(f"unsupported link scheme {scheme!r} in {url}")


def locate(link: str, *, base_dir: Path | None = None) -> Source:
    """Resolve ``link`` into a network URL or a local path (not yet checked for being allowed)."""
    link = link.strip()
    if not link:
        raise LinkRefused("the card gives an empty asset link")
    parts = urlsplit(link)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return Source(link)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise LinkRefused(f"file:// links must name a local file, not host {parts.netloc!r}")
        return Source(link, Path(url2pathname(unquote(parts.path))))
    if len(scheme) > 1:  # a one-letter "scheme" is a Windows drive letter
        raise LinkRefused(f"unsupported link scheme {scheme!r} in {link}")
    path = Path(link).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    return Source(path.as_uri() if path.is_absolute() else link, path)
