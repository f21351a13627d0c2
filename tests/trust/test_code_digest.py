"""The code digest: every file that can run or steer what runs, and nothing else; reproducible with
``sha256sum``; changes described file by file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hub_plugin.core.file_tree import remove_tree
from hub_plugin.errors import LinkInPackage
from hub_plugin.registry import Registry
from hub_plugin.registry.registry import ModelPackage, Root
from hub_plugin.trust.code_digest import code_digest, describe_changes, package_digest


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    write(root / "hubconf.py", "def net():\n    pass\n")
    write(root / "__init__.py")
    write(root / "layers" / "conv.py", "x = 1\n")
    write(root / "layers" / "_fast.cpython-311-x86_64-linux-gnu.so", "\x7fELF")
    write(root / "win" / "_fast.pyd", "MZ")
    write(root / "legacy.pyc", "sourceless")
    write(root / "package.yaml", "cards: {}\n")
    write(root / "presets" / "paper.yaml", "lr: 0.1\n")
    write(root / "README.md", "# notes\n")
    write(root / "card.md", "---\nmodel-name: x\n---\n")
    write(root / "weights.ckpt", "not code")
    write(root / "__pycache__" / "hubconf.cpython-311.pyc", "cache")
    write(root / "layers" / "__pycache__" / "conv.cpython-311.pyc", "cache")
    write(root / ".git" / "hooks" / "post-checkout.py", "git's, not the package's")
    return root


def test_the_digest_covers_every_file_but_source_caches_and_git(folder: Path) -> None:
    """Issue 17: every regular file of a package can steer what runs (a README the code reads, a
    card, a config), so all are covered but Python's own caches of a source and ``.git``."""
    assert sorted(code_digest(folder).files) == [
        "README.md", "__init__.py", "card.md", "hubconf.py",
        "layers/_fast.cpython-311-x86_64-linux-gnu.so", "layers/conv.py", "legacy.pyc",
        "package.yaml", "presets/paper.yaml", "weights.ckpt", "win/_fast.pyd",
    ]


def test_declared_data_is_left_out_but_never_code(folder: Path) -> None:
    write(folder / "weights" / "big.ckpt", "data")
    write(folder / "weights" / "loader.py", "import os\n")
    files = set(code_digest(folder, data_patterns=["weights/*", "*.ckpt", "../*", "presets/*"],
                            patterns=["presets/*.yaml"]).files)
    assert "weights/big.ckpt" not in files and "weights.ckpt" not in files
    assert {"weights/loader.py", "presets/paper.yaml", "README.md"} <= files  # code; trust-files


def test_declared_configuration_files_are_covered_and_stay_inside(folder: Path) -> None:
    write(folder.parent / "outside.yaml", "secret: 1\n")
    files = code_digest(folder, patterns=["presets/*.yaml", "../*.yaml", "/etc/passwd", "**/*.md"],
                        data_patterns=["**/*.md", "presets/*"])
    assert {"presets/paper.yaml", "README.md", "card.md"} <= set(files.files)
    assert not any("outside" in path or "passwd" in path for path in files.files)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils' sha256sum")
