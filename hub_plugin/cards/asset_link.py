"""A card's ``asset-link``, parsed once into a safe form by where the card came from.

Every asset link is untrusted text. What it may name depends on the card's :class:`CardOrigin`:

- a card of a **hub** (a synced snapshot: cards arrive there by pull request) or one read only to be
  checked (``validate``) may name network links only: ``https://``, or ``http://`` to a true
  loopback address (a literal in 127.0.0.0/8, ``::1``, or ``localhost``; never a name DNS resolves,
  such as ``x.localhost``). ``file://`` links and local paths are refused;
- a card of a **local registry** (the bundled models, ``--registry``, ``HUB_PLUGIN_REGISTRY``, a
  plugin, a card file given by path) may also name a local file, as a relative path from the card's
  folder or a ``file://`` URL, and only inside the registry's root: no ``..``, ``.`` or empty
  segment, no backslash or control character, after percent-decoding.

:func:`parse_asset_link` makes an :class:`AssetLink` of the text (or raises
:class:`~hub_plugin.errors.LinkRefused`); the downloads feature checks the file system again when
it opens the file (no symbolic link followed, a regular file only: see
:func:`hub_plugin.downloads.local_file.copy_local_file`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from ..errors import LinkRefused

OriginKind = Literal["hub", "local", "checked"]


@dataclass(frozen=True, slots=True)
class CardOrigin:
    """Where a card came from: ``kind``, the folder it lives under, and its place in the cache's
    readable view (``place``: a relative POSIX path such as ``hub/main@1a2b3c4d5e6f/mindspore/1.8/x``).

    Only a ``local`` origin lets the card name local files, and only under ``root``.
    """

    kind: OriginKind
    root: Path
    place: str

    @property
    def local_root(self) -> Path | None:
        """The folder local asset paths must stay in, or ``None`` when the card may name none."""
        return self.root if self.kind == "local" else None

    @classmethod
    def hub(cls, cards_folder: Path, hub: str, commit: str, uid: str) -> CardOrigin:
        return cls("hub", cards_folder, f"hub/{hub}@{commit[:12]}/{uid}")

    @classmethod
    def local(cls, root: Path, card: Path) -> CardOrigin:
        """A card file ``card`` of the local registry whose root is ``root``."""
        root = root.resolve()
        try:
            relative = card.resolve().relative_to(root).with_suffix("").as_posix()
        except ValueError:  # a card linked in from elsewhere: its stem still names it
            relative = card.stem
        return cls("local", root, f"local/{_folder_key(root)}/{relative}")

    @classmethod
    def checked(cls, card: Path) -> CardOrigin:
        """A card read to be checked (``validate``): network links only, whatever its folder."""
        folder = card.resolve().parent
        return cls("checked", folder, f"checked/{_folder_key(folder)}/{card.stem}")


def _folder_key(folder: Path) -> str:
    """``<name>-<12 hex digits of the path's sha256>``: readable, and unique per folder."""
    digest = hashlib.sha256(str(folder).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{folder.name or 'root'}-{digest}"


@dataclass(frozen=True, slots=True)
class AssetLink:
    """A parsed asset link: a network ``url``, or a local file ``relative`` to ``root``."""

    text: str
    url: str | None = None
    root: Path | None = None
    relative: PurePosixPath | None = None

    @property
    def is_local(self) -> bool:
        return self.relative is not None


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine without asking DNS: ``localhost``, or a literal address in
    127.0.0.0/8 or ``::1`` (``x.localhost`` is a name like any other and is not)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def network_link_problem(link: str) -> str | None:
    """Why ``link`` is not an acceptable network link, or ``None``: https with a host, or http to a
    loopback host."""
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return "is not a valid link"
    scheme = parts.scheme.lower()
    if scheme == "https" and host:
        return None
    if scheme == "http" and host:
        return None if is_loopback_host(host) else "must use https (plain http only to a loopback host)"
    return "must be an https link"


def parse_asset_link(text: str, origin: CardOrigin, *, card_dir: Path | None = None) -> AssetLink:
    """The safe form of the asset link ``text`` of a card from ``origin`` (see the module docstring).

    ``card_dir`` is where a relative path starts (the card's folder; ``origin.root`` when omitted).
    Plain ``http://`` to a remote host parses (``--allow-http`` may accept it at request time).
    Raises :class:`LinkRefused`.
    """
    link = text.strip()
    if not link:
        raise LinkRefused("the card gives an empty asset link")
    try:
        parts = urlsplit(link)
    except ValueError as error:
        raise LinkRefused(f"the asset link {link!r} is not a valid link: {error}") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise LinkRefused(f"the asset link {link!r} names no host")
        return AssetLink(link, url=link)
    is_path = scheme == "" or (len(scheme) == 1 and link[1:2] == ":")  # a Windows drive letter
    if scheme != "file" and not is_path:
        raise LinkRefused(f"unsupported link scheme {scheme!r} in {link}")
    root = origin.local_root
    if root is None:
        raise LinkRefused(
            f"the asset link {link!r} names a local file; a card from a hub may name only https links",
            hint="local files are read only from cards of a local registry (--registry)",
        )
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise LinkRefused(f"file:// links must name a local file, not host {parts.netloc!r}")
        raw, absolute = parts.path, True
    else:
        raw, absolute = link, Path(link).is_absolute()
    decoded = unicodedata.normalize("NFC", unquote(raw))
    _check_segments(link, decoded)
    root = root.resolve()
    base = Path(decoded) if absolute else (card_dir or root).resolve() / decoded
    try:
        relative = base.relative_to(root)
    except ValueError:
        raise LinkRefused(f"the asset link {link!r} leaves the registry's folder {root}") from None
    if not relative.parts:
        raise LinkRefused(f"the asset link {link!r} names the registry's folder, not a file")
    return AssetLink(link, root=root, relative=PurePosixPath(*relative.parts))


def _check_segments(link: str, path: str) -> None:
    if "\\" in path or any(unicodedata.category(c) == "Cc" for c in path):
        raise LinkRefused(f"the asset link {link!r} holds a backslash or a control character")
    segments = path.split("/")
    inner = segments[1:] if path.startswith("/") else segments
    if any(segment in ("", ".", "..") for segment in inner):
        raise LinkRefused(f"the asset link {link!r} has an empty, '.' or '..' segment")
