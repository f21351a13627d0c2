"""A small SimCLR model package in a temporary registry, its checkpoints served on loopback.

``small_simclr_registry`` copies ``models/simclr`` as ``simclr_small``, builds a ResNet-18 at width
1/8 whose BatchNorm statistics and linear head are random (so that different images get different
classes), saves both checkpoints in the hub's layouts, serves them from the test's asset server and
writes two cards with their digests. The export and predict tests use it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from asset_server import AssetServer
from card_samples import VALID_FRONT_MATTER, card_text, write_card

from hub_plugin.core.resources import models_dir

SMALL = {"backbone": "resnet18", "width_multiplier": 0.125}
"""The network arguments of the small package (``create_network`` keyword arguments)."""
SMALL_ARGS = ["--arg", "backbone=resnet18", "--arg", "width_multiplier=0.125"]
"""The same, as command-line options of ``load`` and ``export``."""


@dataclass
class SmallSimCLR:
    registry: Path
    package: Path
    encoder: Path
    classifier: Path


def _card(name: str, link: str, digest: str) -> str:
    front = VALID_FRONT_MATTER.replace("model-name: tiny", f"model-name: {name}")
    front = front.replace("<https://example.org/models/tiny.ckpt>", link)
    front = front.replace(hashlib.sha256(b"tiny checkpoint").hexdigest(), digest)
    return card_text(front)


def small_simclr_registry(root: Path, server: AssetServer, *, seed: int = 1) -> SmallSimCLR:
    """Build the registry under ``root`` (see the module docstring)."""
    import mindspore

    from hub_plugin.packages.hubconf_import import import_hubconf

    folder = root / "registry" / "simclr_small"
    shutil.copytree(models_dir() / "simclr", folder, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    hubconf = import_hubconf(folder)
    mindspore.set_seed(seed)
    rng = np.random.default_rng(seed)
    pretraining = hubconf.create_network("simclr", **SMALL)
    for parameter in pretraining.get_parameters():
        if parameter.name.endswith(("gamma", "moving_variance")):
            values = rng.uniform(0.5, 1.5, parameter.shape)
        elif parameter.name.endswith(("beta", "moving_mean")):
            values = rng.normal(0, 0.2, parameter.shape)
        else:
            continue
        parameter.set_data(mindspore.Tensor(values.astype(np.float32)))
    encoder_file = root / "encoder.ckpt"
    mindspore.save_checkpoint(pretraining, str(encoder_file))
    head_file = root / "head.ckpt"
    # A random head, centred on the features of a mid-grey image: the features of this network
    # grow with the image's brightness, and the centring makes the classes depend on the image.
    weight = rng.normal(0, 1, (10, pretraining.num_features))
    pretraining.set_train(False)
    grey = pretraining.features(mindspore.Tensor(np.full((1, 3, 32, 32), 128, np.float32))).asnumpy()[0]
    head = {"model.weight": weight, "model.bias": -weight @ grey}
    prefix = "train_net.netwithloss._backbone."  # the official linear classifier's layout
    entries = [
        {"name": prefix + name, "data": mindspore.Tensor(v.astype(np.float32))} for name, v in head.items()
    ]
    mindspore.save_checkpoint(entries, str(head_file))
    for card, path in (("small_encoder", encoder_file), ("small_classifier", head_file)):
        data = path.read_bytes()
        link = server.add(f"/models/{path.name}", data)
        write_card(folder, card, _card(card, link, hashlib.sha256(data).hexdigest()))
    (folder / "package.yaml").write_text(
        "default-card: small_classifier\n"
        "cards:\n"
        "  small_encoder: {network: simclr, input-shape: [1, 3, 32, 32]}\n"
        "  small_classifier: {network: simclr_classifier, requires: [small_encoder],"
        " input-shape: [1, 3, 32, 32]}\n"
    )
    return SmallSimCLR(root / "registry", folder, encoder_file, head_file)


@contextmanager
def served_small_simclr(root: Path) -> Iterator[SmallSimCLR]:
    """The small package under ``root`` with its asset server running and hub-plugin's home under
    ``root``, for module-scoped fixtures (the per-test isolation is not up yet when they run)."""
    server = AssetServer()
    server.start()
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("HUB_PLUGIN_HOME", str(root / "home"))
        environment.setenv("NO_PROXY", "127.0.0.1,localhost")
        try:
            yield small_simclr_registry(root, server)
        finally:
            server.stop()


__all__ = ["SMALL", "SMALL_ARGS", "SmallSimCLR", "served_small_simclr", "small_simclr_registry"]
