"""SimCLR classifier inference on the CPU: MindSpore, its MINDIR and ONNX exports, and PyTorch.

Measures, in one run, the ``simclr_classifier`` network (ResNet encoder with the CIFAR stem plus the
linear head; weights trained or not, see below, saved as checkpoints in the official layouts) at
batch 1 and batch 64:

- MindSpore 2.10 graph mode and PyNative, on the network (oneDNN capped at AVX2, as the package
  does on the CPU: see ``models/simclr/cpu.py``);
- the MINDIR export through ``mindspore.load`` + ``nn.GraphCell`` (exported for the batch measured);
- the ONNX export through ONNX Runtime (``hub_plugin.exports.exported_model.ExportedModel``): its
  default session options (what hub-plugin uses: one intra-op thread per core, spinning), one
  thread, and every core without spinning;
- the INT8 export (``export --quantize int8``: ONNX Runtime's static quantization, QDQ, per-channel
  int8 weights, calibrated on CIFAR-10 train JPEGs) through ONNX Runtime's defaults, with its
  accuracy gate's top-1 agreement against the float export on the CIFAR-10 test JPEGs;
- the PyTorch peer (``bench/simclr_torch_peer.py``, torch 2.13 CPU) under ``torch.inference_mode``,
  default memory format and channels_last; its better figure is "PyTorch best".

The weights: with ``--weights DIR``, the checkpoints ``bench/classifier_weights.py`` trained (a
short supervised run on the CIFAR-10 train JPEGs; see there) for each backbone it holds. Otherwise
(or for a backbone it lacks) untrained ones: the encoder as the package initialises it (seeded),
every BatchNorm's scale set to 1 and its statistics estimated on 1,000 CIFAR-10 train JPEGs (as a
trained network has them: each layer's activations normalised, every residual branch contributing),
the linear head a ridge-regression fit (one-hot targets) on that encoder's features of the same
JPEGs; without the archive, the head is random. The top-1 accuracy of the float and INT8 files on
the check images is printed, and where they disagree: the share of images whose float margin (top-1
minus top-2 logit) is under twice the INT8 file's typical logit change, with the agreement on those
and on the others (the agreement measures the weights' margins as much as the quantization).

Then ``hub-plugin predict simclr`` end to end (a fresh process: start-up, decoding, preprocessing,
inference, printing) over ``--images`` CIFAR-10 test JPEGs with the ResNet-50 classifier, with each
runtime: MindSpore on the checkpoints (today's default), ONNX Runtime on an ONNX export (batch 64),
on the INT8 export (batch 64), ONNX Runtime exporting on the fly, and MindSpore on a MINDIR export,
in ``--predict-rounds`` rounds (rotating order, the fastest of each kept); the top classes are compared.

Each framework runs in a child process of its own, and the children take turns: ``--rounds``
rounds, each starting every child once (MindSpore, ONNX Runtime, PyTorch, in an order rotating from
round to round), so that a change in the machine's load falls on every runtime alike. Figures:
images per second, the best over the rounds (methods of a child interleaved, ``--inner-rounds``
each), a measurement being 64 images at batch 64 and 16 calls at batch 1, after a warm-up
(compilation, first allocations). The CPU's integer instruction sets (avx2, avx512_vnni, avx_vnni
in ``/proc/cpuinfo``) are printed first: INT8 speed depends on them. Usage::

    .venv/bin/pip install torch==2.13.0 'numpy<2'     # the peer; not a dependency of hub-plugin
    .venv/bin/python bench/bench_inference.py                         # about 15 minutes on 2 cores
    .venv/bin/python bench/classifier_weights.py --out /tmp/simclr-weights   # 20 minutes
    .venv/bin/python bench/bench_inference.py --weights /tmp/simclr-weights
    .venv/bin/python bench/bench_inference.py --backbones resnet18 --images 200 --rounds 2
    .venv/bin/python bench/bench_inference.py --backbones "" --predict-rounds 3  # predict only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classifier_weights import split_members
from needs import require

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data" / "cifar10-jpeg.tar.gz"
MINDSPORE_CPU = {"ONEDNN_MAX_CPU_ISA": "AVX2"}
INT8 = "ONNX Runtime INT8 (export --quantize int8), defaults"
INTEGER_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
BATCHES = (1, 64)
CALLS_PER_ROUND = {1: 16, 64: 1}
FIT_IMAGES = 1000  # CIFAR-10 train JPEGs the linear head is fitted on
CHECK_IMAGES = 1000  # CIFAR-10 test JPEGs the INT8 agreement is measured on (batch 64 file)
BATCH1_CHECKS = 200  # of them for the batch-1 file (one call per image: the same quantization, slower)


# --- in the child processes ----------------------------------------------------------------------


def _package() -> Any:
    from hub_plugin.packages.hubconf_import import import_package

    import_package(REPOSITORY / "models" / "simclr")
    from hub_plugin_models.simclr import hubconf

    return hubconf


def _batches() -> dict[int, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    return {b: rng.uniform(0, 255, (b, 3, 32, 32)).astype(np.float32) for b in BATCHES}


Method = Callable[[Any], Any]


def _rates(methods: dict[str, Method], batches: dict[int, Any], rounds: int) -> dict[str, float]:
    """Best images/s of each method at each batch, methods interleaved round by round."""
    best: dict[str, float] = {}
    for batch, x in batches.items():
        for method in methods.values():
            method(x)  # warm-up: compilation, allocations
            method(x)
        for _ in range(rounds):
            for name, method in methods.items():
                calls = CALLS_PER_ROUND[batch]
                start = time.perf_counter()
                for _ in range(calls):
                    method(x)
                rate = calls * batch / (time.perf_counter() - start)
                key = f"{name}@{batch}"
                best[key] = max(best.get(key, 0.0), rate)
    return best


def _classifier(work: Path, backbone: str, width: float) -> Any:
    """The classifier filled from the checkpoints ``prepare`` saved, as ``predict`` builds it."""
    _package()
    from hub_plugin_models.simclr.config import PredictConfig
    from hub_plugin_models.simclr.evaluation.classifier import build_classifier

    config = PredictConfig(images=("-",), encoder=str(work / f"{backbone}-encoder.ckpt"),
                           classifier=str(work / f"{backbone}-head.ckpt"), backbone=backbone,
                           width_multiplier=width)
    return build_classifier(config)


def _ridge_head(features: Any, labels: Any, penalty: float = 1.0) -> tuple[Any, Any]:
    """A linear head fitted by ridge regression on one-hot targets: W = (F'F + aI)^-1 F'Y
    (features standardised first, the scaling folded back into W and b)."""
    import numpy as np

    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
    standard = (features - mean) / scale
    targets = np.eye(10)[labels] - 0.1
    gram = standard.T @ standard + penalty * len(labels) * np.eye(standard.shape[1])
    weight = np.linalg.solve(gram, standard.T @ targets).T / scale  # (10, features)
    return weight, -weight @ mean


def _batchnorm_statistics(network: Any, images: Any, batch: int = 64, momentum: float = 0.9) -> None:
    """Every BatchNorm's scale set to 1 (the package starts each residual branch's last one at 0)
    and its moving statistics estimated on ``images``, as a trained network has them: forward
    passes in training mode (no gradient), then the bias of the moving averages' zero and one
    starting values removed (moving = m^n init + (1 - m^n) mean of the batch statistics)."""
    import mindspore
    import numpy as np

    for parameter in network.get_parameters():
        if parameter.name.endswith("gamma"):
            parameter.set_data(mindspore.Tensor(np.ones(parameter.shape, np.float32)))
    network.set_train(True)
    steps = len(images) // batch
    for index in range(steps):
        network.features(mindspore.Tensor(images[index * batch : (index + 1) * batch]))
    network.set_train(False)
    kept = momentum**steps
    for parameter in network.get_parameters():
        if parameter.name.endswith(("moving_mean", "moving_variance")):
            start = 1.0 if parameter.name.endswith("moving_variance") else 0.0
            value = (parameter.asnumpy() - kept * start) / (1 - kept)
            parameter.set_data(mindspore.Tensor(value.astype(np.float32)))


def _fitted_weights(work: Path, backbone: str, width: float, hubconf: Any, result: dict[str, Any]) -> None:
    """Untrained weights that classify a little: the seeded encoder, its BatchNorm statistics
    estimated on the train JPEGs, a ridge head on its features (random without the JPEGs)."""
    import mindspore
    import numpy as np

    mindspore.set_seed(0)
    pretraining = hubconf.create_network("simclr", backbone=backbone, width_multiplier=width)
    pretraining.set_train(False)
    mindspore.save_checkpoint(pretraining, str(work / f"{backbone}-encoder.ckpt"))
    rng = np.random.default_rng(0)
    train = work / "train"
    if train.is_dir():
        images = hubconf.calibration_images("check", folder=train, count=FIT_IMAGES)
        labels = _labels(train, FIT_IMAGES)
        _batchnorm_statistics(pretraining, images)
        mindspore.save_checkpoint(pretraining, str(work / f"{backbone}-encoder.ckpt"))
        features = np.concatenate([pretraining.features(mindspore.Tensor(images[i : i + 100])).asnumpy()
                                   for i in range(0, len(images), 100)]).astype(np.float64)
        weight, bias = _ridge_head(features, labels)
        result["head"] = (f"untrained: ridge fit on {len(labels)} train JPEGs; encoder BatchNorm "
                          f"scales 1, statistics estimated on {len(images) // 64 * 64} of them")
    else:
        weight, bias = rng.normal(0, 0.05, (10, pretraining.num_features)), np.zeros(10)
        result["head"] = "untrained: random"
    head = {"model.weight": weight, "model.bias": bias}
    mindspore.save_checkpoint(
        [{"name": k, "data": mindspore.Tensor(v.astype(np.float32))} for k, v in head.items()],
        str(work / f"{backbone}-head.ckpt"),
    )


def child_prepare(work: Path, backbone: str, width: float, weights: Path | None = None) -> dict[str, Any]:
    """Checkpoints (official layouts), the MINDIR and ONNX exports per batch, and the INT8 ones.

    The checkpoints: the trained ones in ``weights`` (``classifier_weights.py``) where it holds this
    backbone's, else the seeded encoder with BatchNorm statistics and a ridge head (see above)."""
    from hub_plugin.exports.round_trip import export_checked

    hubconf = _package()
    result: dict[str, Any] = {}
    trained = [weights / f"{backbone}-{part}.ckpt" for part in ("encoder", "head")] if weights else []
    if weights and all(path.is_file() for path in trained):
        for path in trained:
            shutil.copyfile(path, work / path.name)
        record = weights / f"{backbone}-weights.json"
        recipe = json.loads(record.read_text())["recipe"] if record.is_file() else "no record"
        result["head"] = f"trained weights from {weights} ({recipe})"
    else:
        _fitted_weights(work, backbone, width, hubconf, result)
    network = _classifier(work, backbone, width)
    checks = {}
    for file_format in ("mindir", "onnx"):
        for batch in BATCHES:
            start = time.perf_counter()
            path = work / f"{backbone}-b{batch}.{file_format}"
            _, check = export_checked(network, (batch, 3, 32, 32), path, file_format)  # type: ignore[arg-type]
            assert check is not None
            checks[f"{file_format}@{batch}"] = {"max_rel": check.max_rel, "s": time.perf_counter() - start}
    result["checks"] = checks
    result["int8"] = _int8_exports(work, backbone, hubconf)
    return result


