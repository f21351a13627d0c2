"""The trust store: which code from outside the bundled registry someone agreed to run.

One plain JSON file, ``trusted.json`` in the config folder (``HUB_PLUGIN_CONFIG``, see
:mod:`hub_plugin.core.settings`), holds two
kinds of entry side by side, told apart by their ``kind`` field:

``"package"``
    a model package folder (a ``--registry`` folder's, ``HUB_PLUGIN_REGISTRY``'s or a plugin's),
    keyed by its resolved ``folder``, with the :class:`~.code_digest.CodeDigest` of its code when
    trust was given: the ``digest`` and the per-file ``files`` listing that explains a later change.
``"repository"``
    model-zoo code from a card's ``repo-link`` (the remote hubs), keyed by the repository ``url``
    in its normal form (see :func:`repository_key`) and the full ``commit`` id that was trusted: a
    repository may be trusted at several commits (one entry each), and a short id is never
    stored (a prefix would trust every commit that shares it).

Both carry ``name`` (what a person calls it), ``source`` (where it was found) and ``trusted-at``
(UTC, ISO 8601)::

    {"format": 2, "entries": [
      {"kind": "package", "folder": "/srv/models/outsider", "name": "outsider",
       "source": "--registry", "trusted-at": "2026-12-01T15:20:03Z",
       "digest": "9c1e...", "files": {"hubconf.py": "5d0b...", "network.py": "77aa..."}},
      {"kind": "repository", "url": "https://gitee.com/mindspore/models", "name": "resnet50",
       "source": "hub mindspore", "trusted-at": "2026-12-01T15:21:40Z", "commit": "4f1c..."}]}

Writes take a :mod:`filelock` lock beside the file (``trusted.json.lock``), read the file again,
change it and replace it atomically (a temporary file in the same folder, fsynced, then
``os.replace``), so concurrent processes never lose each other's entries and a reader never sees a
half-written file. Readers take no lock.

Entries of a kind this version does not know are kept as they are. No release ever wrote another
format, so no other is read (a store from before is rebuilt: trust is asked again).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..cards.repo_link import is_full_commit, normal_repository_url
from ..core.atomic_file import write_atomically
from ..core.settings import Settings, current_settings
from ..errors import (  # moved to errors.py (issue 26); importable here too
    TrustStoreError as TrustStoreError,
)

STORE_FILE = "trusted.json"
STORE_FORMAT = 2
LOCK_TIMEOUT_S = 60.0


def utc_now() -> str:
    """The current time as the store writes it: ``2026-12-01T15:20:03Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def repository_key(url: str) -> str:
    """The form of a repository URL the store keys on: trimmed, without a trailing ``/`` or
    ``.git``, scheme and host lower-cased. ``https://Gitee.com/mindspore/models.git/`` and
    ``https://gitee.com/mindspore/models`` are one repository (see
    :func:`~hub_plugin.cards.repo_link.normal_repository_url`)."""
    return normal_repository_url(url)


@dataclass(frozen=True)
class PackageTrust:
    """A trusted model package folder and the code it had when trust was given."""

    folder: str
    name: str
    source: str
    trusted_at: str
    digest: str
    files: Mapping[str, str] = field(default_factory=dict)

    kind: Literal["package"] = "package"

    @property
    def key(self) -> str:
        return self.folder

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "folder": self.folder, "name": self.name, "source": self.source,
            "trusted-at": self.trusted_at, "digest": self.digest, "files": dict(self.files),
        }


@dataclass(frozen=True)
class RepositoryTrust:
    """A trusted code repository (model-zoo code from a card's ``repo-link``) at one commit."""

    url: str
    commit: str
    name: str
    source: str
    trusted_at: str

    kind: Literal["repository"] = "repository"

    @property
    def key(self) -> str:
        return self.url

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "url": self.url, "commit": self.commit, "name": self.name,
            "source": self.source, "trusted-at": self.trusted_at,
        }


