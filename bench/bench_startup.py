"""Benchmark: the CLI's start-up and ``validate`` of the real cards, this checkout against an older
commit, side by side in one run.

Issue 26 moved every module into its feature folder and gave each concern one home (settings, the
HTTP client, the console, the YAML reader); its goal is that start-up is no slower than before. The
older commit's tree is written to a temporary folder with ``git archive`` (its own ``models/`` and
``schemas/`` included) and run with the same interpreter and the same installed packages as this
checkout, through ``PYTHONPATH``; so only hub-plugin's own code differs.

Method: fresh processes, wall clock (``time.perf_counter``), the commands of each tree taking turns in
every round (the order alternating from round to round, so a change in the machine's load falls on
both alike), the median and the minimum of ``--runs`` rounds:

* ``python -c pass``: the interpreter alone, the raw limit;
* ``python -m hub_plugin --version``;
* ``python -m hub_plugin list --help``: building the whole parser, which every command does;
* ``python -m hub_plugin validate CORPUS`` (strict) and ``--profile mindspore-hub``.

Run: ``.venv/bin/python bench/bench_startup.py [--against d852fd1] [--runs 11]
[--corpus ../shared/cards/mindspore-1.8]``
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from needs import require

REPO = Path(__file__).resolve().parent.parent


def unpack(commit: str, folder: Path) -> None:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "--",
                              "hub_plugin", "models", "schemas"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def timed(command: list[str], tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "HUB_PLUGIN_HOME": str(tree / ".home")}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):  # validate exits 1 on invalid cards: still a full run
        sys.exit(f"{' '.join(command)} failed in {tree}: {result.stderr.decode()[-300:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="d852fd1", help="the older commit (default: before issue 26)")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "cards" / "mindspore-1.8"))
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    require(corpus, "MindSpore Hub's cards", "--corpus DIR")
    python = sys.executable
    commands = {
        "python -c pass (raw limit)": [python, "-c", "pass"],
        "hub-plugin --version": [python, "-m", "hub_plugin", "--version"],
        "hub-plugin list --help (the parser)": [python, "-m", "hub_plugin", "list", "--help"],
        f"validate, strict ({len(list(corpus.glob('*.md')))} cards)":
            [python, "-m", "hub_plugin", "validate", str(corpus)],
        "validate, mindspore-hub": [python, "-m", "hub_plugin", "validate", "--profile", "mindspore-hub",
                                    str(corpus)],
    }
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "old"
        unpack(args.against, old)
        trees = {"this checkout": REPO, args.against: old}
        times: dict[tuple[str, str], list[float]] = {}
        for round_index in range(args.runs):
            order = list(trees.items()) if round_index % 2 == 0 else list(reversed(trees.items()))
            for label, command in commands.items():
                for name, tree in order:
                    times.setdefault((label, name), []).append(timed(command, tree))
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=False).stdout.strip()
    print(f"median of {args.runs} rounds, fresh processes; this checkout = {head}, older = {args.against}")
    print(f"{'':<38} {'this checkout':>14} {args.against:>14} {'ratio':>7}   min: this, older, ratio")
    for label in commands:
        new, before = times[(label, "this checkout")], times[(label, args.against)]
        median_new, median_before = statistics.median(new), statistics.median(before)
        print(f"{label:<38} {median_new * 1000:11.1f} ms {median_before * 1000:11.1f} ms "
              f"{median_new / median_before:7.2f}   {min(new) * 1000:.1f} ms, {min(before) * 1000:.1f} ms, "
              f"{min(new) / min(before):.2f}")


if __name__ == "__main__":
    main()
