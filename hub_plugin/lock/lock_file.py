"""The lock file on disk: ``hub-plugin.lock``, TOML (read with :mod:`tomllib`, written with
:mod:`.toml_writer`).

Its shape (``version = 1``)::

    version = 1

    [versions]                       # of the machine that wrote it
    hub-plugin = "0.9.0"
    python = "3.11.9"
    mindspore = "2.10.0"             # absent when MindSpore was not installed

    [[model]]
    name = "mindspore/1.8/alpha_toy" # the name as given
    [model.card]                     # path (in the hub, or on disk) and sha256 of its bytes
    [model.hub]                      # name, url, commit: hub cards only
    [model.route]                    # kind = "package" | "library" | "zoo" and what pins it
    [[model.requires]]               # card, path, sha256 (+ hub, commit): the cards it requires
    [[model.assets]]                 # card, link, sha256 (full), size: the cards it requires too
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from ..core.atomic_file import write_atomically
from ..errors import LockFileError
from .toml_writer import dumps

#: The file ``lock`` writes and ``--locked`` reads when no file is named.
DEFAULT_LOCK_FILE = "hub-plugin.lock"
FORMAT_VERSION = 1
HEADER = (
    "hub-plugin lock file: what each load uses, pinned. Written by `hub-plugin lock`;",
    "update an entry with `hub-plugin lock --upgrade NAME`, check it with `hub-plugin lock --check`.",
)


@dataclass
class LockFile:
    """The lock file's content: the writer's ``versions`` and one entry per model, by name."""

    versions: dict[str, str] = field(default_factory=dict)
    models: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    def entry(self, name: str) -> dict[str, Any]:
        """The entry of ``name`` (as given to ``lock``), or :class:`LockFileError`."""
        for model in self.models:
            if model.get("name") == name:
                return model
        where = self.path or DEFAULT_LOCK_FILE
        raise LockFileError(f"{where} pins no model named {name!r}",
                            hint=f"add it with: hub-plugin lock --upgrade {name}")

    def put(self, entry: Mapping[str, Any]) -> None:
        """Add ``entry``, replacing the one of the same name in place."""
        for index, model in enumerate(self.models):
            if model.get("name") == entry["name"]:
                self.models[index] = dict(entry)
                return
        self.models.append(dict(entry))

    def text(self) -> str:
        return dumps({"version": FORMAT_VERSION, "versions": self.versions, "model": self.models},
                     header=HEADER)

    def write(self, path: Path) -> None:
        write_atomically(path, self.text())
        self.path = path


def read_lock_file(path: str | os.PathLike[str] | bool | None = None) -> LockFile:
    """The lock file at ``path`` (``hub-plugin.lock`` when ``None`` or ``True``, the API's
    ``locked=True``), or :class:`LockFileError`."""
    where = Path(DEFAULT_LOCK_FILE if path is None or isinstance(path, bool) else path)
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise LockFileError(f"no lock file {where}",
                            hint="write one with: hub-plugin lock NAME...") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise LockFileError(f"cannot read the lock file {where}: {error}") from error
    if data.get("version") != FORMAT_VERSION:
        raise LockFileError(f"{where} is not a lock file of version {FORMAT_VERSION} "
                            f"(version {data.get('version')!r})",
                            hint="write it again with: hub-plugin lock NAME...")
    versions = data.get("versions")
    models = data.get("model", [])
    if not isinstance(versions, dict) or not isinstance(models, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) for m in models):
        raise LockFileError(f"{where} is damaged: [versions] or a [[model]] is not as lock writes it",
                            hint="write it again with: hub-plugin lock NAME...")
    return LockFile({str(k): str(v) for k, v in versions.items()}, models, where)