TrustEntry = PackageTrust | RepositoryTrust


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _entry(data: Any) -> TrustEntry | None:
    """The entry a JSON object stands for, or None for one of an unknown kind or shape."""
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "package" and _text(data, "folder"):
        files = data.get("files")
        return PackageTrust(
            folder=_text(data, "folder"), name=_text(data, "name"), source=_text(data, "source"),
            trusted_at=_text(data, "trusted-at"), digest=_text(data, "digest"),
            files={str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {},
        )
    if data.get("kind") == "repository" and _text(data, "url"):
        return RepositoryTrust(
            url=_text(data, "url"), commit=_text(data, "commit"), name=_text(data, "name"),
            source=_text(data, "source"), trusted_at=_text(data, "trusted-at"),
        )
    return None


@dataclass
class _Contents:
    entries: list[TrustEntry]
    unknown: list[Any]  # entries of kinds this version does not know, kept as they are


def default_store_path(settings: Settings | None = None) -> Path:
    """``trusted.json`` in the config folder of ``settings`` (the environment's when ``None``),
    apart from the cache (clearing the cache must not forget what was trusted)."""
    return current_settings(settings).config / STORE_FILE


class TrustStore:
    """The trust store in ``<home>/trusted.json`` (by default, the config folder's; see
    :func:`default_store_path`).

    Reading: :meth:`entries`, :meth:`package_entry`, :meth:`repository_entry`,
    :meth:`is_repository_trusted`. Writing (each a locked read-change-replace):
    :meth:`trust_package`, :meth:`trust_repository`, :meth:`forget`, :meth:`forget_all`.
    Whether a *package* may run is :func:`hub_plugin.trust.gate.ensure_trusted`'s business; it
    compares the package's code digest with :meth:`package_entry`.

    For model-zoo code checked out from a repository, call
    :func:`hub_plugin.trust.gate.ensure_repository_trusted` with the URL and the commit before
    importing anything of the checkout: it consults :meth:`repository_entry`, asks on a terminal
    (or refuses in one line naming ``hub-plugin trust add URL --commit SHA`` and ``--trust``) and
    records a yes with :meth:`trust_repository`. ``hub-plugin trust ls`` lists such entries and
    ``trust rm NAME|URL`` removes them, like package entries.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.path = default_store_path() if home is None else Path(home) / STORE_FILE

    # --- reading ------------------------------------------------------------------------------

    def _load(self) -> _Contents:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _Contents([], [])
        except OSError as error:
            raise TrustStoreError(
                f"cannot read the trust store {self.path}: {error.strerror}"
            ) from None
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as error:
            raise TrustStoreError(
                f"the trust store {self.path} is not valid JSON ({error})",
                hint="fix it, or delete it to trust nothing",
            ) from None
        if not isinstance(data, dict):
            raise TrustStoreError(f"the trust store {self.path} is not a JSON object")
        entries: list[TrustEntry] = []
        unknown: list[Any] = []
        for raw in data.get("entries") or []:
            entry = _entry(raw)
            if entry is None:
                unknown.append(raw)
            else:
                entries.append(entry)
        return _Contents(entries, unknown)

    def entries(self) -> list[TrustEntry]:
        """Every entry, packages and repositories, in the order they were trusted."""
        return list(self._load().entries)

    def package_entry(self, folder: Path | str) -> PackageTrust | None:
        """The entry of the package folder ``folder`` (resolved), or None."""
        key = str(Path(folder).resolve())
        for entry in self._load().entries:
            if isinstance(entry, PackageTrust) and entry.folder == key:
                return entry
        return None

    def repository_entries(self, url: str) -> list[RepositoryTrust]:
        """The entries of the repository ``url`` (compared by :func:`repository_key`), one per
        trusted commit, oldest first."""
        key = repository_key(url)
        return [e for e in self._load().entries if isinstance(e, RepositoryTrust) and e.url == key]

    def repository_entry(self, url: str, commit: str | None = None) -> RepositoryTrust | None:
        """The entry of the repository ``url`` at ``commit`` (a full id), or without ``commit`` the
        one trusted last; None when there is none."""
        entries = self.repository_entries(url)
        if commit is not None:
            entries = [e for e in entries if same_commit(e.commit, commit)]
        return entries[-1] if entries else None

    def is_repository_trusted(self, url: str, commit: str | None = None) -> bool:
        """Whether the repository ``url`` is trusted; with ``commit``, trusted at that commit
        (full ids only: see :func:`same_commit`)."""
        return self.repository_entry(url, commit) is not None

    # --- writing ------------------------------------------------------------------------------

    @contextmanager
    def _changing(self) -> Iterator[_Contents]:
        """Lock the store, yield its contents to change in place, then write them atomically."""
        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise TrustStoreError(
                f"the trust store {self.path} stayed locked for {LOCK_TIMEOUT_S:.0f} s",
                hint=f"another hub-plugin is writing it; if none is, delete {lock.lock_file}",
            ) from None
        try:
            contents = self._load()
            yield contents
            self._write(contents)
        finally:
            lock.release()

    def _write(self, contents: _Contents) -> None:
        data = {
            "format": STORE_FORMAT,
            "entries": [entry.to_json() for entry in contents.entries] + contents.unknown,
        }
        try:
            write_atomically(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        except OSError as error:
            raise TrustStoreError(f"cannot write the trust store {self.path}: {error}") from None

    def trust_package(
        self, folder: Path | str, *, name: str, source: str, digest: str, files: Mapping[str, str]
    ) -> PackageTrust:
        """Record trust in the package folder ``folder`` with its code as ``digest``/``files``
        (a :class:`~.code_digest.CodeDigest`'s); replaces an earlier entry of the folder."""
        entry = PackageTrust(
            folder=str(Path(folder).resolve()), name=name, source=source, trusted_at=utc_now(),
            digest=digest, files=dict(files),
        )
        with self._changing() as contents:
            contents.entries = [
                e for e in contents.entries
                if not (isinstance(e, PackageTrust) and e.folder == entry.folder)
            ]
            contents.entries.append(entry)
        return entry

    def trust_repository(
        self, url: str, commit: str, *, name: str = "", source: str = ""
    ) -> RepositoryTrust:
        """Record trust in the repository ``url`` at ``commit``, a full commit id (trust follows the
        commit a person agreed to, not the branch); other commits trusted before stay trusted, an
        entry of the same commit is replaced.

        ``name`` is what ``trust ls`` shows beside the URL (a card or network name) and what
        ``trust rm NAME`` matches; ``source`` says where it came from (``"hub mindspore"``). Left
        empty, both keep the values of the repository's latest entry.
        """
        commit = commit.strip().lower()
        if not commit:
            raise TrustStoreError(f"trusting the repository {url} needs the commit that will run")
        if not is_full_commit(commit):
            raise TrustStoreError(
                f"{commit!r} is not a full commit id: a short one would trust every commit that "
                "shares its digits", hint="give all 40 hex digits (git rev-parse SHORT in a clone)",
            )
        key = repository_key(url)
        with self._changing() as contents:
            same_repository = [e for e in contents.entries
                               if isinstance(e, RepositoryTrust) and e.url == key]
            before = same_repository[-1] if same_repository else None
            entry = RepositoryTrust(
                url=key, commit=commit, name=name or (before.name if before else ""),
                source=source or (before.source if before else ""), trusted_at=utc_now(),
            )
            contents.entries = [e for e in contents.entries
                                if not (e in same_repository and same_commit(e.commit, commit))]
            contents.entries.append(entry)
        return entry

    def forget(self, matches: Callable[[TrustEntry], bool]) -> list[TrustEntry]:
        """Remove every entry ``matches`` accepts; return those removed."""
        with self._changing() as contents:
            removed = [e for e in contents.entries if matches(e)]
            contents.entries = [e for e in contents.entries if not matches(e)]
        return removed

    def forget_named(self, name: str) -> list[TrustEntry]:
        """Remove the entries ``name`` names: by name, by package folder or by repository URL."""
        folder = str(Path(name).resolve()) if not looks_like_url(name) else None
        url = repository_key(name)

        def named(entry: TrustEntry) -> bool:
            if entry.name == name:
                return True
            if isinstance(entry, PackageTrust):
                return entry.folder == folder
            return entry.url == url

        return self.forget(named)

    def forget_all(self) -> list[TrustEntry]:
        """Remove every entry (packages, repositories, old-format ones); return those removed."""
        return self.forget(lambda entry: True)


def looks_like_url(text: str) -> bool:
    """Whether ``text`` names a repository (``https://...``, ``git@host:path``), not a folder."""
    return "://" in text or text.startswith("git@")


def same_commit(recorded: str, given: str) -> bool:
    """Whether two commit ids name the same commit: both full ids, and equal. A prefix never
    matches: anyone can make a commit with the same first digits (7 take about a minute)."""
    a, b = recorded.strip().lower(), given.strip().lower()
    return is_full_commit(a) and a == b


__all__ = [
    "STORE_FILE", "PackageTrust", "RepositoryTrust", "TrustEntry", "TrustStore", "TrustStoreError",
    "looks_like_url", "repository_key", "same_commit", "utc_now",
]
