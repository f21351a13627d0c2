"""The trust store: one plain JSON file for package and repository entries, written atomically and
safely by several processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub_plugin.errors import TrustStoreError
from hub_plugin.trust.store import (
    PackageTrust,
    RepositoryTrust,
    TrustStore,
    repository_key,
    same_commit,
)

WRITER = """
import sys
from pathlib import Path
from hub_plugin.trust.store import TrustStore

home, writer, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for index in range(count):
    store = TrustStore(home)
    if index % 2:
        store.trust_repository(f"https://example.org/zoo-{writer}-{index}", f"{index:040x}",
                               name=f"zoo-{writer}-{index}")
    else:
        folder = home.parent / "packages" / f"p{writer}-{index}"
        store.trust_package(folder, name=f"p{writer}-{index}", source="--registry",
                            digest="0" * 64, files={"hubconf.py": "1" * 64})
"""


def test_concurrent_writers_keep_every_entry_and_valid_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    writers, count = 6, 12
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(w), str(count)])
        for w in range(writers)
    ]
    store_file = home / "trusted.json"
    reads = 0
    deadline = time.monotonic() + 120
    while any(p.poll() is None for p in processes) and time.monotonic() < deadline:
        if store_file.exists():
            json.loads(store_file.read_text(encoding="utf-8"))  # a reader never sees half a file
            reads += 1
    assert [p.wait(timeout=60) for p in processes] == [0] * writers
    data = json.loads(store_file.read_text(encoding="utf-8"))
    names = sorted(entry["name"] for entry in data["entries"])
    expected = sorted(
        f"{'zoo' if i % 2 else 'p'}{'-' if i % 2 else ''}{w}-{i}"
        for w in range(writers) for i in range(count)
    )
    assert names == expected
    assert reads > 0
    assert not list(home.glob(".trusted.*.tmp"))  # no temporary file left behind
    kinds = {entry.kind for entry in TrustStore(home).entries()}
    assert kinds == {"package", "repository"}


def test_both_kinds_live_in_one_store_and_are_removed_by_name_folder_or_url(
    tmp_path: Path,
) -> None:
    store = TrustStore(tmp_path / "home")
    folder = tmp_path / "models" / "outsider"
    store.trust_package(folder, name="outsider", source="--registry", digest="d" * 64,
                        files={"hubconf.py": "h" * 64})
    store.trust_repository("https://gitee.com/mindspore/models.git", "a" * 40, name="resnet50",
                           source="hub mindspore")
    store.trust_repository("https://example.org/other", "b" * 40, name="other")
    package, repository, _other = store.entries()
    assert isinstance(package, PackageTrust) and package.folder == str(folder.resolve())
    assert isinstance(repository, RepositoryTrust)
    assert repository.url == "https://gitee.com/mindspore/models" and repository.commit == "a" * 40
    assert store.package_entry(folder) == package
    assert store.repository_entry("https://GITEE.com/mindspore/models/") == repository
    assert [e.name for e in store.forget_named(str(folder))] == ["outsider"]
    assert [e.name for e in store.forget_named("https://gitee.com/mindspore/models")] == ["resnet50"]
    assert store.forget_named("nothing") == []
    assert [e.name for e in store.forget_named("other")] == ["other"]
    assert store.entries() == []
    assert json.loads(store.path.read_text())["entries"] == []


def test_a_repository_is_trusted_at_several_commits_each_kept_by_name(tmp_path: Path) -> None:
    """Issue 17, case 7: trusting a second commit keeps the first (one per repository pushed
    users to --trust); trusting the same commit again replaces its entry."""
    store = TrustStore(tmp_path / "home")
    store.trust_repository("https://example.org/zoo", "a" * 40, name="zoo", source="hub x")
    store.trust_repository("https://example.org/zoo.git", "b" * 40)
    store.trust_repository("https://Example.org/zoo/", "B" * 40)
    first, second = store.entries()
    assert isinstance(first, RepositoryTrust) and isinstance(second, RepositoryTrust)
    assert (first.commit, second.commit) == ("a" * 40, "b" * 40)
    assert (second.name, second.source) == ("zoo", "hub x")
    assert store.is_repository_trusted("https://example.org/zoo", "a" * 40)
    assert store.is_repository_trusted("https://example.org/zoo", "b" * 40)
    assert not store.is_repository_trusted("https://example.org/zoo", "c" * 40)


@pytest.mark.parametrize("commit", ["6d2622e", "6d2622e0b7d1", "HEAD", "master", "a" * 39])
def test_a_short_or_symbolic_commit_is_refused(tmp_path: Path, commit: str) -> None:
    """Issue 17, case 7: a prefix would trust every commit that shares its digits."""
    store = TrustStore(tmp_path / "home")
    with pytest.raises(TrustStoreError, match="not a full commit id"):
        store.trust_repository("https://example.org/zoo", commit)
    assert store.entries() == []


def test_a_repository_needs_a_commit(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="needs the commit"):
        TrustStore(tmp_path / "home").trust_repository("https://example.org/zoo", " ")


def test_entries_of_an_unknown_kind_are_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    future = {"kind": "wheel", "name": "from a newer hub-plugin"}
    (home / "trusted.json").write_text(json.dumps({"format": 3, "entries": [future]}))
    store = TrustStore(home)
    assert store.entries() == []
    store.trust_repository("https://example.org/zoo", "c" * 40)
    assert future in json.loads(store.path.read_text())["entries"]


def test_forget_all_clears_every_entry(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = TrustStore(home)
    store.trust_repository("https://example.org/zoo", "c" * 40, name="zoo")
    store.trust_repository("https://example.org/other", "d" * 40, name="other")
    assert sorted(e.name for e in store.forget_all()) == ["other", "zoo"]
    assert json.loads(store.path.read_text()) == {"format": 2, "entries": []}


def test_repository_keys_and_full_commits_only() -> None:
    assert repository_key(" https://Gitee.COM/MindSpore/models.git/ ") == (
        "https://gitee.com/MindSpore/models"
    )
    assert repository_key("git@gitee.com:mindspore/models.git") == "git@gitee.com:mindspore/models"
    full = "4f1c2a9e0b7d" + "1" * 28
    assert same_commit(full, full.upper()) and same_commit(full, f" {full} ")
    assert not same_commit(full, full[:7]) and not same_commit(full[:12], full)
    assert not same_commit(full, "5" + full[1:]) and not same_commit("", full)
    assert not same_commit(full[:7], full[:7])
