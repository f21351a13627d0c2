"""A folder whose fetch fails leaves the shared checkout as it was: the server withholds one blob
of beta's folder (its object is deleted from the served repository), the widening fails, and the
sparse-checkout file is restored, so that gamma, fetched next from the same checkout, works (it
used to fail too: "could not fetch ... from promisor remote", for every later folder)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from git_server import GitServer
from zoo_repos import FOLDERS, ZOO, build_zoo

from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import GitError
from hub_plugin.git.sparse_rollback import sparse_file
from hub_plugin.git.transport import GitTransport
from hub_plugin.zoo.checkout import ZooCache


def _git(bare: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(bare), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _withhold(bare: Path, path: str) -> None:
    """Delete the object of ``path``'s blob at HEAD from the bare repository (unpacked first)."""
    blob = _git(bare, "rev-parse", f"HEAD:{path}")
    for pack in (bare / "objects" / "pack").glob("*.pack"):
        moved = pack.with_suffix(".moved")
        pack.rename(moved)
        pack.with_suffix(".idx").unlink()
        subprocess.run(["git", "-C", str(bare), "unpack-objects", "-q"], stdin=moved.open("rb"), check=True)
        moved.unlink()
    (bare / "objects" / blob[:2] / blob[2:]).unlink()


def test_a_failed_folder_fetch_leaves_the_checkout_as_it_was(git_server: GitServer, tmp_path: Path) -> None:
    build_zoo(git_server)
    transport = GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={git_server.root}"))
    cache = ZooCache(tmp_path)
    alpha = cache.folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['alpha']}"), transport)
    checkout = alpha.path.parents[2]
    before = sparse_file(checkout).read_text(encoding="utf-8")
    _withhold(git_server.base / "models.git", f"{FOLDERS['beta']}/src/network.py")
    with pytest.raises(GitError, match=r"could not fetch the folder official/cv/beta") as caught:
        cache.folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['beta']}"), transport)
    assert "the shared checkout was left as it was" in str(caught.value)
    assert sparse_file(checkout).read_text(encoding="utf-8") == before
    assert not (checkout / FOLDERS["beta"] / "src" / "layers.py").exists()
    gamma = cache.folder(parse_repo_link(f"{ZOO}/tree/r1.8/{FOLDERS['gamma']}"), transport)
    assert (gamma.path / "mindspore_hub_conf.py").is_file() and gamma.commit == alpha.commit
    assert (alpha.path / "src" / "network.py").is_file()
