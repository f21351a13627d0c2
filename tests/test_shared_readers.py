"""Someone who clones the repository alone gets a green suite: every test that reads ../shared
goes through ``locations.SHARED`` (so ``.ci/without-shared`` finds it and runs it with ../shared
hidden) and skips without it, and the benches say in one line what they need."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from locations import REPO, TESTS

#: Ways to reach ../shared other than ``locations.SHARED``.
_AROUND = re.compile(r"""(REPO\w*|TESTS|resolve\(\))(\.parent|\.parents\[\d+\])+\s*/\s*["']shared["']"""
                     r"""|Path\(\s*["'][^"']*\.\./shared|["']/work/shared""")


def test_no_test_reaches_shared_but_through_locations() -> None:
    offenders = [str(path.relative_to(REPO)) for path in TESTS.rglob("*.py")
                 if path.name != "locations.py" and _AROUND.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_ci_script_finds_the_readers_and_each_of_them_can_skip() -> None:
    readers = [path for path in TESTS.rglob("test_*.py")
               if re.search(r"^\s*from locations import .*\bSHARED\b", path.read_text(encoding="utf-8"),
                            re.M)]
    assert len(readers) >= 3
    for path in readers:  # each skips, or falls back to data it makes, when ../shared is absent
        text = path.read_text(encoding="utf-8")
        assert "skip" in text or re.search(r"if not \w+\.(is_file|is_dir|exists)\(\)", text), path
    script = (REPO / ".ci" / "without-shared").read_text(encoding="utf-8")
    assert "HUB_PLUGIN_SHARED" in script and "bash .ci/without-shared" in (REPO / ".ci" / "run").read_text()


@pytest.mark.parametrize("bench", [
    ["bench_validate.py", "--corpus", "{hidden}/cards/mindspore-1.8"],
    ["bench_startup.py", "--corpus", "{hidden}/cards/mindspore-1.8"],
    ["bench_light_install.py"],
    ["bench_simclr_pretrain.py", "--archive", "{hidden}/data/cifar10-jpeg.tar.gz"],
    ["bench_inference.py", "--data", "{hidden}/data/cifar10-jpeg.tar.gz"],
    ["classifier_weights.py", "--data", "{hidden}/data/cifar10-jpeg.tar.gz", "--out", "{hidden}/weights"],
], ids=lambda argv: argv[0])
def test_a_bench_without_shared_says_what_it_needs_in_one_line(bench: list[str], tmp_path: Path) -> None:
    hidden = tmp_path / "no-shared"
    argv = [arg.format(hidden=hidden) for arg in bench]
    env = {**os.environ, "HUB_PLUGIN_SHARED": str(hidden)}
    result = subprocess.run([sys.executable, str(REPO / "bench" / argv[0]), *argv[1:]], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{argv[0]}: needs ") and str(hidden) in result.stderr
