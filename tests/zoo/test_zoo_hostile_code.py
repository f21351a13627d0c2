"""Issue 17: zoo code runs as the bytes trust was checked on, and its own names stay its own.
A zoo repository the test builds, served by a real git daemon on 127.0.0.1, real MindSpore."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from git_server import GitServer, WorkRepo
from hub_repos import hub_card

from hub_plugin.cards.manifest import Manifest
from hub_plugin.cards.repo_link import parse_repo_link
from hub_plugin.downloads.mirrors import MirrorMap
from hub_plugin.errors import CodeChangedSinceTrust
from hub_plugin.git.transport import GitTransport
from hub_plugin.validation.validator import read_manifest
from hub_plugin.zoo.checkout import ZooCache, ZooFolder
from hub_plugin.zoo.loading import zoo_network

pytestmark = pytest.mark.mindspore

LINK = "https://gitee.com/mindspore/models/tree/master/official/cv/lazy"
FILES = {
    "official/cv/lazy/mindspore_hub_conf.py": '''
        """A network whose method imports the folder's own ``src`` lazily, after create_network."""
        import mindspore.nn as nn


        class Lazy(nn.Cell):
            def construct(self, x):
                return x

            def kind(self):
                from src.helpers import KIND

                return KIND


        def create_network(name, *args, **kwargs):
            return Lazy()
    ''',
    "official/cv/lazy/src/__init__.py": "",
    "official/cv/lazy/src/helpers.py": 'KIND = "zoo"\n',
}


def _zoo(server: GitServer, tmp_path: Path, extra: dict[str, bytes] | None = None) -> None:
    repo = WorkRepo(tmp_path / f"work-lazy-{os.urandom(3).hex()}")
    for path, text in FILES.items():
        repo.write(path, textwrap.dedent(text).lstrip())
    for path, data in (extra or {}).items():
        repo.write(path, data)
    repo.commit("lazy")
    server.publish(repo, "models.git")


def _card(tmp_path: Path) -> Manifest:
    card = tmp_path / "cards" / "lazy_toy.md"
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(hub_card("lazy", summary="lazy imports", repo_link=LINK))
    return read_manifest(card, "mindspore-hub")


def _folder(server: GitServer, tmp_path: Path) -> ZooFolder:
    transport = GitTransport(MirrorMap.parse(f"https://gitee.com/mindspore/={server.root}"))
    return ZooCache(tmp_path / "home").folder(parse_repo_link(LINK), transport)


@pytest.fixture
def callers_src(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The caller's own ``src`` package, first on sys.path, as in a project that loads a model."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "__init__.py").write_text("")
    (project / "src" / "helpers.py").write_text('KIND = "caller"\n')
    monkeypatch.syspath_prepend(str(project))
    yield project
    for name in [n for n in sys.modules if n == "src" or n.startswith("src.")]:
        del sys.modules[name]


def test_a_lazy_import_after_create_network_gets_the_zoo_folders_module(
    git_server: GitServer, tmp_path: Path, callers_src: Path
) -> None:
    """Case 17: ``from src.helpers import KIND`` run after create_network returned resolved to
    the caller's ``src``."""
    _zoo(git_server, tmp_path)
    built = zoo_network(_card(tmp_path), _folder(git_server, tmp_path), trust=True)
    assert built.network.kind() == "zoo"
    import src.helpers  # the caller's own is untouched, and still the caller's

    assert src.helpers.KIND == "caller"


def test_bytecode_committed_into_the_zoo_never_runs(
    git_server: GitServer, tmp_path: Path
) -> None:
    """Case 4 for zoo code: a repository that commits ``src/__pycache__/helpers.cpython-*.pyc``
    (unchecked-hash, so Python's own loader runs it whatever the source says) gets its source run."""
    evil = tmp_path / "evil.py"
    marker = tmp_path / "pwned"
    evil.write_text(f"open({str(marker)!r}, 'w').write('ran')\nKIND = 'evil'\n")
    pyc = tmp_path / "helpers.pyc"
    py_compile.compile(str(evil), cfile=str(pyc), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    cached = Path(importlib.util.cache_from_source("official/cv/lazy/src/helpers.py"))
    _zoo(git_server, tmp_path, {cached.as_posix(): pyc.read_bytes()})
    built = zoo_network(_card(tmp_path), _folder(git_server, tmp_path), trust=True)
    assert built.network.kind() == "zoo" and not marker.exists()


def test_a_zoo_file_rewritten_after_the_trust_check_is_refused_when_imported(
    git_server: GitServer, tmp_path: Path
) -> None:
    """Case 6 for zoo code: a module imported lazily is checked against the bytes listed when
    trust was checked; one rewritten since is refused before it runs."""
    _zoo(git_server, tmp_path)
    folder = _folder(git_server, tmp_path)
    built = zoo_network(_card(tmp_path), folder, trust=True)
    helpers = folder.path / "src" / "helpers.py"
    helpers.chmod(helpers.stat().st_mode | stat.S_IWUSR)
    marker = tmp_path / "pwned"
    helpers.write_text(f"open({str(marker)!r}, 'w').write('ran')\nKIND = 'evil'\n")
    with pytest.raises(CodeChangedSinceTrust, match=r"src\.helpers.*changed since trust"):
        built.network.kind()
    assert not marker.exists()


APPENDED_SRC_CONF = '''
"""Zoo code of the common kind (57 folders at r1.8): its src/ on sys.path, then a bare import."""
import os
import sys

import mindspore.nn as nn

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))
from lenet import KIND


class LeNet(nn.Cell):
    def construct(self, x):
        return x

    def kind(self):
        return KIND


def create_network(name, *args, **kwargs):
    return LeNet()
'''


def test_bytecode_found_through_an_appended_sys_path_never_runs(
    git_server: GitServer, tmp_path: Path
) -> None:
    """Issue 27 hole 2: ``sys.path.append(<folder>/src)`` then ``import lenet`` went to Python's
    own path finder, which ran a planted unchecked-hash ``src/__pycache__/lenet.cpython-*.pyc``
    that the trust question never listed. Now the hashed ``src/lenet.py`` runs."""
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.py"
    evil.write_text(f"open({str(marker)!r}, 'w').write('ran')\nKIND = 'evil'\n")
    pyc = tmp_path / "lenet.pyc"
    py_compile.compile(str(evil), cfile=str(pyc), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    cached = Path(importlib.util.cache_from_source("official/cv/lazy/src/lenet.py"))
    _zoo(git_server, tmp_path, {
        "official/cv/lazy/mindspore_hub_conf.py": APPENDED_SRC_CONF.lstrip().encode(),
        "official/cv/lazy/src/lenet.py": b"KIND = 'hashed'\n",
        cached.as_posix(): pyc.read_bytes(),
    })
    folder = _folder(git_server, tmp_path)
    built = zoo_network(_card(tmp_path), folder, trust=True)
    assert built.network.kind() == "hashed" and not marker.exists()
    assert "lenet" not in sys.modules  # the next folder's ``import lenet`` gets its own
