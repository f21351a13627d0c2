"""SimCLR pre-training on the CPU within a time budget: kNN and linear-probe accuracy against the
same network at random initialisation, and the training throughput.

Usage (the full run; about 30 minutes of pre-training plus the evaluations)::

    .venv/bin/python bench/bench_simclr_pretrain.py --minutes 30

A smoke run of the same code path (a minute of training, evaluation on subsets)::

    .venv/bin/python bench/bench_simclr_pretrain.py --minutes 1 --eval-train 2000 --eval-test 1000 \\
        --probe-epochs 5

Method:

1. ``../shared/data/cifar10-jpeg.tar.gz`` is unpacked once into ``--work`` (never into the
   repository) and read into memory.
2. The network (``simclr``, ResNet-18 at ``--width``, CIFAR stem) is built with a fixed seed; the
   *same* initial weights are evaluated as the random-initialisation baseline.
3. The number of steps that fits the budget is estimated from a short timing of the compiled
   training step; ``hub-plugin``'s own pre-training loop (``hubconf.train``, graph mode) then runs
   the official recipe (Adam, weight decay 3e-4 except BatchNorm and biases, warm-up then linear
   decay, NT-Xent at temperature 0.5, the official augmentation) with two changes for a short
   run: a higher learning rate (``--learning-rate``) and a warm-up of ``--warmup-epochs``.
4. Both encoders are measured the same way: features of every training and test image without
   augmentation; weighted kNN (k=200, T=0.1) on L2-normalised features, train set as the bank; a
   linear classifier trained on the frozen features with Adam (``--probe-epochs``, the official
   warm-up and decay), top-1 and top-5 over every test image.

Prints a Markdown table and writes ``results.json`` into ``--work``.
"""

from __future__ import annotations

import argparse
import json
import tarfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from needs import require

REPOSITORY = Path(__file__).resolve().parents[1]
ARCHIVE = REPOSITORY.parent / "shared" / "data" / "cifar10-jpeg.tar.gz"


def unpack(archive: Path, work: Path) -> Path:
    """The folder holding ``train/`` and ``test/``, unpacked from ``archive`` once."""
    target = work / "cifar10-jpeg"
    done = target / ".unpacked"
    if not done.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        done.touch()
    for candidate in (target, *sorted(p for p in target.iterdir() if p.is_dir())):
        if (candidate / "train").is_dir() and (candidate / "test").is_dir():
            return candidate
    raise SystemExit(f"no train/ and test/ folders in {target}")


def step_seconds(config: Any, repeats: int = 3) -> float:
    """Median seconds of one compiled training step at the config's width and batch."""
    import mindspore
    from hub_plugin_models.simclr.networks.loss import NTXentLoss
    from hub_plugin_models.simclr.networks.network import SimCLRWithLoss
    from hub_plugin_models.simclr.pretraining.optim import build_optimizer
    from hub_plugin_models.simclr.pretraining.training import build_network

    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    network = build_network(config)
    cell = mindspore.nn.TrainOneStepCell(
        SimCLRWithLoss(network, NTXentLoss(config.temperature)),
        build_optimizer(network, config, np.full(repeats + 1, 1e-6, np.float32)),
    )
    cell.set_train(True)
    views = mindspore.Tensor(np.random.default_rng(0).uniform(0, 255, (config.batch_size, 3, 32, 32))
                             .astype(np.float32))
    cell(views, views).asnumpy()  # compile
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        cell(views, views).asnumpy()
        times.append(time.perf_counter() - began)
    return float(np.median(times))


