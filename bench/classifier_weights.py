"""Weights that classify, for the inference bench: a short supervised training run on CIFAR-10.

The INT8 accuracy gate compares the quantized file's top class with the float file's. On untrained
weights most images sit within one quantization step of a tie, so the agreement measures the
weights, not the quantization (``bench/README.md``, issue 22). This script trains the
``simclr_classifier`` network (the package's encoder as ``create_network("simclr")`` builds it, plus
the linear head) end to end with cross-entropy on the 50,000 CIFAR-10 train JPEGs of
``../shared/data/cifar10-jpeg.tar.gz``, in MindSpore 2.10 graph mode on the CPU, and saves its two
checkpoints in the official layouts, which ``bench_inference.py --weights DIR`` then measures:

- ``{backbone}-encoder.ckpt``: the SimCLR network (encoder plus its projection head, the head left as
  initialised: only the encoder is trained), as the hub's ``simclr_encoder_cifar10`` asset;
- ``{backbone}-head.ckpt``: ``model.weight`` and ``model.bias``, as ``simclr_linearclassifier_cifar10``.

Not SimCLR's contrastive pre-training: the paper runs hundreds of epochs for CIFAR-10, and on these
2 cores a full-width SimCLR step consumes about 32 views/s (``bench/README.md``, "SimCLR training
step"), some 50 minutes an epoch, so a short run's features would hardly separate the classes. A
supervised run gives weights that classify (as issue 22 allows) in minutes, by this recipe:

- progressive resizing (as in fast.ai's DAWNBench CIFAR-10 entry, Howard 2018): the first
  ``--low-steps`` steps on 16x16 images (each augmented 32x32 image averaged over 2x2 pixels: a
  quarter of the arithmetic), then ``--full-steps`` at 32x32, the size the exports run at, which
  also re-estimates BatchNorm's statistics at that size;
- augmentation: a random 32x32 crop of the image padded by 4 pixels (reflected) and a random
  horizontal flip (He et al. 2016, arXiv 1512.03385, section 4.2);
- inputs in [0, 1] while training (pixels / 255), the scale SGD's step sizes suit; the package's
  official preset feeds the raw 0-255 pixels, so before saving the first convolution's weights are
  divided by 255 (:func:`fold_pixel_scale`: the convolution is linear and bias-free, so the saved
  network computes the same function of the preset's input), and the test accuracy is measured on
  the preset's input through the saved network;
- SGD with Nesterov momentum 0.9, weight decay 5e-4, batch 128, the learning rate rising linearly to
  ``--lr`` over the first 15 % of the steps and falling linearly to 0 (a one-cycle schedule, Smith
  and Topin 2017, arXiv 1708.07120).

The test accuracy on ``--test-images`` test JPEGs (the first of each class, the set the inference
bench checks on) is printed and written to ``{backbone}-weights.json`` beside the checkpoints.
Usage::

    .venv/bin/python bench/classifier_weights.py --backbone resnet18 --out /tmp/simclr-weights
    .venv/bin/python bench/bench_inference.py --weights /tmp/simclr-weights
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from needs import require

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data" / "cifar10-jpeg.tar.gz"
BATCH = 128
WARMUP = 0.15


def split_members(tar: tarfile.TarFile, split: str, per_class: int | None = None) -> list[tarfile.TarInfo]:
    """The files ``<split>/<class>/NNNN.jpg`` of ``tar``, the first ``per_class`` of each class."""
    members = []
    for member in tar:
        parts = member.name.split("/")
        if len(parts) == 3 and parts[0] == split and member.isfile() and (
                per_class is None or int(parts[2][:4]) < per_class):
            members.append(member)
    return members


def read_split(archive: Path, split: str, per_class: int | None = None) -> tuple[Any, Any]:
    """The ``split`` JPEGs of ``archive`` (``<split>/<class>/NNNN.jpg``) as N x 32 x 32 x 3 uint8
    and their labels (class folders in sorted order), the first ``per_class`` of each class."""
    import numpy as np
    from PIL import Image

    found: list[tuple[str, int, Any]] = []
    with tarfile.open(archive) as tar:
        for member in split_members(tar, split, per_class):
            parts = member.name.split("/")
            handle = tar.extractfile(member)
            assert handle is not None
            with Image.open(io.BytesIO(handle.read())) as image:
                found.append((parts[1], int(parts[2][:4]), np.asarray(image.convert("RGB"))))
    if not found:
        raise ValueError(f"{archive}: no {split}/<class>/NNNN.jpg in it")
    classes = sorted({name for name, _, _ in found})
    found.sort(key=lambda item: (item[0], item[1]))
    images = np.stack([pixels for _, _, pixels in found])
    labels = np.array([classes.index(name) for name, _, _ in found], np.int32)
    return images, labels


TRAINING_PIXEL_SCALE = 1.0 / 255.0


def augmented(images: Any, rng: Any, size: int) -> Any:
    """A batch of network inputs (N, 3, size, size) float32: random crop of the 4-pixel reflected
    padding, random horizontal flip, pixels / 255 (the official preset), then 2x2 averaging to 16."""
    import numpy as np

    count = len(images)
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)), mode="reflect")
    rows, columns = rng.integers(0, 9, count), rng.integers(0, 9, count)
    crops = np.stack([padded[i, r : r + 32, c : c + 32]
                      for i, (r, c) in enumerate(zip(rows, columns, strict=True))])
    flips = rng.random(count) < 0.5
    crops[flips] = crops[flips, :, ::-1]
    batch = crops.transpose(0, 3, 1, 2).astype(np.float32) * np.float32(TRAINING_PIXEL_SCALE)
    if size == 16:
        batch = batch.reshape(count, 3, 16, 2, 16, 2).mean(axis=(3, 5))
    return np.ascontiguousarray(batch)


def learning_rates(steps: int, peak: float) -> list[float]:
    """The one-cycle schedule: linear from ``peak / 25`` to ``peak`` over the warm-up, then to 0."""
    rise = max(1, int(steps * WARMUP))
    start = peak / 25
    up = [start + (peak - start) * step / rise for step in range(rise)]
    down = [peak * (1 - step / (steps - rise)) for step in range(steps - rise)]
    return up + down


def fold_pixel_scale(encoder: Any, factor: float) -> None:
    """Multiply the stem convolution's weights by ``factor``: a network trained on pixels times
    ``s`` then computes the same function of pixels times ``s / factor`` (the convolution is
    bias-free and linear; everything after it sees the same values)."""
    import mindspore
    import numpy as np

    weight = encoder.conv1.weight
    weight.set_data(mindspore.Tensor((weight.asnumpy() * factor).astype(np.float32)))


def evaluate(classifier: Any, images: Any, labels: Any, pixel_scale: float) -> tuple[float, float]:
    """Top-1 accuracy and the median top-1 minus top-2 logit margin on ``images`` (N x 32 x 32 x 3
    uint8) fed as pixels times ``pixel_scale``, in batches of 100, inference mode."""
    import mindspore
    import numpy as np

    classifier.set_train(False)
    inputs = images.transpose(0, 3, 1, 2).astype(np.float32) * np.float32(pixel_scale)
    logits = np.concatenate([classifier(mindspore.Tensor(inputs[i : i + 100])).asnumpy()
                             for i in range(0, len(inputs), 100)])
    ranked = np.sort(logits, axis=1)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
    return accuracy, float(np.median(ranked[:, -1] - ranked[:, -2]))


def save(pretraining: Any, classifier: Any, out: Path, backbone: str) -> None:
    """The two checkpoints in the official layouts (see the module docstring)."""
    import mindspore

    out.mkdir(parents=True, exist_ok=True)
    mindspore.save_checkpoint(pretraining, str(out / f"{backbone}-encoder.ckpt"))
    head = [{"name": name, "data": parameter} for name, parameter in
            (("model.weight", classifier.model.weight), ("model.bias", classifier.model.bias))]
    mindspore.save_checkpoint(head, str(out / f"{backbone}-head.ckpt"))


def train(args: argparse.Namespace) -> dict[str, Any]:
    import mindspore
    import numpy as np
    from mindspore import nn

    from hub_plugin.packages.hubconf_import import import_package

    import_package(REPOSITORY / "models" / "simclr")
    from hub_plugin_models.simclr import hubconf
    from hub_plugin_models.simclr.data.presets import preset
    from hub_plugin_models.simclr.networks.network import SimCLRClassifier

    mindspore.set_device("CPU")
    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    mindspore.set_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    images, labels = read_split(args.data, "train")
    test_images, test_labels = read_split(args.data, "test", per_class=args.test_images // 10)
    print(f"read {len(images)} train and {len(test_images)} test JPEGs in "
          f"{time.perf_counter() - start:.0f} s", flush=True)

    pretraining = hubconf.create_network("simclr", backbone=args.backbone, width_multiplier=args.width)
    classifier = SimCLRClassifier(pretraining.encoder)
    steps = args.low_steps + args.full_steps
    decayed = [p for p in classifier.trainable_params() if p.name.endswith("weight")]
    others = [p for p in classifier.trainable_params() if not p.name.endswith("weight")]
    optimizer = nn.Momentum(
        [{"params": decayed, "weight_decay": 5e-4}, {"params": others, "weight_decay": 0.0}],
        learning_rate=learning_rates(steps, args.lr), momentum=0.9, use_nesterov=True,
    )
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    step_cell = nn.TrainOneStepCell(nn.WithLossCell(classifier, loss), optimizer)
    step_cell.set_train(True)
    order = rng.permutation(len(images))
    position, losses, log = 0, [], []
    start = time.perf_counter()
    for step in range(steps):
        if position + BATCH > len(order):
            order, position = rng.permutation(len(images)), 0
        chosen = order[position : position + BATCH]
        position += BATCH
        size = 16 if step < args.low_steps else 32
        value = step_cell(mindspore.Tensor(augmented(images[chosen], rng, size)),
                          mindspore.Tensor(labels[chosen]))
        losses.append(float(value.asnumpy()))
        if (step + 1) % 20 == 0 or step + 1 == steps:
            line = (f"step {step + 1}/{steps} at {size}x{size}: loss {np.mean(losses[-20:]):.3f}, "
                    f"{time.perf_counter() - start:.0f} s")
            print(line, flush=True)
            log.append(line)
    seconds = time.perf_counter() - start

    pixel_scale = preset("official").pixel_scale
    fold_pixel_scale(pretraining.encoder, TRAINING_PIXEL_SCALE / pixel_scale)
    accuracy, margin = evaluate(classifier, test_images, test_labels, pixel_scale)
    save(pretraining, classifier, args.out, args.backbone)
    result = {
        "backbone": args.backbone, "width_multiplier": args.width, "seed": args.seed,
        "recipe": (f"supervised, {args.low_steps} steps at 16x16 then {args.full_steps} at 32x32, "
                   f"batch {BATCH}, SGD Nesterov 0.9, one-cycle peak {args.lr}, weight decay 5e-4"),
        "train_images_seen": steps * BATCH, "train_seconds": round(seconds, 1),
        "test_images": len(test_labels), "test_top1": accuracy,
        "median_top1_top2_margin": margin, "input_pixel_scale": pixel_scale,
        "log": log,
    }
    (args.out / f"{args.backbone}-weights.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.backbone}: test top-1 {accuracy:.1%} on {len(test_labels)} test JPEGs, "
          f"median top-1 margin {result['median_top1_top2_margin']:.3f}, trained {seconds:.0f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cifar10-jpeg.tar.gz")
    parser.add_argument("--out", type=Path, required=True, help="folder for the checkpoints")
    parser.add_argument("--backbone", default="resnet18", choices=("resnet18", "resnet34", "resnet50"))
    parser.add_argument("--width", type=float, default=1.0, help="the encoder's width multiplier")
    parser.add_argument("--low-steps", type=int, default=300, help="steps at 16x16")
    parser.add_argument("--full-steps", type=int, default=60, help="steps at 32x32")
    parser.add_argument("--lr", type=float, default=0.2, help="the schedule's peak learning rate")
    parser.add_argument("--test-images", type=int, default=1000, help="test JPEGs to score on")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    require(args.data, "CIFAR-10 as JPEG (cifar10-jpeg.tar.gz)", "--data")
    os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")  # see models/simclr/cpu.py
    os.environ.setdefault("GLOG_v", "3")
    train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