def _labels(folder: Path, count: int) -> Any:
    """The labels of the images ``calibration_images`` takes from ``folder`` (``<class>/`` names)."""
    import numpy as np

    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.jpg"))
    order = np.random.default_rng(0).permutation(len(files))[:count]
    classes = sorted({name.split("/")[0] for name in files})
    return np.array([classes.index(files[i].split("/")[0]) for i in order])


def _int8_exports(work: Path, backbone: str, hubconf: Any) -> dict[str, Any]:
    """The INT8 file of each float ONNX file, calibrated on train JPEGs (or the package's preset)
    and gated on the test JPEGs (or the preset's check images), as ``export --quantize int8``."""
    import numpy as np

    from hub_plugin.exports.calibration import ImageSet, calibration_sets
    from hub_plugin.exports.exported_model import ExportedModel
    from hub_plugin.exports.quantize import default_reduce_range, gate, quantize_int8
    from hub_plugin.exports.results import CALIBRATION_SIZE

    train, test = work / "train", work / "images" / "test"
    folders = (train, test) if train.is_dir() and test.is_dir() else (None, None)
    calibrating, checking = calibration_sets(
        hubconf, "simclr", (1, 3, 32, 32), calibration=folders[0], calibration_size=CALIBRATION_SIZE,
        check=folders[1], check_size=CHECK_IMAGES,
    )
    figures: dict[str, Any] = {}
    for batch in BATCHES:
        start = time.perf_counter()
        float_file = work / f"{backbone}-b{batch}.onnx"
        int8_file = quantize_int8(float_file, work / f"{backbone}-b{batch}.int8.onnx", calibrating)
        seconds = time.perf_counter() - start
        held = checking if batch > 1 else ImageSet(checking.images[:BATCH1_CHECKS], checking.source)
        check = gate(int8_file, float_file, calibrating, held, min_agreement=0.0,
                     reduce_range=default_reduce_range())
        figures[f"int8@{batch}"] = {**check.to_json(), "s": seconds}
    expected = ExportedModel.open(work / f"{backbone}-b64.onnx").run(checking.images)
    actual = ExportedModel.open(work / f"{backbone}-b64.int8.onnx").run(checking.images)
    figures["margins"] = _agreement_by_margin(expected, actual)
    if folders[1] is not None:
        labels = _labels(test, len(checking))
        figures["float top-1 accuracy"] = float(np.mean(np.argmax(expected, axis=1) == labels))
        figures["int8 top-1 accuracy"] = float(np.mean(np.argmax(actual, axis=1) == labels))
    return figures