def measure(encoder: Any, train: Any, test: Any, eval_config: Any) -> dict[str, float]:
    """kNN and linear-probe accuracy of ``encoder`` on the in-memory splits."""
    import mindspore
    from hub_plugin_models.simclr.evaluation.features import extract_features
    from hub_plugin_models.simclr.evaluation.knn import knn_accuracy
    from hub_plugin_models.simclr.evaluation.linear_eval import topk_accuracy, train_linear_classifier

    began = time.perf_counter()
    train_features = extract_features(encoder, train.images, data_workers=2)
    test_features = extract_features(encoder, test.images, data_workers=2)
    extracted = time.perf_counter() - began
    knn = knn_accuracy(test_features, test.labels, train_features, train.labels, 10)
    began = time.perf_counter()
    classifier = train_linear_classifier(train_features, train.labels, eval_config)
    logits = classifier(mindspore.Tensor(test_features)).asnumpy()
    return {
        "knn_top1": knn.top1,
        "linear_top1": topk_accuracy(logits, test.labels, 1),
        "linear_top5": topk_accuracy(logits, test.labels, 5),
        "feature_seconds": extracted,
        "probe_seconds": time.perf_counter() - began,
        "features_per_second": (len(train.images) + len(test.images)) / extracted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="pre-training budget")
    parser.add_argument("--width", type=float, default=0.25, help="ResNet-18 width multiplier")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, nargs=3, default=(1e-4, 1e-3, 1e-6),
                        metavar=("START", "PEAK", "END"))
    parser.add_argument("--warmup-epochs", type=float, default=0.5)
    parser.add_argument("--probe-epochs", type=int, default=100)
    parser.add_argument("--eval-train", type=int, default=0, help="bank/probe images (0: all 50,000)")
    parser.add_argument("--eval-test", type=int, default=0, help="test images (0: all 10,000)")
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-plugin-simclr-bench"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    require(args.archive, "CIFAR-10 as JPEG (cifar10-jpeg.tar.gz)", "--archive FILE")

    import mindspore

    from hub_plugin.packages.hubconf_import import import_package

    import_package(REPOSITORY / "models" / "simclr")
    from hub_plugin_models.simclr.cpu import use_fast_cpu_convolutions

    use_fast_cpu_convolutions()  # before MindSpore's first convolution (see models/simclr/cpu.py)
    from hub_plugin_models.simclr import config as cfg
    from hub_plugin_models.simclr import hubconf
    from hub_plugin_models.simclr.data.image_arrays import load_split
    from hub_plugin_models.simclr.networks.checkpoint import load_checkpoint
    from hub_plugin_models.simclr.pretraining.checkpoint_store import STATE_KEY
    from hub_plugin_models.simclr.pretraining.training import build_network

    mindspore.set_device("CPU")
    args.work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    data = unpack(args.archive, args.work)
    train = load_split(data, "train", data_workers=2)
    test = load_split(data, "test", data_workers=2)
    print(f"data: {len(train)} train, {len(test)} test images from {data} "
          f"({time.perf_counter() - began:.1f} s)", flush=True)
    eval_train = train.subset(args.eval_train, seed=1)
    eval_test = test.subset(args.eval_test, seed=2)

    run = args.work / "run"
    overrides: dict[str, Any] = {
        "data": str(data), "output": str(run), "backbone": "resnet18", "width_multiplier": args.width,
        "batch_size": args.batch_size, "learning_rate": list(args.learning_rate),
        "warmup_epochs": args.warmup_epochs, "seed": args.seed, "checkpoint_every": 200,
        "log_every": 20, "data_workers": 2, "steps": 1,
    }
    config = cfg.build(cfg.TrainConfig, overrides)
    probe = replace(cfg.build(cfg.EvalConfig, {"data": str(data), "encoder": "-"}), epochs=args.probe_epochs)

    seconds = step_seconds(config)
    steps = max(1, int(args.minutes * 60 / seconds))
    print(f"one training step of {args.batch_size} images: {seconds:.2f} s -> {steps} steps "
          f"({steps * args.batch_size / len(train):.2f} epochs) in {args.minutes:g} min", flush=True)

    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    mindspore.set_seed(args.seed)
    initial = build_network(config)  # the same weights pretrain starts from (same seed)
    baseline = measure(initial.encoder, eval_train, eval_test, probe)
    print(f"random initialisation: {baseline}", flush=True)

    if run.exists():
        import shutil

        shutil.rmtree(run)
    began = time.perf_counter()
    result = hubconf.train({**overrides, "steps": steps})
    train_seconds = time.perf_counter() - began
    trained = build_network(config)
    load_checkpoint(trained, str(result.checkpoint), ignore=(STATE_KEY,))
    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    after = measure(trained.encoder, eval_train, eval_test, probe)
    print(f"after pre-training: {after}", flush=True)

    report = {
        "width": args.width, "batch_size": args.batch_size, "steps": result.steps,
        "epochs": result.steps * args.batch_size / len(train), "train_seconds": train_seconds,
        "images_per_second": result.images_per_second, "views_per_second": 2 * result.images_per_second,
        "final_loss": result.final_loss, "eval_train_images": len(eval_train.labels),
        "eval_test_images": len(eval_test.labels), "probe_epochs": args.probe_epochs,
        "random_init": baseline, "pretrained": after,
    }
    (args.work / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(f"ResNet-18 x{args.width}, batch {args.batch_size}, {result.steps} steps "
          f"({report['epochs']:.2f} epochs) in {train_seconds / 60:.1f} min, "
          f"{result.images_per_second:.1f} images/s ({2 * result.images_per_second:.1f} views/s), "
          f"final loss {result.final_loss:.3f}")
    print(f"evaluated on {len(eval_train.labels)} train / {len(eval_test.labels)} test images, "
          f"linear probe {args.probe_epochs} epochs")
    print()
    print("| encoder | kNN top-1 | linear top-1 | linear top-5 |")
    print("| --- | --- | --- | --- |")
    for name, row in (("random initialisation", baseline), ("SimCLR pre-trained", after)):
        print(f"| {name} | {row['knn_top1']:.2f}% | {row['linear_top1']:.2f}% | {row['linear_top5']:.2f}% |")


if __name__ == "__main__":
    main()
