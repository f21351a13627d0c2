"""The hubconf entry points: names, keyword arguments, docstrings, and a cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hub_plugin_models.simclr import hubconf
from hub_plugin_models.simclr.errors import UnknownName
from hub_plugin_models.simclr.networks.network import SimCLR, SimCLRClassifier, SimCLREncoder

PACKAGE = Path(hubconf.__file__).resolve().parent
TINY = {"backbone": "resnet18", "width_multiplier": 1 / 16}


def test_every_card_names_a_network_hubconf_builds() -> None:
    package = yaml.safe_load((PACKAGE / "package.yaml").read_text(encoding="utf-8"))
    networks = {card["network"] for card in package["cards"].values()}
    assert networks <= set(hubconf.NETWORKS)
    assert set(hubconf.NETWORKS) == {"simclr", "simclr_encoder", "simclr_classifier"}


@pytest.mark.parametrize("name", ["simclr", "simclr_encoder", "simclr_classifier"])
def test_every_entry_has_a_docstring(name: str) -> None:
    doc = hubconf.NETWORKS[name].__doc__
    assert doc and len(doc.strip().splitlines()[0]) > 20


def test_entries_build_their_networks_with_the_official_defaults() -> None:
    pretraining = hubconf.create_network("simclr", **TINY)
    assert isinstance(pretraining, SimCLR) and pretraining.projection_dimension == 128
    assert isinstance(hubconf.create_network("simclr_encoder", **TINY), SimCLREncoder)
    classifier = hubconf.create_network("simclr_classifier", **TINY)
    assert isinstance(classifier, SimCLRClassifier) and classifier.num_classes == 10
    assert classifier.encoder.cifar_stem


def test_keyword_arguments_reach_the_network() -> None:
    network = hubconf.create_network(
        "simclr", backbone="resnet34", width_multiplier=0.25, projection_dimension=32, cifar_stem=False
    )
    assert network.num_features == 128 and network.projection_dimension == 32
    assert len(network.encoder.layer3) == 6 and not network.encoder.cifar_stem
    classifier = hubconf.create_network("simclr_classifier", num_classes=4, **TINY)
    import mindspore

    classifier.set_train(False)
    logits = classifier(mindspore.Tensor(np.zeros((1, 3, 32, 32), np.float32)))
    assert logits.shape == (1, 4)


def test_unknown_names_and_settings_are_errors() -> None:
    with pytest.raises(UnknownName) as caught:
        hubconf.create_network("simclr_v2")
    assert caught.value.known == ("simclr", "simclr_classifier", "simclr_encoder")
    with pytest.raises(UnknownName, match="backbone"):
        hubconf.create_network("simclr", backbone="vit")
    with pytest.raises(TypeError, match="keyword arguments only"):
        hubconf.create_network("simclr", "resnet18")
    with pytest.raises(TypeError):
        hubconf.create_network("simclr_encoder", num_classes=10)  # not a setting of the encoder


def test_importing_hubconf_does_not_import_mindspore() -> None:
    code = (
        "import sys; from pathlib import Path; "
        "from hub_plugin.packages.hubconf_import import import_hubconf; "
        f"h = import_hubconf(Path({str(PACKAGE)!r})); "
        "assert callable(h.create_network); "
        "print('mindspore' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"
