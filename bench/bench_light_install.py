"""Benchmark: the light install (``pip install hub-plugin``) against the full one
(``pip install 'hub-plugin[mindspore]'``): seconds to install, MB on disk, and ``validate``'s time.

Method: for each variant, one install into a throwaway venv first (it fills pip's cache, so the
measured install is the warm-cache case a CI runner with a cached ``~/.cache/pip`` sees; its time is
printed too), then a fresh ``python -m venv`` and a timed ``pip install`` of this checkout (the
wheel is built from source each time, as ``pip install .`` does). MB on disk: the venv after the
install, less the bare venv (pip and setuptools, which every venv has), by ``du``-style sizes of
the files (``st_blocks``). Validate: ``hub-plugin validate --profile mindspore-hub`` over
``../shared/cards/`` as a fresh process from each venv, the median of ``--runs`` runs.

Goals (issue 10): the light install under 40 MB and under 15 s; validate's time unchanged.

Run: ``.venv/bin/python bench/bench_light_install.py [--runs 5] [--variants light,full]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from needs import require

REPO = Path(__file__).resolve().parent.parent
CARDS = Path(os.environ.get("HUB_PLUGIN_SHARED") or REPO.parent / "shared") / "cards"
VARIANTS = {"light": str(REPO), "full": f"{REPO}[mindspore]"}


def disk_mb(folder: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total / 1e6


def make_venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def install(python: Path, requirement: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def validate_time(venv: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run([str(venv / "bin" / "hub-plugin"), "validate", "--profile", "mindspore-hub",
                                 str(CARDS)], stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            sys.exit(f"validate failed in {venv}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", default="light,full")
    args = parser.parse_args()
    require(CARDS, "MindSpore Hub's cards")
    work = Path(tempfile.mkdtemp(prefix="bench-install-"))
    try:
        bare = work / "bare"
        make_venv(bare)
        bare_mb = disk_mb(bare)
        count = sum(1 for _ in CARDS.rglob("*.md"))
        print(f"Python {sys.version.split()[0]}; os.cpu_count() = {os.cpu_count()}; load average "
              f"{os.getloadavg()[0]:.1f}; a bare venv is {bare_mb:.1f} MB (pip, setuptools)")
        print(f"{'variant':<8} {'first install s':>16} {'warm install s':>15} {'MB added':>9} "
              f"{'venv MB':>8} {'validate s':>11}  (validate: {count} cards, median of {args.runs})")
        for variant in args.variants.split(","):
            requirement = VARIANTS[variant]
            warmup = work / f"{variant}-warmup"
            first = install(make_venv(warmup), requirement)
            shutil.rmtree(warmup)
            venv = work / variant
            seconds = install(make_venv(venv), requirement)
            total = disk_mb(venv)
            check = validate_time(venv, args.runs)
            print(f"{variant:<8} {first:>16.1f} {seconds:>15.1f} {total - bare_mb:>9.1f} {total:>8.1f} "
                  f"{check:>11.3f}")
            shutil.rmtree(venv)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
