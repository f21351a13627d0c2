"""SimCLR training-step throughput on the CPU: MindSpore (models/simclr) against the same network in PyTorch.

Measures, in one run, each configuration in a fresh process:

- MindSpore: ``TrainOneStepCell(SimCLRWithLoss(simclr, NTXentLoss()), Adam)``, graph mode (and
  PyNative with ``--pynative``), with oneDNN capped at AVX2 (see ``MINDSPORE_CPU``; a single
  convolution is timed with and without the cap to show why);
- PyTorch (``bench/simclr_torch_peer.py``, torch 2.13 CPU): eager, default memory format and
  channels_last, each also with glibc's allocator tuned (``MALLOC_MMAP_THRESHOLD_``,
  ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``), so that PyTorch is compared at its best;
- the augmentation pipeline (``cifar10`` + ``SimCLRTransform("official")``, batch 128) on the JPEG
  copy of CIFAR-10, in images per second, against the images per second the training step consumes.

Figures: views per second (a batch of 128 images is 256 views), from the median step time of
``--steps`` steps (half as many, at least 3, for ResNet-50) after ``--warmup`` steps (the first
includes graph compilation). Synthetic inputs
for the step (the data pipeline is measured on its own). Usage::

    .venv/bin/python bench/bench_simclr_train.py                       # resnet18 and resnet50
    .venv/bin/python bench/bench_simclr_train.py --backbones resnet18 --steps 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data" / "cifar10-jpeg.tar.gz"

# MindSpore 2.10's CPU Conv2D hands oneDNN 3.10 plain NCHW tensors; on an AVX-512 machine oneDNN
# then picks its "jit_uni_ncsp" convolution, which runs at well under 1 GFLOP/s here (a 64->64 3x3
# convolution of a 32x64x32x32 batch takes 4-6 s). Capped at AVX2, oneDNN picks im2col + its JIT
# sgemm ("gemm:jit") instead: about 90 times faster. The cap must be in the environment before
# MindSpore runs its first convolution.
MINDSPORE_CPU = {"ONEDNN_MAX_CPU_ISA": "AVX2"}

# glibc: keep freed memory in the heap instead of unmapping and re-mapping it every step.
TUNED_MALLOC = {
    "MALLOC_MMAP_THRESHOLD_": str(32 * 1024 * 1024),
    "MALLOC_TRIM_THRESHOLD_": str(16 * 1024**3),
    "MALLOC_TOP_PAD_": str(1024**3),
}


# --- the measurements, each run in a child process ----------------------------------------------


def _timed_steps(step: Any, steps: int, warmup: int) -> dict[str, float]:
    times = []
    for _ in range(warmup + steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return {"first_step_s": times[0], "median_step_s": statistics.median(times[warmup:])}


def measure_mindspore(backbone: str, batch: int, steps: int, warmup: int, mode: str) -> dict[str, Any]:
    import mindspore
    import numpy as np
    from mindspore import nn

    from hub_plugin.packages.hubconf_import import import_hubconf

    mindspore.set_device("CPU")
    mindspore.set_context(mode=mindspore.GRAPH_MODE if mode == "graph" else mindspore.PYNATIVE_MODE)
    hubconf = import_hubconf(REPOSITORY / "models" / "simclr")
    from hub_plugin_models.simclr.networks.loss import NTXentLoss
    from hub_plugin_models.simclr.networks.network import SimCLRWithLoss

    network = hubconf.create_network("simclr", backbone=backbone)
    optimizer = nn.Adam(network.trainable_params(), learning_rate=1e-4)
    train = nn.TrainOneStepCell(SimCLRWithLoss(network, NTXentLoss()), optimizer)
    train.set_train(True)
    rng = np.random.default_rng(0)
    view1 = mindspore.Tensor(rng.uniform(0, 255, (batch, 3, 32, 32)).astype(np.float32))
    view2 = mindspore.Tensor(rng.uniform(0, 255, (batch, 3, 32, 32)).astype(np.float32))
    result = _timed_steps(lambda: train(view1, view2).asnumpy(), steps, warmup)
    return {**result, "framework": f"MindSpore {mindspore.__version__} {mode}"}


def measure_torch(backbone: str, batch: int, steps: int, warmup: int, channels_last: bool) -> dict[str, Any]:
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from simclr_torch_peer import SimCLRPeer, nt_xent

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    network = SimCLRPeer(backbone)
    view1 = torch.rand(batch, 3, 32, 32) * 255
    view2 = torch.rand(batch, 3, 32, 32) * 255
    if channels_last:
        network = network.to(memory_format=torch.channels_last)
        view1 = view1.contiguous(memory_format=torch.channels_last)
        view2 = view2.contiguous(memory_format=torch.channels_last)
    network.train()
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-4)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        z = network(torch.cat((view1, view2)))
        loss = nt_xent(z[:batch], z[batch:])
        loss.backward()
        optimizer.step()
        loss.item()

    result = _timed_steps(step, steps, warmup)
    layout = "channels_last" if channels_last else "default"
    return {**result, "framework": f"PyTorch {torch.__version__} eager {layout}"}


def measure_convolution(batch: int) -> dict[str, Any]:
    """One 64->64 3x3 convolution (forward, training mode) of a batch x 64 x 32 x 32 tensor."""
    import mindspore
    import numpy as np
    from mindspore import nn

    mindspore.set_device("CPU")
    mindspore.set_context(mode=mindspore.PYNATIVE_MODE)
    conv = nn.Conv2d(64, 64, 3, pad_mode="same")
    x = mindspore.Tensor(np.random.default_rng(0).normal(size=(batch, 64, 32, 32)).astype(np.float32))
    result = _timed_steps(lambda: conv(x).asnumpy(), 3, 1)
    return {**result, "isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "default")}


def measure_pipeline(data: Path, batch: int, batches: int, workers: int, preset: str) -> dict[str, Any]:
    import mindspore.dataset as ds

    from hub_plugin.packages.hubconf_import import import_package

    import_package(REPOSITORY / "models" / "simclr")
    from hub_plugin_models.simclr.data.datasets import cifar10
    from hub_plugin_models.simclr.data.transforms import SimCLRTransform

    ds.config.set_prefetch_size(4)
    pipeline = cifar10(data, "train", shuffle=True, num_parallel_workers=workers)
    pipeline = SimCLRTransform(preset).apply(pipeline, num_parallel_workers=workers)
    pipeline = pipeline.batch(batch, drop_remainder=True, num_parallel_workers=workers)
    iterator = pipeline.create_tuple_iterator(output_numpy=True, num_epochs=1)
    next(iterator)  # start-up: reading the file list, filling the queues
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    elapsed = time.perf_counter() - start
    return {"images_per_s": batches * batch / elapsed, "workers": workers, "preset": preset}


# --- the orchestration ---------------------------------------------------------------------------


def _child(arguments: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", *arguments]
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPOSITORY), environment.get("PYTHONPATH")])
    )
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    last = completed.stdout.strip().splitlines()[-1]
    result: dict[str, Any] = json.loads(last)
    return result


def _unpack(archive: Path, into: Path) -> Path:
    marker = into / ".unpacked"
    if not marker.exists():
        into.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
        marker.write_text(str(archive))
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", default="resnet18,resnet50")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pynative", action="store_true", help="also MindSpore PyNative")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--unpack-to", type=Path, default=Path("/tmp/hub-plugin-bench/cifar10-jpeg"))
    parser.add_argument("--pipeline-batches", type=int, default=20)
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        if kind == "mindspore":
            backbone, batch, steps, warmup, mode = rest
            result = measure_mindspore(backbone, int(batch), int(steps), int(warmup), mode)
        elif kind == "conv":
            result = measure_convolution(int(rest[0]))
        elif kind == "torch":
            backbone, batch, steps, warmup, layout = rest
            result = measure_torch(backbone, int(batch), int(steps), int(warmup), layout == "channels_last")
        else:
            data, batch, batches, workers, preset = rest
            result = measure_pipeline(Path(data), int(batch), int(batches), int(workers), preset)
        print(json.dumps(result))
        return 0

    print(f"# SimCLR training step, batch {args.batch_size} ({2 * args.batch_size} views), CPU")
    print(
        f"# machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start"
    )
    for env, label in ((None, "oneDNN default ISA"), (MINDSPORE_CPU, "ONEDNN_MAX_CPU_ISA=AVX2")):
        result = _child(["conv", "32"], env)
        print(
            f"conv      MindSpore Conv2d 64->64 3x3, batch 32x64x32x32, {label}: "
            f"{1000 * result['median_step_s']:8.1f} ms",
            flush=True,
        )
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for backbone in args.backbones.split(","):
        steps = args.steps if backbone != "resnet50" else max(3, args.steps // 2)
        common = [str(args.batch_size), str(steps), str(args.warmup)]
        tuned = {**MINDSPORE_CPU, **TUNED_MALLOC}
        configurations: list[tuple[list[str], dict[str, str] | None, str]] = [
            (["mindspore", backbone, *common, "graph"], MINDSPORE_CPU, " (ISA AVX2)"),
            (["mindspore", backbone, *common, "graph"], tuned, " (ISA AVX2) + malloc tuned"),
        ]
        if args.pynative:
            configurations.append(
                (["mindspore", backbone, *common, "pynative"], MINDSPORE_CPU, " (ISA AVX2)")
            )
        if not args.skip_torch:
            for layout in ("default", "channels_last"):
                configurations.append((["torch", backbone, *common, layout], None, ""))
                configurations.append((["torch", backbone, *common, layout], TUNED_MALLOC, " + malloc tuned"))
        for arguments, env, note in configurations:
            result = _child(arguments, env)
            views = 2 * args.batch_size / result["median_step_s"]
            result["views_per_s"] = views
            rows.append((backbone, result["framework"] + note, result))
            print(
                f"{backbone:9s} {result['framework'] + note:55s} {views:7.1f} views/s  "
                f"(median step {result['median_step_s']:.2f} s, first {result['first_step_s']:.1f} s)",
                flush=True,
            )

    if not args.data.exists():
        print(f"input pipeline: skipped, it needs CIFAR-10 as JPEG at {args.data} (--data PATH)")
    else:
        root = _unpack(args.data, args.unpack_to)
        consumed = max(row[2]["views_per_s"] for row in rows) / 2 if rows else 0.0
        for workers in (1, 2):
            result = _child(
                [
                    "pipeline",
                    str(root),
                    str(args.batch_size),
                    str(args.pipeline_batches),
                    str(workers),
                    "official",
                ]
            )
            print(
                f"pipeline  official preset, {workers} worker(s): {result['images_per_s']:7.1f} images/s "
                f"(the fastest training step above consumes {consumed:.1f} images/s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
