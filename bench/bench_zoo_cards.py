"""How many of the hub's MindSpore 1.8 cards whose zoo folder is at hand build from the zoo's code,
with the head their config gives and a forward pass.

For each card of ``--cards`` (default ``../shared/cards/mindspore-1.8``) whose ``repo-link`` names one
of the folders under ``--zoo`` (default ``../shared/zoo/r1.8``, ten real folders), this copies the
folders to a scratch directory, picks the card's config (hub_plugin.zoo.config_choice),
builds the network with the folder's ``create_network`` as ``load`` does (isolated import, the
config through ``--config_path``, the class count as the keyword the network takes), and runs one
forward pass at batch 1 when the config gives an image size. No weights (their links are on the
internet). One row per card: the config, the head (the last parameter's shape), the forward pass.

    .venv/bin/python bench/bench_zoo_cards.py [--cards DIR] [--zoo DIR] [--only STEM ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("HUB_PLUGIN_SHARED") or ROOT.parent / "shared")
LINK = re.compile(r"repo-link: <https://gitee.com/mindspore/models/tree/r1.8/([^>]*)>")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=Path, default=SHARED / "cards" / "mindspore-1.8")
    parser.add_argument("--zoo", type=Path, default=SHARED / "zoo" / "r1.8")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    import mindspore
    import numpy as np

    from hub_plugin.cards.manifest import Manifest
    from hub_plugin.validation.validator import read_manifest
    from hub_plugin.zoo.checkout import ZooFolder
    from hub_plugin.zoo.config_choice import card_config, input_shape
    from hub_plugin.zoo.loading import zoo_network

    mindspore.set_device("CPU")
    scratch = Path(tempfile.mkdtemp())
    shutil.copytree(args.zoo, scratch / "models")
    rows, built, forwarded = 0, 0, 0
    for card in sorted(args.cards.glob("*.md")):
        match = LINK.search(card.read_text(encoding="utf-8"))
        if not match or not (scratch / "models" / match.group(1)).is_dir():
            continue
        if args.only and card.stem not in args.only:
            continue
        rows += 1
        read = read_manifest(card, "mindspore-hub")
        manifest = Manifest(name=card.stem, path=str(card), fields=read.fields, positions=read.positions,
                            uid=f"mindspore/1.8/{card.stem}", body=read.body)
        folder = ZooFolder("https://gitee.com/mindspore/models", "r1.8", "8a0c1c4b4669" + "0" * 28,
                           match.group(1), scratch / "models" / match.group(1))
        started = time.perf_counter()
        try:
            config, count = card_config(folder.path, manifest)
            network = zoo_network(manifest, folder, (), {}, trust=True, class_count=count,
                                  argv=["--config_path", str(config.path)] if config else [],
                                  verbose=False).network
            built += 1
            head = list({p.name: tuple(p.shape) for p in network.get_parameters()}.items())[-2]
            forward = "no image size"
            shape = input_shape(config)
            if shape:
                network.set_train(False)
                out = network(mindspore.Tensor(np.ones(shape, np.float32)))
                out = out[0] if isinstance(out, tuple | list) else out
                forward = f"forward {list(shape)} -> {tuple(out.shape)}"
                forwarded += 1
            row = f"ok    {card.stem:34s} {config.relative if config else '-':44s} {head} {forward}"
        except Exception as error:  # a bench: every failure is a row
            row = f"FAIL  {card.stem:34s} {type(error).__name__}: {str(error)[:220]}"
        print(f"{row}  {time.perf_counter() - started:.1f} s", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{rows} cards with their folder here: {built} build, {forwarded} with a forward pass")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
