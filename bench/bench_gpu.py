"""The one GPU check of a session lent a GPU machine: what runs there, and how fast.

A prepared script for the lent machine (one NVIDIA H200, 16 cores; no network, no MindSpore: its
wheel is 803 MB and what travels to the machine is at most 64 MiB). It measures, in one run:

1. **The environment**: the GPU, PyTorch and ONNX Runtime versions and providers, and whether
   MindSpore (the GPU plugin of the 2.10 wheel links CUDA 11.1/11.6 and cuDNN 8) could run there.
2. **The SimCLR training step on the GPU**, with the PyTorch peer of ``models/simclr``
   (``bench/simclr_torch_peer.py``: the same network and NT-Xent loss), ResNet-18 and ResNet-50 at
   batch 128 (the official recipe's) and 512, float32 and bfloat16 autocast, channels-last: views/s
   over timed steps after warm-up, synchronised.
3. **A short run of the official recipe** (Adam, weight decay 3e-4 off BatchNorm and biases, the
   official warm-up rates, temperature 0.5, raw 0-255 pixels, RandomResizedCrop 32 with scale
   (0.31, 1), flip, colour jitter (0.48, 0.48, 0.48, 0.12) p=0.8, grayscale p=0.2) with the PyTorch
   peer on CIFAR-10 JPEGs carried with the script: the NT-Xent loss at the first and last steps and
   the images/s end to end (decoding and augmentation in 12 loader workers). Resize to 256 before the
   crop is left out (the crop resizes to 32 anyway).
4. **The export runtimes**: hub-plugin's own ONNX exports of the SimCLR classifier (float and INT8,
   ``hub-plugin export ... --format onnx [--quantize int8] --dynamic-batch``, made on the CPU
   machine and carried) through ONNX Runtime on every provider it offers there, batch 1 and 64.

Run (on the lent machine; the ONNX files and JPEGs under ``.gpu/``):
``python3 bench/bench_gpu.py --onnx .gpu/float/*.onnx .gpu/int8/*.onnx --images .gpu/cifar10-subset``
Figures and what failed: bench/README.md, "On a GPU".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def emit(record: dict[str, Any], out: Path | None) -> None:
    line = json.dumps(record)
    print(line, flush=True)
    if out is not None:
        with out.open("a", encoding="utf-8") as file:
            file.write(line + "\n")


def environment() -> dict[str, Any]:
    found: dict[str, Any] = {"section": "environment"}
    if shutil.which("nvidia-smi"):
        found["nvidia_smi"] = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, check=False).stdout.strip()
    try:
        import torch

        found["torch"] = torch.__version__
        found["cuda"] = torch.version.cuda
        found["cuda_available"] = torch.cuda.is_available()
    except ImportError as error:
        found["torch"] = f"missing: {error}"
    try:
        import onnxruntime

        found["onnxruntime"] = onnxruntime.__version__
        found["ort_providers"] = onnxruntime.get_available_providers()
    except ImportError as error:
        found["onnxruntime"] = f"missing: {error}"
    try:
        import mindspore

        found["mindspore"] = mindspore.__version__
    except ImportError as error:
        found["mindspore"] = f"missing: {error}"
    libraries = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    found["cuda11_runtime"] = "libcudart.so.11" in libraries
    found["cudnn8"] = "libcudnn.so.8" in libraries
    return found


def step_speed(backbone: str, batch: int, precision: str, steps: int, warmup: int) -> dict[str, Any]:
    import torch
    from simclr_torch_peer import SimCLRPeer, nt_xent

    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda")
    network = SimCLRPeer(backbone).to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-4)
    views = (torch.rand(2 * batch, 3, 32, 32, device=device) * 255).contiguous(
        memory_format=torch.channels_last)

    def step() -> Any:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "bf16"):
            z = network(views)
        loss = nt_xent(z[:batch], z[batch:])
        loss.backward()
        optimizer.step()
        return loss  # not read here: reading it would wait for the GPU after every step

    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"section": "simclr_step", "framework": f"PyTorch {torch.__version__} CUDA",
            "backbone": backbone, "batch": batch, "precision": precision,
            "ms_per_step": round(1000 * seconds / steps, 2),
            "views_per_s": round(2 * batch * steps / seconds, 1)}


def official_recipe(images: Path, backbone: str, epochs: int) -> dict[str, Any]:
    import torch
    from simclr_torch_peer import SimCLRPeer, nt_xent
    from torchvision import datasets, transforms

    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    augment = transforms.Compose([
        transforms.RandomResizedCrop(32, scale=(0.31, 1.0)),
        transforms.RandomHorizontalFlip(),
        transforms.RandomApply([transforms.ColorJitter(0.48, 0.48, 0.48, 0.12)], p=0.8),
        transforms.RandomGrayscale(p=0.2),
        transforms.PILToTensor(),
    ])

    class TwoViews:
        def __call__(self, image: Any) -> tuple[Any, Any]:
            return augment(image), augment(image)

    dataset = datasets.ImageFolder(str(images), transform=TwoViews())
    loader = torch.utils.data.DataLoader(dataset, batch_size=128, shuffle=True, drop_last=True,
                                         num_workers=12, persistent_workers=True)
    device = torch.device("cuda")
    network = SimCLRPeer(backbone).to(device).to(memory_format=torch.channels_last)
    decay = [p for n, p in network.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in network.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.Adam([{"params": decay, "weight_decay": 3e-4},
                                  {"params": no_decay, "weight_decay": 0.0}], lr=1e-5)
    # The official single-device schedule: 15 warm-up epochs from 1e-5 to 9e-5 (a short run stays
    # in the warm-up: the rate rises linearly over the run's share of those epochs).
    total = epochs * len(loader)
    warmup_steps = 15 * len(loader)
    losses: list[float] = []
    start = time.perf_counter()
    step = 0
    for _ in range(epochs):
        for (view1, view2), _labels in loader:
            for group in optimizer.param_groups:
                group["lr"] = 1e-5 + (9e-5 - 1e-5) * min(step / warmup_steps, 1.0)
            x = torch.cat((view1, view2)).to(device, non_blocking=True).float()
            x = x.contiguous(memory_format=torch.channels_last)
            z = network(x)
            loss = nt_xent(z[:128], z[128:])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            step += 1
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"section": "official_recipe", "backbone": backbone, "images": len(dataset),
            "epochs": epochs, "steps": total, "seconds": round(seconds, 1),
            "images_per_s": round(len(dataset) * epochs / seconds, 1),
            "loss_first": round(losses[0], 4), "loss_last10_mean": round(sum(losses[-10:]) / 10, 4)}


def onnx_runtimes(path: Path, rounds: int) -> list[dict[str, Any]]:
    import numpy as np
    import onnxruntime

    results = []
    for provider in onnxruntime.get_available_providers():
        if provider not in ("CUDAExecutionProvider", "CPUExecutionProvider", "TensorrtExecutionProvider"):
            continue
        try:
            session = onnxruntime.InferenceSession(str(path), providers=[provider])
        except Exception as error:  # a provider that fails to start is a finding, not a crash
            results.append({"section": "onnx", "file": path.name, "provider": provider,
                            "error": f"{type(error).__name__}: {error}"[:300]})
            continue
        name = session.get_inputs()[0].name
        for batch in (1, 64):
            feed = {name: (np.random.default_rng(0).random((batch, 3, 32, 32)) * 255).astype(np.float32)}
            for _ in range(3):
                session.run(None, feed)
            start = time.perf_counter()
            for _ in range(rounds):
                session.run(None, feed)
            seconds = time.perf_counter() - start
            results.append({"section": "onnx", "file": path.name, "provider": provider,
                            "used": session.get_providers()[0], "batch": batch,
                            "images_per_s": round(batch * rounds / seconds, 1)})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", type=Path, nargs="*", default=[])
    parser.add_argument("--images", type=Path, help="an image folder (class sub-folders) for the recipe run")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--recipe-epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(os.environ["OUT"]) / "gpu.jsonl"
                        if os.environ.get("OUT") else None)
    args = parser.parse_args()
    env = environment()
    emit(env, args.out)
    if env.get("cuda_available"):
        for backbone in ("resnet18", "resnet50"):
            for batch in (128, 512):
                for precision in ("fp32", "bf16"):
                    try:
                        emit(step_speed(backbone, batch, precision, args.steps, args.warmup), args.out)
                    except Exception as error:
                        emit({"section": "simclr_step", "backbone": backbone, "batch": batch,
                              "precision": precision, "error": f"{type(error).__name__}: {error}"[:300]},
                             args.out)
        if args.images is not None:
            try:
                emit(official_recipe(args.images, "resnet50", args.recipe_epochs), args.out)
            except Exception as error:
                emit({"section": "official_recipe", "error": f"{type(error).__name__}: {error}"[:300]},
                     args.out)
    for path in args.onnx:
        try:
            for record in onnx_runtimes(path, rounds=50):
                emit(record, args.out)
        except Exception as error:
            emit({"section": "onnx", "file": path.name, "error": f"{type(error).__name__}: {error}"[:300]},
                 args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
