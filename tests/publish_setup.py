"""What a publish test starts from: a run folder with a checkpoint and its card (as ``eval`` writes
them, the link a placeholder), a user's clone of a hub, and their fork of it as a bare repository
on the test's git daemon (pushed to with ``file://``, read back over ``git://``)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from card_samples import VALID_FRONT_MATTER, card_text, replace_field
from git_server import GitServer, git
from hub_repos import build_hub

PLACEHOLDER = "https://download.example.com/models/tiny"


def write_run(folder: Path, *, size: int = 200_000, name: str = "tiny_cifar10",
              file_name: str = "tiny.ckpt", data: bytes | None = None,
              repo_link: str | None = None, model: str = "tiny", extra: str = "") -> tuple[Path, Path]:
    """A checkpoint of ``size`` random bytes and its card (placeholder link, the file's digest,
    ``user-id: tester``, ``mindspore-version: 1.8``); the card's path and the file's."""
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = folder / file_name
    checkpoint.write_bytes(data if data is not None else os.urandom(size))
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    front = VALID_FRONT_MATTER.replace("<https://example.org/models/tiny.ckpt>",
                                       f"<{PLACEHOLDER}/{file_name}>")
    front = replace_field(front, "    asset-sha256", f"    asset-sha256: {digest}")
    front = replace_field(front, "mindspore-version", "mindspore-version: 1.8")
    front = replace_field(front, "model-name", f"model-name: {model}")
    if repo_link:
        front = replace_field(front, "repo-link", f"repo-link: <{repo_link}>")
    card = folder / f"{name}.md"
    card.write_text(card_text(front + extra), encoding="utf-8")
    return card, checkpoint


@dataclass
class HubSetup:
    clone: Path
    fork: Path
    fork_url: str
    server: GitServer

    def branches(self, where: Path | None = None) -> str:
        return git("for-each-ref", "--format=%(refname) %(objectname)", cwd=where or self.clone)

    def status(self) -> str:
        return git("status", "--porcelain", cwd=self.clone)


def hub_setup(server: GitServer, tmp: Path, *, build: bool = True) -> HubSetup:
    """``hub.git`` on the server (built unless ``build`` is False), a clone of it and a fork."""
    if build:
        build_hub(server, big_bytes=1000)
    clone = tmp / "hub-clone"
    git("clone", "-q", str(server.base / "hub.git"), str(clone))
    git("config", "user.email", "publisher@example.invalid", cwd=clone)
    git("config", "user.name", "publisher", cwd=clone)
    fork = server.base / "fork.git"
    git("clone", "-q", "--bare", str(server.base / "hub.git"), str(fork))
    git("remote", "add", "fork", fork.as_uri(), cwd=clone)
    return HubSetup(clone, fork, server.url("fork.git"), server)


__all__ = ["PLACEHOLDER", "HubSetup", "hub_setup", "write_run"]