def _agreement_by_margin(expected: Any, actual: Any) -> dict[str, float]:
    """Where the INT8 file disagrees: the float file's margin (top-1 minus top-2 logit) against the
    INT8 file's noise (an image's largest logit change). A top class can change only where the
    margin is below twice the change; ``near`` is the share of images whose margin is below twice
    the median change (within the noise of a tie), with the agreement on them and on the others."""
    import numpy as np

    ranked = np.sort(expected, axis=1)
    margin = ranked[:, -1] - ranked[:, -2]
    change = np.abs(actual - expected).max(axis=1)
    same = np.argmax(expected, axis=1) == np.argmax(actual, axis=1)
    near = margin < 2 * np.median(change)
    return {
        "median margin": float(np.median(margin)), "median change": float(np.median(change)),
        "logit spread": float(np.median(ranked[:, -1] - ranked[:, 0])),
        "near": float(np.mean(near)),
        "agreement near": float(np.mean(same[near])) if near.any() else float("nan"),
        "agreement elsewhere": float(np.mean(same[~near])) if (~near).any() else float("nan"),
    }


def child_mindspore(work: Path, backbone: str, width: float, rounds: int) -> dict[str, Any]:
    import mindspore
    from mindspore import nn

    mindspore.set_device("CPU")
    network = _classifier(work, backbone, width)
    cells = {b: nn.GraphCell(mindspore.load(str(work / f"{backbone}-b{b}.mindir"))) for b in BATCHES}

    def in_mode(mode: int) -> Method:
        def run(x: Any) -> Any:
            mindspore.set_context(mode=mode)
            return network(mindspore.Tensor(x)).asnumpy()

        return run

    def graph_cell(x: Any) -> Any:
        return cells[x.shape[0]](mindspore.Tensor(x)).asnumpy()

    methods = {"MindSpore graph mode": in_mode(mindspore.GRAPH_MODE),
               "MindSpore PyNative": in_mode(mindspore.PYNATIVE_MODE),
               "MINDIR through nn.GraphCell": graph_cell}
    return {"rates": _rates(methods, _batches(), rounds), "version": mindspore.__version__}