def test_the_digest_is_sha256sum_over_the_sorted_listing(folder: Path) -> None:
    code = code_digest(folder)
    listing = subprocess.run(
        ["sha256sum", "--", *sorted(code.files)], cwd=folder, capture_output=True, check=True,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout
    assert listing.decode() == code.listing()
    again = subprocess.run(["sha256sum"], input=listing, capture_output=True, check=True).stdout
    assert again.decode().split()[0] == code.digest


def test_any_change_changes_the_digest_and_is_described(folder: Path) -> None:
    before = code_digest(folder)
    write(folder / "layers" / "conv.py", "x = 2\n")
    write(folder / "layers" / "attention.py", "y = 1\n")
    (folder / "legacy.pyc").unlink()
    write(folder / "README.md", "# edited notes: the code may read them\n")
    after = code_digest(folder)
    assert after.digest != before.digest
    assert describe_changes(before.files, after.files) == (
        "modified README.md and layers/conv.py; added layers/attention.py; removed legacy.pyc"
    )
    assert describe_changes(after.files, after.files) == ""


def test_a_long_change_names_a_few_files_and_counts_the_rest() -> None:
    before = {f"m{i}.py": "a" for i in range(10)}
    after = {**{f"m{i}.py": "b" for i in range(6)}, **{f"new{i}.py": "c" for i in range(2)}}
    assert describe_changes(before, after) == (
        "modified m0.py, m1.py, m2.py and 3 more; added new0.py and new1.py; "
        "removed m6.py, m7.py, m8.py and 1 more"
    )


@pytest.mark.parametrize("link", ["shared", "layers/ops.py"])
def test_a_link_inside_a_package_is_refused(folder: Path, link: str) -> None:
    """Issue 17, case 5: a folder link to /usr/lib made trust list 21,589 files; a file link
    runs a file the digest never read as a package file."""
    outside = write(folder.parent / "shared" / "ops.py", "z = 1\n")
    (folder / link).symlink_to(outside.parent if link == "shared" else outside)
    with pytest.raises(LinkInPackage, match="symbolic link"):
        code_digest(folder)


def test_code_in_a_bytecode_folder_and_versioned_libraries_are_covered(folder: Path) -> None:
    """Issue 17, case 5: ``pkg.__pycache__.evil`` imports like any module, ctypes loads
    ``libx.so.1``; Python's own caches of a source are never read (verified_import) and left out."""
    write(folder / "__pycache__" / "evil.py", "import os\n")
    write(folder / "__pycache__" / "evil.cpython-311.opt-1.pyc", "cache")
    write(folder / "native" / "libfast.so.1", "\x7fELF")
    write(folder / "native" / "libfast.so.1.2.3", "\x7fELF")
    files = set(code_digest(folder).files)
    assert {"__pycache__/evil.py", "native/libfast.so.1", "native/libfast.so.1.2.3"} <= files
    assert not any(path.endswith(".cpython-311.pyc") or "opt-1" in path for path in files)


def test_the_bundled_package_covers_its_sub_packages_presets_and_cards() -> None:
    simclr = Registry.open(plugins=False).package("simclr")
    files = package_digest(simclr).files
    assert {"hubconf.py", "networks/network.py", "package.yaml", "presets/paper.yaml",
            "simclr_encoder_cifar10.md", "README.md"} <= set(files)
    assert not any(path.endswith(".cpython-311.pyc") for path in files)


def test_a_plugin_package_is_covered_with_its_whole_distribution(tmp_path: Path) -> None:
    distribution = tmp_path / "site-packages" / "zoo_plugin"
    write(distribution / "__init__.py")
    write(distribution / "common" / "blocks.py", "b = 1\n")
    write(distribution / "tiny" / "hubconf.py", "def tiny():\n    pass\n")
    root = Root(distribution, "plugin zoo-plugin:zoo")
    package = ModelPackage("tiny", distribution / "tiny", root, ())
    assert sorted(package_digest(package).files) == [
        "__init__.py", "common/blocks.py", "tiny/hubconf.py",
    ]
    folder_only = ModelPackage("tiny", distribution / "tiny", Root(distribution, "--registry"), ())
    assert sorted(package_digest(folder_only).files) == ["hubconf.py"]


def test_a_folder_1100_deep_is_digested_without_recursion(tmp_path: Path) -> None:
    """Issue 27 hole 5, the digest's walk: a zoo folder or package nested deeper than Python's
    recursion limit is listed like any other (the walk was recursive: RecursionError)."""
    (tmp_path / "hubconf.py").write_text("x = 1\n")
    deep = tmp_path
    for _ in range(1_100):  # one folder at a time: os.makedirs recurses too
        deep = deep / "d"
        os.mkdir(deep)
    (deep / "leaf.py").write_text("y = 2\n")
    try:
        code = code_digest(tmp_path)
    finally:
        remove_tree(tmp_path / "d")  # pytest's own clean-up of tmp_path would recurse
    assert set(code.files) == {"hubconf.py", "d/" * 1_100 + "leaf.py"}
