"""How many of the hub's mindcv cards build through the mindcv library package, with a forward pass.

For every card of ``--cards`` (default ``../shared/cards/mindspore-2.3``) whose ``repo-link`` names
mindspore-lab/mindcv, this asks the package (models/mindcv) what to build (``serve_hub_card``: the
mindcv name, the class count of the card's dataset, the input size of mindcv's default config),
builds it with ``mindcv.create_model`` and runs one forward pass at batch 1 on the CPU. Weights are
not loaded (the checkpoints are on the internet). One row per distinct model; a summary at the end.

    .venv/bin/python bench/bench_mindcv.py [--cards DIR] [--only NAME ...] [--size N]
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def mindcv_cards(folder: Path) -> dict[str, dict[str, str]]:
    """Distinct card model names -> their fields (model-name, train-dataset), for mindcv cards."""
    from hub_plugin.validation.validator import read_manifest

    found: dict[str, dict[str, str]] = {}
    for card in sorted(folder.glob("*.md")):
        text = card.read_text(encoding="utf-8")
        if not re.search(r"repo-link: <https://github.com/mindspore-lab/mindcv/", text):
            continue
        fields = read_manifest(card, "mindspore-hub").fields
        found.setdefault(str(fields["model-name"]), dict(fields))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=Path, default=ROOT.parent / "shared" / "cards" / "mindspore-2.3")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--size", type=int, default=None,
                        help="input height and width (default: the model's)")
    args = parser.parse_args()
    import mindspore
    import numpy as np

    from hub_plugin.core.resources import models_dir
    from hub_plugin.packages.hubconf_import import import_hubconf

    mindspore.set_device("CPU")
    hubconf = import_hubconf(models_dir() / "mindcv")
    cards = mindcv_cards(args.cards)
    built = forwarded = 0
    failures: list[str] = []
    for name, fields in cards.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        try:
            served = hubconf.serve_hub_card("mindcv_model", fields)
            shape = list(served["input-shape"])
            if args.size:
                shape[2:] = [args.size, args.size]
            network = hubconf.create_network("mindcv_model", **served["arguments"])
            built += 1
            network.set_train(False)
            batch = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
            out = network(mindspore.Tensor(batch))
            out = out[0] if isinstance(out, tuple | list) else out
            forwarded += 1
            mapped = served["arguments"]["model_name"]
            row = f"ok    {name:24s} {mapped:24s} in {shape} out {tuple(out.shape)}"
        except Exception as error:  # a bench: every failure is a row, not a stop
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            row = f"FAIL  {name:24s} {type(error).__name__}: {first[:150]}"
            failures.append(name)
        print(f"{row}  {time.perf_counter() - started:.1f} s", flush=True)
        network = None
        gc.collect()
    total = len(args.only) if args.only else len(cards)
    print(f"\n{total} distinct mindcv models: {built} build, {forwarded} run a forward pass; "
          f"failed: {', '.join(failures) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
