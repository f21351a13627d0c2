"""``load``: card -> verified assets -> hubconf -> a ready MindSpore network, without the internet.

The tests build small SimCLR networks, save checkpoints in the official layouts, serve them from a
loopback HTTP server, write cards with their digests into a temporary registry, and load them.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from asset_server import AssetServer
from card_samples import VALID_FRONT_MATTER, card_text, write_card

import hub_plugin
from hub_plugin.core.resources import models_dir
from hub_plugin.errors import EntryPointMissing, IntegrityError
from hub_plugin.packages.loading import load_model
from hub_plugin.registry import Registry

pytestmark = pytest.mark.mindspore
SMALL = {"backbone": "resnet18", "width_multiplier": 0.125}


def card_for(name: str, link: str, digest: str) -> str:
    front = VALID_FRONT_MATTER.replace("model-name: tiny", f"model-name: {name}")
    front = front.replace("<https://example.org/models/tiny.ckpt>", link)
    front = front.replace(hashlib.sha256(b"tiny checkpoint").hexdigest(), digest)
    return card_text(front)


def snapshot(network) -> dict[str, np.ndarray]:
    return {p.name: p.asnumpy().copy() for p in network.get_parameters()}


@pytest.fixture
def small_package(tmp_path: Path, asset_server: AssetServer):
    """A copy of the simclr package as ``simclr_small``, with cards for two small checkpoints."""
    import mindspore

    from hub_plugin.packages.hubconf_import import import_hubconf

    folder = tmp_path / "registry" / "simclr_small"
    shutil.copytree(
        models_dir() / "simclr", folder, ignore=shutil.ignore_patterns("*.md", "__pycache__")
    )
    hubconf = import_hubconf(folder)
    mindspore.set_seed(1)
    pretraining = hubconf.create_network("simclr", **SMALL)
    classifier = hubconf.create_network("simclr_classifier", **SMALL)

    encoder_file = tmp_path / "encoder.ckpt"
    # The encoder checkpoint as the hub's: network weights plus Adam state, which load ignores.
    adam = [{"name": "global_step", "data": mindspore.Tensor(np.array([7], np.int32))}]
    adam += [
        {"name": f"moment1.{p.name}", "data": mindspore.Tensor(np.zeros(p.shape, np.float32))}
        for p in pretraining.get_parameters()
    ][:3]
    mindspore.save_checkpoint(pretraining, str(encoder_file), append_dict=None)
    entries = [{"name": p.name, "data": p.data} for p in pretraining.get_parameters()] + adam
    mindspore.save_checkpoint(entries, str(encoder_file))
    head_file = tmp_path / "head.ckpt"
    head = {p.name: p for p in classifier.get_parameters() if not p.name.startswith("encoder.")}
    mindspore.save_checkpoint(
        [
            {
                "name": f"train_net.netwithloss._backbone.{name}",
                "data": mindspore.Tensor(
                    np.random.default_rng(3).normal(size=p.shape).astype(np.float32)
                ),
            }
            for name, p in head.items()
        ],
        str(head_file),
    )
    links = {}
    for name, path in (("enc", encoder_file), ("head", head_file)):
        data = path.read_bytes()
        links[name] = (
            asset_server.add(f"/models/{name}.ckpt", data),
            hashlib.sha256(data).hexdigest(),
        )
    write_card(folder, "small_encoder", card_for("small_encoder", *links["enc"]))
    write_card(folder, "small_classifier", card_for("small_classifier", *links["head"]))
    (folder / "package.yaml").write_text(
        "default-card: small_classifier\n"
        "cards:\n"
        "  small_encoder: {network: simclr, input-shape: [1, 3, 32, 32]}\n"
        "  small_classifier: {network: simclr_classifier, requires: [small_encoder],"
        " input-shape: [1, 3, 32, 32]}\n"
    )
    registry = Registry.open([tmp_path / "registry"], environment=False, plugins=False)
    return registry, encoder_file, head_file, asset_server


def test_load_fills_the_classifier_from_both_checkpoints(small_package) -> None:
    import mindspore

    registry, encoder_file, head_file, server = small_package
    loaded = load_model("simclr_small", registry=registry, trust=True, **SMALL)
    assert loaded.network_name == "simclr_classifier"
    assert [a.asset.file_name for a in loaded.assets] == ["enc.ckpt", "head.ckpt"]
    weights = snapshot(loaded.network)
    saved_encoder = {
        k: v.asnumpy() for k, v in mindspore.load_checkpoint(str(encoder_file)).items()
    }
    saved_head = {
        k.rsplit("_backbone.", 1)[1]: v.asnumpy()
        for k, v in mindspore.load_checkpoint(str(head_file)).items()
    }
    for name, value in weights.items():
        expected = saved_encoder[name] if name.startswith("encoder.") else saved_head[name]
        np.testing.assert_array_equal(value, expected, err_msg=name)
    assert "global_step" in loaded.ignored and any(i.startswith("dense1.") for i in loaded.ignored)
    # A second load is served from the cache: no new transfer.
    before = len(server.log)
    again = load_model("simclr_small", registry=registry, trust=True, **SMALL)
    assert len(server.log) == before and not any(a.downloaded for a in again.assets)


def test_load_of_the_encoder_card_gives_the_pretraining_network(small_package) -> None:
    registry, encoder_file, _, _ = small_package
    network = hub_plugin.load("small_encoder", registry=registry, trust=True, **SMALL)
    assert type(network).__name__ == "SimCLR"
    import mindspore

    saved = mindspore.load_checkpoint(str(encoder_file))
    for name, value in snapshot(network).items():
        np.testing.assert_array_equal(value, saved[name].asnumpy(), err_msg=name)


def test_two_packages_with_same_module_names_live_in_one_process(small_package) -> None:
    registry, *_ = small_package
    ours = load_model("simclr_small", registry=registry, trust=True, pretrained=False, **SMALL)
    bundled = hub_plugin.load("simclr", pretrained=False, **SMALL)
    ours_module, bundled_module = type(ours.network).__module__, type(bundled).__module__
    assert ours_module.startswith("hub_plugin_models.simclr_small") and ours_module.endswith(
        ".network"
    )
    assert bundled_module == "hub_plugin_models.simclr.networks.network"


def test_untrusted_package_in_a_non_interactive_run_is_refused(small_package) -> None:
    registry, *_ = small_package
    with pytest.raises(hub_plugin.UntrustedCode, match="--trust"):
        load_model("simclr_small", registry=registry, pretrained=False)


def test_pretrained_false_downloads_nothing(small_package) -> None:
    registry, _, _, server = small_package
    loaded = load_model("simclr_small", registry=registry, trust=True, pretrained=False, **SMALL)
    assert loaded.assets == [] and server.log == []


def test_a_card_without_a_package_follows_its_repo_link(tmp_path: Path) -> None:
    """No model package builds it, so the model zoo code its repo-link names would (the zoo
    tests are tests/zoo/test_zoo_loading.py); offline with nothing cached, that is one clear
    error and no connection."""
    from hub_plugin.errors import ZooCodeMissing

    write_card(tmp_path, "lonely", card_text())
    registry = Registry.open([tmp_path], environment=False, plugins=False)
    with pytest.raises(ZooCodeMissing, match=r"offline: the code of https://example\.org/models/tiny"):
        load_model("lonely", registry=registry, offline=True)


def test_a_package_without_create_network_says_what_it_offers(tmp_path: Path) -> None:
    folder = tmp_path / "bare"
    write_card(folder, "bare_card", card_text())
    (folder / "__init__.py").write_text("")
    (folder / "hubconf.py").write_text(
        "def bare():\n    'A net.'\n\n\ndef train(config):\n    'Train.'\n"
    )
    (folder / "package.yaml").write_text("cards:\n  bare_card: {network: bare}\n")
    registry = Registry.open([tmp_path], environment=False, plugins=False)
    with pytest.raises(EntryPointMissing, match="offers: train"):
        load_model("bare", registry=registry, trust=True, pretrained=False)


def test_mirrored_official_links_with_wrong_bytes_fail_and_leave_no_trace(
    asset_server: AssetServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The bundled cards' own links, unchanged, pointed at a loopback server by HUB_PLUGIN_MIRROR."""
    served = b"these are not the official weights" * 1000
    manifest = hub_plugin.info("simclr_encoder_cifar10")
    path = "/" + manifest.assets[0].link.split("https://download.mindspore.cn/", 1)[1]
    asset_server.add(path, served)
    monkeypatch.setenv(
        "HUB_PLUGIN_MIRROR", f"https://download.mindspore.cn/={asset_server.url('/')}"
    )
    home = tmp_path / "home"
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(home))
    with pytest.raises(IntegrityError) as caught:
        hub_plugin.load("simclr")
    message = str(caught.value)
    assert manifest.assets[0].sha256 in message
    assert hashlib.sha256(served).hexdigest() in message
    assert [r.path for r in asset_server.log] == [path]
    blobs = home / "blobs" / "sha256"
    assert not blobs.exists() or list(blobs.iterdir()) == []
    assert not (home / "cards").exists() or list((home / "cards").rglob("*.ckpt")) == []


def test_an_unreachable_network_is_one_line_naming_the_ways_forward(monkeypatch) -> None:
    from asset_server import FAST_POLICY

    monkeypatch.setenv("HUB_PLUGIN_MIRROR", "https://download.mindspore.cn/=http://127.0.0.1:9/")
    with pytest.raises(hub_plugin.DownloadError) as caught:
        load_model("simclr", transfer_policy=FAST_POLICY)
    message = str(caught.value)
    assert "cannot be reached" in message and "\n" not in message
    for way in ("--offline", "HUB_PLUGIN_MIRROR", "--no-pretrained"):
        assert way in message
