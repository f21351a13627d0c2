"""A model zoo repository for the tests, shaped like MindSpore's ``models`` (branch ``r1.8``), and a
hub whose cards point into it, built with real git and served by the test's git daemon.

The zoo's folders (tiny real MindSpore networks):

- ``official/cv/alpha``: ``mindspore_hub_conf.py`` does ``from src.network import AlphaNet``;
  ``src/config.py`` parses ``sys.argv`` with argparse at import, as zoo config modules do;
- ``official/cv/beta``: also ``from src.network import ...`` (its own ``src``), and its network
  needs an argument (``num_classes``); ``src/network.py`` uses a relative import;
- ``research/cv/gamma``: imports a module that is not installed, listed in ``requirements.txt``;
- ``research/cv/delta``: no entry point at all;
- ``research/cv/epsilon``: imports a name ``mindspore.nn`` does not have (written for an older
  MindSpore);
- ``filler/m<i>``: optional folders of random bytes (the rest of a big repository).

Cards: ``mindspore/1.8/<name>_toy`` in the hub ``hub.git``, linking
``https://gitee.com/mindspore/models/tree/r1.8/<folder>``; with the mirror
``https://gitee.com/mindspore/=git://127.0.0.1:<port>/`` both resolve to the test server.
Checkpoints are ``https://download.mindspore.cn/models/r1.8/<name>_toy.ckpt``, mirrored to a
local folder.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card

ZOO = "https://gitee.com/mindspore/models"
DOWNLOADS = "https://download.mindspore.cn/models/r1.8/"

FOLDERS = {
    "alpha": "official/cv/alpha",
    "beta": "official/cv/beta",
    "gamma": "research/cv/gamma",
    "delta": "research/cv/delta",
    "epsilon": "research/cv/epsilon",
}

_FILES = {
    "official/cv/alpha/mindspore_hub_conf.py": '''
        """hub config."""
        from src.network import AlphaNet


        def create_network(name, *args, **kwargs):
            if name == "alpha":
                return AlphaNet(*args, **kwargs)
            raise NotImplementedError(f"{name} is not implemented in the repo")
    ''',
    "official/cv/alpha/src/__init__.py": "",
    "official/cv/alpha/src/config.py": '''
        import argparse

        parser = argparse.ArgumentParser(description="alpha")
        parser.add_argument("--classes", type=int, default=3)
        config = parser.parse_args()
    ''',
    "official/cv/alpha/src/network.py": '''
        import mindspore.nn as nn

        from src.config import config

        KIND = "alpha"


        class AlphaNet(nn.Cell):
            def __init__(self):
                super().__init__()
                self.dense = nn.Dense(4, config.classes)

            def construct(self, x):
                return self.dense(x)
    ''',
    "official/cv/beta/mindspore_hub_conf.py": '''
        """hub config."""
        from src.network import BetaNet


        def create_network(name, *args, **kwargs):
            if name == "beta":
                return BetaNet(*args, **kwargs)
            raise NotImplementedError(f"{name} is not implemented in the repo")
    ''',
    "official/cv/beta/src/__init__.py": "",
    "official/cv/beta/src/layers.py": '''
        import mindspore.nn as nn


        def head(classes):
            return nn.Dense(4, classes)
    ''',
    "official/cv/beta/src/network.py": '''
        import mindspore.nn as nn

        from .layers import head

        KIND = "beta"


        class BetaNet(nn.Cell):
            def __init__(self, num_classes, width=4):
                super().__init__()
                self.dense = head(num_classes)
                self.relu = nn.ReLU()

            def construct(self, x):
                return self.relu(self.dense(x))
    ''',
    "research/cv/gamma/requirements.txt": "numpy\nhub-plugin-missing-dep>=1.0\n",
    "research/cv/gamma/mindspore_hub_conf.py": '''
        import hub_plugin_missing_dep


        def create_network(name, *args, **kwargs):
            return hub_plugin_missing_dep.Net()
    ''',
    "research/cv/delta/README.md": "# delta\n\nTrain with train.py.\n",
    "research/cv/delta/train.py": "print('training')\n",
    "research/cv/epsilon/hubconf.py": '''
        from mindspore.nn import LayerThatMindSporeNeverHad


        def create_network(name, *args, **kwargs):
            return LayerThatMindSporeNeverHad()
    ''',
}


@dataclass
class Zoo:
    """The zoo repository on the server, its tip commit, and the checkpoints folder."""

    repo: WorkRepo
    commit: str
    checkpoints: Path
    digests: dict[str, str]


def build_zoo(server: GitServer, *, filler_folders: int = 0, filler_bytes: int = 0) -> WorkRepo:
    """The zoo repository with branch ``r1.8`` (and ``master``), published as ``models``."""
    repo = WorkRepo(server.base.parent / f"work-zoo-{os.urandom(4).hex()}")
    repo.write("README.md", "# models\n")
    for path, text in _FILES.items():
        repo.write(path, textwrap.dedent(text).lstrip())
    for index in range(filler_folders):
        repo.write(f"filler/m{index:03d}/weights.bin", os.urandom(filler_bytes))
        repo.write(f"filler/m{index:03d}/mindspore_hub_conf.py", "def create_network(name): ...\n")
    repo.commit("zoo")
    repo.branch("r1.8")
    server.publish(repo, "models.git")
    return repo


def save_checkpoint(path: Path, entries: dict[str, object]) -> str:
    """Save ``entries`` (name -> numpy array) as a MindSpore checkpoint; its sha256."""
    import mindspore

    path.parent.mkdir(parents=True, exist_ok=True)
    mindspore.save_checkpoint(
        [{"name": name, "data": mindspore.Tensor(value)} for name, value in entries.items()],
        str(path),
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_zoo_hub(server: GitServer, checkpoints: dict[str, str], *,
                  links: dict[str, str] | None = None) -> str:
    """The hub ``hub.git`` with one card per zoo folder; ``checkpoints`` gives the sha256 of
    ``<name>_toy.ckpt`` for the cards that have one. Returns the hub's commit."""
    repo = WorkRepo(server.base.parent / f"work-zoohub-{os.urandom(4).hex()}")
    for name, folder in FOLDERS.items():
        link = (links or {}).get(name, f"{ZOO}/tree/r1.8/{folder}")
        repo.write(f"{CARDS}/mindspore/1.8/{name}_toy.md", hub_card(
            name, summary=f"{name} toy network", repo_link=link,
            asset_link=f"{DOWNLOADS}{name}_toy.ckpt",
            digest=checkpoints.get(name, "0" * 64),
        ))
    commit = repo.commit("cards")
    server.publish(repo, "hub.git")
    return commit