def child_onnxruntime(work: Path, backbone: str, rounds: int) -> dict[str, Any]:
    import onnxruntime

    from hub_plugin.exports.exported_model import ExportedModel

    cores = len(os.sched_getaffinity(0))
    settings = {
        "ONNX Runtime, defaults (hub-plugin's)": {},
        "ONNX Runtime, 1 thread": {"threads": 1},
        f"ONNX Runtime, {cores} threads, no spinning": {"threads": cores, "spin": False},
    }
    methods: dict[str, Method] = {}
    for name, options in settings.items():
        models = {b: ExportedModel.open(work / f"{backbone}-b{b}.onnx", **options) for b in BATCHES}
        methods[name] = lambda x, models=models: models[x.shape[0]].run(x)  # type: ignore[misc]
    int8 = {b: ExportedModel.open(work / f"{backbone}-b{b}.int8.onnx") for b in BATCHES}
    methods[INT8] = lambda x: int8[x.shape[0]].run(x)
    return {"rates": _rates(methods, _batches(), rounds), "version": onnxruntime.__version__}


def child_torch(backbone: str, width: float, rounds: int) -> dict[str, Any]:
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from simclr_torch_peer import SimCLRClassifierPeer

    if width != 1:
        raise SystemExit("the PyTorch peer has width 1 only")
    torch.manual_seed(0)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    plain = SimCLRClassifierPeer(backbone).eval()
    last = SimCLRClassifierPeer(backbone).eval().to(memory_format=torch.channels_last)

    def run(network: Any, channels_last: bool) -> Method:
        def call(x: Any) -> Any:
            with torch.inference_mode():
                tensor = torch.from_numpy(x)
                if channels_last:
                    tensor = tensor.contiguous(memory_format=torch.channels_last)
                return network(tensor).numpy()

        return call

    methods = {"PyTorch, default layout": run(plain, False), "PyTorch, channels_last": run(last, True)}
    return {"rates": _rates(methods, _batches(), rounds), "version": torch.__version__}


