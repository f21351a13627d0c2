"""Benchmark: validating the 448 real MindSpore Hub cards, and the CLI's start-up time.

Method: each figure is the median of --runs runs (wall clock, time.perf_counter).

* ``hub-plugin validate CORPUS`` as a fresh process (start-up included), strict and mindspore-hub;
* ``hub-plugin --version`` as a fresh process (the floor of every command);
* ``python -c pass`` as a fresh process (the interpreter's own start-up: the raw limit);
* in-process throughput (cards per second) of hub-plugin's validation, against a plain peer doing
  less: ``yaml.safe_load`` plus jsonschema over the schema as written (no positions, no extra
  checks, no bad-input guards).

Reference figure (from the issue): MindSpore Hub's own validator, network checks off, takes 0.92 s
for these cards on these machines. Goals: the corpus under 0.5 s including start-up, ``--version``
under 0.3 s.

Run: ``.venv/bin/python bench/bench_validate.py [--runs 7] [--corpus ../shared/cards/mindspore-1.8]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from needs import require

REPO = Path(__file__).resolve().parent.parent


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_process(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "cards" / "mindspore-1.8"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    require(corpus, "MindSpore Hub's cards", "--corpus DIR")
    files = sorted(corpus.glob("*.md"))
    n = len(files)
    python = sys.executable
    cli = [python, "-m", "hub_plugin"]

    print(f"corpus: {corpus} ({n} cards); median of {args.runs} runs")
    print(f"python: {sys.version.split()[0]}")
    print()
    print("fresh process, wall clock (start-up included)")
    floor = wall([python, "-c", "pass"], args.runs)
    version = wall([*cli, "--version"], args.runs)
    strict = wall([*cli, "validate", str(corpus)], args.runs)
    hub = wall([*cli, "validate", "--profile", "mindspore-hub", str(corpus)], args.runs)
    rows = [
        ("python -c pass (raw limit)", floor, ""),
        ("hub-plugin --version", version, "goal < 0.300 s"),
        (
            f"hub-plugin validate, strict ({n} cards)",
            strict,
            "goal < 0.500 s; MindSpore Hub 0.92 s",
        ),
        (
            f"hub-plugin validate, mindspore-hub ({n} cards)",
            hub,
            "goal < 0.500 s; MindSpore Hub 0.92 s",
        ),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<48} {seconds:7.3f} s   {note}")

    import json

    import yaml
    from jsonschema import Draft202012Validator

    from hub_plugin.cards.profiles import load_schema
    from hub_plugin.validation.validator import validate_paths

    schema = load_schema()
    plain = Draft202012Validator({**schema, "$ref": "#/$defs/mindspore-hub"})

    def peer() -> None:
        for path in files:
            text = path.read_text(encoding="utf-8")
            front = text.split("\n---\n", 2)[1] if "\n---\n" in text else ""
            front = front.replace("evaluation: -\n", "evaluation: '-'\n")
            data = json.loads(json.dumps(yaml.safe_load(front), default=str))
            list(plain.iter_errors(data))

    validate_paths([corpus], "strict")  # warm caches: schema, compiled validator
    ours = in_process(lambda: validate_paths([corpus], "strict"), args.runs)
    theirs = in_process(peer, args.runs)
    print()
    print("in process, warm (cards per second)")
    print(
        f"  {'hub-plugin validate_paths, strict':<48} {n / ours:9.0f} cards/s  ({ours * 1000:.1f} ms)"
    )
    print(
        f"  {'peer: yaml.safe_load + jsonschema as written':<48} {n / theirs:9.0f} cards/s  "
        f"({theirs * 1000:.1f} ms)"
    )


if __name__ == "__main__":
    main()
