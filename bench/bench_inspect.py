"""Listing a ~100 MB checkpoint: the light reader against ``mindspore.load_checkpoint`` (issue 29).

    .venv/bin/python bench/bench_inspect.py [--runs 5] [--keep PATH]

Makes a checkpoint with MindSpore itself (``save_checkpoint`` of mindcv's ResNet-50, 102 MB of
float32; a synthetic set of 320 tensors of the same total when mindcv is absent) under /tmp, then,
side by side in one run, alternating the order each round:

- ``read_checkpoint``: hub_plugin.checkpoints.reader, in this process (the light reader);
- the ``protobuf`` package parsing the same message (MindSpore's own ``checkpoint_pb2`` descriptor,
  loaded without importing MindSpore): the peer a light install could have depended on instead;
- ``mindspore.load_checkpoint``: in this process, MindSpore already imported;
- the two as a person runs them, each in a fresh process: ``hub-plugin inspect FILE`` against
  ``python -c "import mindspore; mindspore.load_checkpoint(FILE)"``; with the reader alone in a
  fresh process and ``hub-plugin --version`` (the CLI's start-up, which every command pays).

The file is read once first so that it sits in the page cache (this measures parsing, not the
disk). Median of ``--runs``. The goal: inspect at least 10x faster than ``load_checkpoint``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hub_plugin.checkpoints.reader import read_checkpoint  # noqa: E402


def make_checkpoint(path: Path) -> str:
    """Save a ~100 MB checkpoint with MindSpore; what it holds."""
    import mindspore as ms
    import numpy as np

    try:
        import mindcv

        network = mindcv.create_model("resnet50", pretrained=False)
        ms.save_checkpoint(network, str(path))
        return "mindcv resnet50 (save_checkpoint of the network)"
    except ImportError:
        rng = np.random.default_rng(0)
        sizes = np.geomspace(64, 2_000_000, 320).astype(int)
        sizes = (sizes * (25_500_000 / sizes.sum())).astype(int)
        params = [{"name": f"layer{i}.weight", "data": ms.Tensor(rng.standard_normal(n).astype(np.float32))}
                  for i, n in enumerate(sizes)]
        ms.save_checkpoint(params, str(path))
        return "320 synthetic float32 tensors"


def protobuf_reader() -> Callable[[Path], int]:
    """MindSpore's generated checkpoint_pb2 run on its own (it imports only google.protobuf)."""
    spec = importlib.util.find_spec("mindspore")
    assert spec is not None and spec.origin is not None
    module = runpy.run_path(str(Path(spec.origin).parent / "train" / "checkpoint_pb2.py"))
    checkpoint_class: Any = module["Checkpoint"]

    def parse(path: Path) -> int:
        message = checkpoint_class()
        message.ParseFromString(path.read_bytes())
        return len(message.value)

    return parse


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the checkpoint here and keep it")
    options = parser.parse_args()
    import mindspore as ms

    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "bench.ckpt"
        what = make_checkpoint(path)
        size = path.stat().st_size
        path.read_bytes()  # into the page cache
        parse = protobuf_reader()
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        methods: dict[str, Callable[[], object]] = {
            "read_checkpoint (light reader, in process)": lambda: read_checkpoint(path),
            "protobuf ParseFromString (in process)": lambda: parse(path),
            "mindspore.load_checkpoint (in process, imported)": lambda: ms.load_checkpoint(str(path)),
            "hub-plugin inspect FILE (fresh process)": lambda: subprocess.run(
                [sys.executable, "-m", "hub_plugin", "inspect", str(path)], check=True,
                stdout=subprocess.DEVNULL, env=environment),
            "python -c 'read_checkpoint(FILE)' (fresh process, no CLI)": lambda: subprocess.run(
                [sys.executable, "-c", "from hub_plugin.checkpoints.reader import read_checkpoint; "
                 f"read_checkpoint({str(path)!r})"], check=True, env=environment),
            "hub-plugin --version (fresh process: the CLI's start-up)": lambda: subprocess.run(
                [sys.executable, "-m", "hub_plugin", "--version"], check=True, stdout=subprocess.DEVNULL,
                env=environment),
            "python -c 'import mindspore; load_checkpoint' (fresh process)": lambda: subprocess.run(
                [sys.executable, "-c", f"import mindspore; mindspore.load_checkpoint({str(path)!r})"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment),
        }
        times: dict[str, list[float]] = {name: [] for name in methods}
        names = list(methods)
        for round_ in range(options.runs):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                times[name].append(timed(methods[name]))
        tensors = len(read_checkpoint(path).tensors)
    print(f"checkpoint: {what}: {tensors} tensors, {size / 1e6:.1f} MB; median of {options.runs} runs")
    medians = {name: statistics.median(values) for name, values in times.items()}
    print("| what | median | load_checkpoint / this |")
    print("| --- | --- | --- |")
    pairs = {name: names[2] for name in names[:3]} | {name: names[-1] for name in names[3:]}
    for name, median in medians.items():
        print(f"| {name} | {median * 1000:.1f} ms | {medians[pairs[name]] / median:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