def mirrors(server: GitServer, checkpoints: Path) -> str:
    """``HUB_PLUGIN_MIRROR`` for the zoo, the hub and the checkpoints."""
    return f"https://gitee.com/mindspore/={server.root},{DOWNLOADS}={checkpoints.as_uri()}/"


def build_real_zoo(server: GitServer, source: Path, folders: list[str]) -> WorkRepo:
    """A ``models`` repository (branch ``r1.8``) holding real zoo ``folders`` copied from
    ``source`` (``../shared/zoo/r1.8``), published on ``server``."""
    import shutil

    repo = WorkRepo(server.base.parent / f"work-realzoo-{os.urandom(4).hex()}")
    repo.write("README.md", "# models\n")
    for folder in folders:
        shutil.copytree(source / folder, repo.path / folder,
                        ignore=shutil.ignore_patterns("ascend310_infer", "infer", "__pycache__"))
    repo.commit("real zoo folders")
    repo.branch("r1.8")
    server.publish(repo, "models.git")
    return repo


def publish_cards(server: GitServer, cards: dict[str, str]) -> str:
    """The hub ``hub.git`` with ``cards`` (UID -> card text); returns its commit."""
    repo = WorkRepo(server.base.parent / f"work-cardhub-{os.urandom(4).hex()}")
    for uid, text in cards.items():
        repo.write(f"{CARDS}/{uid}.md", text)
    commit = repo.commit("cards")
    server.publish(repo, "hub.git")
    return commit
