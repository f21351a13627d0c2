"""Benchmark: what the trust check adds to ``load`` for a 200-file model package.

Method: a generated package of --files Python modules (50 to 800 lines each, in ten sub-packages,
each with a ``__pycache__`` of compiled files and a README that the digest skips) plus
``hubconf.py`` and ``package.yaml``, in a temporary folder, in the page cache. Each figure is the
best and the median of --runs calls (time.perf_counter), in one process:

* ``code_digest``: hub-plugin's digest of the package (the sorted walk, a sha256 per file);
* ``ensure_trusted``: the whole check ``load`` makes for a trusted package (digest, store read,
  comparison), with a store holding 50 other entries;
* raw limit: open, read and sha256 each of the same files from a list made in advance (no walk,
  no sorting, no listing): the least any digest over these files can cost;
* peer: the same walk with ``os.walk`` and ``Path`` objects, as a first version would write it.

Goal (issue 13): well under 50 ms added to ``load``.

Run: ``.venv/bin/python bench/bench_trust_digest.py [--files 200] [--runs 50]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub_plugin.registry import Registry
from hub_plugin.trust.code_digest import code_digest
from hub_plugin.trust.gate import ensure_trusted
from hub_plugin.trust.store import TrustStore


def make_package(root: Path, files: int) -> Path:
    folder = root / "registry" / "big"
    rng = random.Random(0)
    for index in range(files):
        sub = folder / f"part{index % 10}" if index >= 20 else folder
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"module{index}.py").write_text("# a module\n" + "x = 1\n" * rng.randint(50, 800))
        cache = sub / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / f"module{index}.cpython-311.pyc").write_bytes(os.urandom(2000))
        (sub / "README.md").write_text("notes\n")
    for index in range(10):
        (folder / f"part{index}" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text("def big():\n    'A network.'\n")
    (folder / "package.yaml").write_text("trust-files: [presets/*.yaml]\n")
    return folder


def timed(function: Callable[[], Any], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times) * 1000, statistics.median(times) * 1000


def raw_limit(paths: list[str]) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            hashlib.sha256(handle.read()).hexdigest()


def peer_walk(folder: Path) -> dict[str, str]:
    files = {}
    for here, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
        for name in sorted(names):
            path = Path(here) / name
            if path.suffix in (".py", ".so", ".pyd") or name == "package.yaml":
                files[path.relative_to(folder).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-trust-") as temporary:
        root = Path(temporary)
        folder = make_package(root, args.files)
        code = code_digest(folder)
        size = sum((folder / path).stat().st_size for path in code.files)
        print(f"package: {len(code.files)} files covered, {size / 1024:.0f} KiB "
              f"(plus {args.files} .pyc in __pycache__ and 10 READMEs, skipped); "
              f"best / median of {args.runs} runs")
        package = Registry.open([root / "registry"], bundled=False, environment=False,
                                plugins=False).package("big")
        store = TrustStore(root / "home")
        for index in range(50):
            store.trust_repository(f"https://example.org/zoo{index}", f"{index:040x}")
        ensure_trusted(package, store=store, ask=lambda question: True, interactive=True)
        paths = [str(folder / path) for path in code.files]
        rows = [
            ("hub-plugin code_digest (walk + sha256 each)", timed(lambda: code_digest(folder),
                                                                  args.runs)),
            ("hub-plugin ensure_trusted, trusted package", timed(
                lambda: ensure_trusted(package, store=store, interactive=False), args.runs)),
            ("raw limit: read + sha256 of a ready list", timed(lambda: raw_limit(paths), args.runs)),
            ("peer: os.walk + Path + sha256", timed(lambda: peer_walk(folder), args.runs)),
        ]
        width = max(len(name) for name, _ in rows)
        print(f"{'method':<{width}}  {'best ms':>8}  {'median ms':>9}")
        for name, (best, median) in rows:
            print(f"{name:<{width}}  {best:8.2f}  {median:9.2f}")
        print("goal: well under 50 ms added to load")


if __name__ == "__main__":
    main()