# --- the orchestration ---------------------------------------------------------------------------


def _child(arguments: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", *arguments]
    environment = {**os.environ, **(env or {})}
    paths = [str(REPOSITORY), environment.get("PYTHONPATH")]
    environment["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _images(archive: Path, into: Path, count: int, split: str = "test") -> list[str]:
    """``count`` CIFAR-10 ``split`` JPEGs, the same number from each class, unpacked under ``into``."""
    with tarfile.open(archive) as tar:
        wanted = split_members(tar, split, per_class=-(-count // 10))
        tar.extractall(into, members=wanted, filter="data")
    return sorted(str(into / m.name) for m in wanted)[:count]


def _predict(images: list[str], options: list[str], width: float) -> tuple[float, list[str]]:
    """Wall-clock seconds of ``hub-plugin predict simclr`` over ``images``, and the top classes."""
    command = [str(Path(sys.executable).with_name("hub-plugin")), "predict", "simclr", *images,
               "--format", "json", "--top-k", "1", "--width-multiplier", str(width), *options]
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"predict {' '.join(options)} failed:\n{completed.stderr[-2000:]}")
    answers = json.loads(completed.stdout)
    return seconds, [answer["top"][0]["class"] for answer in answers]


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _integer_flags() -> str:
    """The CPU's integer instruction sets that INT8 kernels use, as ``/proc/cpuinfo`` lists them."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        line = next(line for line in lines if line.startswith("flags"))
    except (OSError, StopIteration):
        return "unknown (no /proc/cpuinfo)"
    flags = set(line.split(":", 1)[1].split())
    return ", ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in INTEGER_FLAGS)


def _in_turns(args: argparse.Namespace, work: Path, backbone: str) -> dict[str, float]:
    """Every child's best rates over ``--rounds`` rounds, the children taking turns (rotating)."""
    width, inner = str(args.width), str(args.inner_rounds)
    children: list[tuple[list[str], dict[str, str] | None]] = [
        (["mindspore", str(work), backbone, width, inner], MINDSPORE_CPU),
        (["onnxruntime", str(work), backbone, inner], None),
    ]
    if not args.skip_torch:
        children.append((["torch", backbone, width, inner], None))
    best: dict[str, float] = {}
    for round_index in range(args.rounds):
        shift = round_index % len(children)
        for arguments, env in children[shift:] + children[:shift]:
            for key, rate in _child(arguments, env)["rates"].items():
                best[key] = max(best.get(key, 0.0), rate)
        print(f"  {backbone}: round {round_index + 1} of {args.rounds} done, load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    return best


def _speed(args: argparse.Namespace, work: Path) -> list[str]:
    verdicts = []
    for backbone in filter(None, args.backbones.split(",")):
        prepared = _child(["prepare", str(work), backbone, str(args.width), str(args.weights or "")],
                          MINDSPORE_CPU)
        checks, int8 = prepared["checks"], prepared["int8"]
        worst = max(c["max_rel"] for c in checks.values())
        print(f"\n{backbone}: exports checked (largest relative difference {worst:.2g}); "
              f"export seconds: " + ", ".join(f"{k} {v['s']:.1f}" for k, v in checks.items()), flush=True)
        print(f"{backbone}: weights: {prepared['head']}; top-1 accuracy on the check images: float "
              f"{int8.get('float top-1 accuracy', float('nan')):.1%}, INT8 (batch 64) "
              f"{int8.get('int8 top-1 accuracy', float('nan')):.1%}", flush=True)
        m = int8["margins"]
        print(f"{backbone}: float margin (top-1 minus top-2 logit) median {m['median margin']:.3g}, "
              f"logit spread median {m['logit spread']:.3g}; the INT8 file's largest logit change per "
              f"image median {m['median change']:.3g}; {m['near']:.1%} of the images have a margin "
              f"under twice that (agreement there {m['agreement near']:.1%}, elsewhere "
              f"{m['agreement elsewhere']:.1%})", flush=True)
        for key in (f"int8@{b}" for b in BATCHES):
            gate = int8[key]
            print(f"{backbone} {key}: quantized in {gate['s']:.1f} s (reduce-range "
                  f"{gate['reduce-range']}), calibrated on "
                  f"{gate['calibration-size']} ({gate['calibration']}); top-1 agreement with the float "
                  f"export {gate['top1-agreement']:.2%} on {gate['check-size']} ({gate['check']}), "
                  f"largest logit difference {gate['max-logit-difference']:.3g}", flush=True)
        rates = _in_turns(args, work, backbone)
        ours = {k: v for k, v in rates.items() if not k.startswith("PyTorch")}
        peer = {k: v for k, v in rates.items() if k.startswith("PyTorch")}
        rows = []
        for batch in BATCHES:
            torch_best = max((v for k, v in peer.items() if k.endswith(f"@{batch}")), default=0.0)
            for key, rate in rates.items():
                name, at = key.rsplit("@", 1)
                if int(at) == batch:
                    ratio = f"{rate / torch_best:.2f}x" if torch_best else "-"
                    rows.append((backbone, str(batch), name, f"{rate:.1f}", ratio))
            floats = ((k, v) for k, v in ours.items() if k.endswith(f"@{batch}") and not k.startswith(INT8))
            fastest_name, fastest = max(floats, key=lambda item: item[1])
            if torch_best:
                goal = 1.2 if batch == 64 else 1.0
                ratio = fastest / torch_best
                verdict = "met" if ratio >= goal else "NOT met"
                verdicts.append(f"{backbone} batch {batch}: fastest float hub-plugin path "
                                f"{fastest_name.rsplit('@', 1)[0]} {fastest:.1f} images/s = {ratio:.2f}x "
                                f"PyTorch best {torch_best:.1f} (goal >= {goal}x: {verdict})")
                int8_rate, agreement = ours[f"{INT8}@{batch}"], int8[f"int8@{batch}"]["top1-agreement"]
                int8_ratio = int8_rate / torch_best
                if batch == 64:
                    met = int8_ratio >= 2.0 and agreement >= 0.99
                    verdicts.append(f"{backbone} batch 64: INT8 {int8_rate:.1f} images/s = {int8_ratio:.2f}x "
                                    f"PyTorch best, {int8_rate / fastest:.2f}x the fastest float path, "
                                    f"agreement {agreement:.2%} (goal >= 2.0x and >= 99%: "
                                    f"{'met' if met else 'NOT met'})")
        print(_table(rows, ("backbone", "batch", "method", "images/s", "vs PyTorch best")), flush=True)
    return verdicts


def _end_to_end(args: argparse.Namespace, work: Path) -> list[str]:
    backbone = "resnet50"
    if backbone not in args.backbones.split(","):
        _child(["prepare", str(work), backbone, str(args.width), str(args.weights or "")], MINDSPORE_CPU)
    per_class = -(-args.images // 10)  # the same number from each class, as _images unpacked them
    images = sorted(str(p) for p in (work / "images").rglob("*.jpg") if int(p.name[:4]) < per_class)
    images = images[: args.images]
    checkpoints = ["--encoder", str(work / f"{backbone}-encoder.ckpt"),
                   "--classifier", str(work / f"{backbone}-head.ckpt"), "--backbone", backbone]
    runs = {
        "mindspore, checkpoints (today's default)": checkpoints,
        "onnxruntime, --model ONNX (batch 64)": ["--model", str(work / f"{backbone}-b64.onnx")],
        "onnxruntime, --model INT8 ONNX (batch 64)": ["--model", str(work / f"{backbone}-b64.int8.onnx")],
        "onnxruntime, exported on the fly": [*checkpoints, "--runtime", "onnxruntime"],
        "mindspore, --model MINDIR (GraphCell)": ["--model", str(work / f"{backbone}-b64.mindir")],
    }
    results: dict[str, tuple[float, list[str]]] = {}
    names = list(runs)
    for round_index in range(args.predict_rounds):  # rotating order; the best of the rounds
        order = names[round_index % len(names):] + names[: round_index % len(names)]
        for name in order:
            seconds, classes = _predict(images, runs[name], args.width)
            if name not in results or seconds < results[name][0]:
                results[name] = (seconds, classes)
    results = {name: results[name] for name in names}
    today_seconds, today_classes = results["mindspore, checkpoints (today's default)"]
    rows = []
    for name, (seconds, classes) in results.items():
        same = sum(a == b for a, b in zip(classes, today_classes, strict=True)) / len(classes)
        rows.append((name, f"{seconds:.1f}", f"{len(images) / seconds:.1f}",
                     f"{today_seconds / seconds:.2f}x", f"{same:.1%}"))
    print(f"\npredict end to end, {len(images)} CIFAR-10 JPEGs, {backbone} classifier, batch 64, "
          f"best of {args.predict_rounds} rounds:")
    print(_table(rows, ("runtime", "seconds", "images/s", "vs today", "same top class as today")), flush=True)
    onnx_seconds = results["onnxruntime, --model ONNX (batch 64)"][0]
    speedup = today_seconds / onnx_seconds
    int8_speedup = today_seconds / results["onnxruntime, --model INT8 ONNX (batch 64)"][0]
    return [f"predict end to end: onnxruntime --model {speedup:.2f}x today's "
            f"(goal >= 2x: {'met' if speedup >= 2 else 'NOT met'})",
            f"predict end to end: onnxruntime --model INT8 {int8_speedup:.2f}x today's "
            f"(goal >= 2x: {'met' if int8_speedup >= 2 else 'NOT met'})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", default="resnet18,resnet50")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier (1: the real networks)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds in which every child runs once")
    parser.add_argument("--inner-rounds", type=int, default=2, help="measurements per method in a child")
    parser.add_argument("--predict-rounds", type=int, default=2, help="runs of each predict, best kept")
    parser.add_argument("--images", type=int, default=1000, help="JPEGs for predict end to end (0: skip)")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--weights", type=Path, help="trained checkpoints (bench/classifier_weights.py)")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        work = Path(rest[0]) if kind != "torch" else Path()
        if kind == "prepare":
            result = child_prepare(work, rest[1], float(rest[2]), Path(rest[3]) if rest[3] else None)
        elif kind == "mindspore":
            result = child_mindspore(work, rest[1], float(rest[2]), int(rest[3]))
        elif kind == "onnxruntime":
            result = child_onnxruntime(work, rest[1], int(rest[2]))
        else:
            result = child_torch(rest[0], float(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0

    if args.weights and not args.weights.is_dir():
        print(f"{Path(sys.argv[0]).name}: --weights {args.weights}: no such folder "
              "(bench/classifier_weights.py --out DIR writes one)", file=sys.stderr)
        return 2
    if args.images:
        require(args.data, "CIFAR-10 as JPEG (cifar10-jpeg.tar.gz) for predict end to end",
                "--data FILE (--images 0 skips it)")
    print(f"machine: {len(os.sched_getaffinity(0))} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"integer instruction sets: {_integer_flags()}")
    work = Path(tempfile.mkdtemp(prefix="hub-plugin-bench-inference-"))
    started = time.perf_counter()
    try:
        if args.data.is_file():  # train JPEGs: the head's fit and the calibration; test: the checks
            _images(args.data, work, FIT_IMAGES, split="train")
            _images(args.data, work / "images", max(args.images, CHECK_IMAGES))
        else:
            print(f"{args.data}: not found; random head, the package's preset images for INT8")
        verdicts = _speed(args, work)
        if args.images:
            verdicts += _end_to_end(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    print(f"\ngoals ({seconds:.0f} s, load average {os.getloadavg()[0]:.1f} at the end):")
    for verdict in verdicts:
        print(f"- {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
