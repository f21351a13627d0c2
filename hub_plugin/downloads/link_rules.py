"""Where an asset link points, and whether hub-plugin may follow it.

A card's ``asset-link`` (after :mod:`~hub_plugin.downloads.mirrors` rewrites it) is one of:

- an ``https://`` URL: fetched with TLS verification, always on;
- an ``http://`` URL: fetched only when the host is loopback (a local mirror) or the caller allows
  plain HTTP (``--allow-http``); anything else is refused, because an attacker on the path could
  substitute the bytes and only the digest would stand in the way;
- a ``file://`` URL or a local path (relative paths are taken from the card's folder): copied, but
  only where the card's origin allows it (:mod:`hub_plugin.cards.asset_link`: cards of local
  registries, inside their root; never a hub card) and only when :func:`contained_file` finds a
  regular file reached without following a symbolic link.

The same rule is applied to every redirect a server answers with. "Loopback" is a literal address
in 127.0.0.0/8 or ``::1``, or ``localhost``: never a name DNS resolves.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..cards.asset_link import CardOrigin, is_loopback_host, parse_asset_link
from ..errors import LinkRefused

__all__ = ["Source", "check_url_allowed", "contained_file", "is_loopback_host", "locate",
           "locate_card_link", "url_check"]


@dataclass(frozen=True, slots=True)
class Source:
    """A resolved asset link: ``url`` for the network, or ``path`` for a local file."""

    url: str
    path: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.path is not None


def check_url_allowed(url: str, *, allow_http: bool, redirected_from: str | None = None) -> None:
    """Raise :class:`LinkRefused` unless ``url`` may be requested over the network.

    ``redirected_from`` is the URL whose answer redirected here: a remote server may not send the
    client to this machine (a hub card's https link must not reach the user's local services).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if redirected_from is not None and is_loopback_host(parts.hostname or ""):
        previous = urlsplit(redirected_from).hostname or ""
        if not is_loopback_host(previous):
            raise LinkRefused(f"refusing the redirect from {previous} to this machine ({url})")
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


def url_check(*, allow_http: bool) -> Callable[[str, str | None], None]:
    """:func:`check_url_allowed` as the HTTP client's :data:`~hub_plugin.core.http.UrlCheck`:
    the check of every hop of every request (``redirected_from`` is the hop before)."""

    def check(url: str, redirected_from: str | None) -> None:
        check_url_allowed(url, allow_http=allow_http, redirected_from=redirected_from)

    return check


def locate_card_link(link: str, origin: CardOrigin, *, card_dir: Path | None = None) -> Source:
    """Where a card's ``link`` points, by the rules of the card's ``origin``; a local file is
    checked on disk (:func:`contained_file`). Raises :class:`LinkRefused`."""
    parsed = parse_asset_link(link, origin, card_dir=card_dir)
    if parsed.url is not None:
        return Source(parsed.url)
    assert parsed.root is not None and parsed.relative is not None
    path = contained_file(parsed.root, parsed.relative.parts, link)
    return Source(path.as_uri(), path)


def contained_file(root: Path, parts: tuple[str, ...], link: str) -> Path:
    """``root/parts...`` when every step is a real folder and the last a regular file: no symbolic
    link is followed (one would lead out of ``root``), no device or pipe (``/dev/zero`` never
    ends). Raises :class:`LinkRefused`."""
    path = root
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError as error:
            raise LinkRefused(f"the asset link {link!r} names {path}, which cannot be read: "
                              f"{error.strerror or error}") from None
        last = index == len(parts) - 1
        if stat.S_ISLNK(mode):
            raise LinkRefused(f"the asset link {link!r} goes through the symbolic link {path}")
        if (last and not stat.S_ISREG(mode)) or (not last and not stat.S_ISDIR(mode)):
            raise LinkRefused(f"the asset link {link!r} names {path}, which is not a regular file")
    return path


def locate(link: str, *, base_dir: Path | None = None) -> Source:
    """Resolve a link the user wrote (a mirror, the Python API) into a network URL or a local path
    (not yet checked for being allowed). A card's link goes through :func:`locate_card_link`."""
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
