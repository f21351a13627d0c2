"""Loading checkpoints saved in exactly the official layouts, and refusing those that do not fit.

The networks here are ResNet-50 at a sixteenth of the width: the official parameter names with small
shapes. The encoder checkpoint is saved from a pre-training ``TrainOneStepCell`` with Adam, as the
official one is (so it holds ``moment1.*``, ``moment2.*``, ``beta1_power``, ...); the classifier
checkpoint holds ``model.weight`` and ``model.bias``, bare or under the training wrapper's prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr.errors import CheckpointMismatch
from hub_plugin_models.simclr.hubconf import create_network
from hub_plugin_models.simclr.networks.checkpoint import LoadReport, load_checkpoint, read_checkpoint
from hub_plugin_models.simclr.networks.loss import NTXentLoss
from hub_plugin_models.simclr.networks.network import SimCLRWithLoss
from mindspore import nn

from hub_plugin.errors import HubPluginError

TINY = 1 / 16
OPTIMIZER_ENTRIES = ("beta1_power", "beta2_power", "global_step", "learning_rate")


def _values(network: nn.Cell) -> dict[str, np.ndarray]:
    return {p.name: p.asnumpy().copy() for p in network.get_parameters()}


def _randomise(network: nn.Cell, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for parameter in network.get_parameters():
        parameter.set_data(mindspore.Tensor(rng.normal(size=parameter.shape).astype(np.float32)))


@pytest.fixture(scope="module")
def encoder_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    """An encoder checkpoint as the official pre-training saves it, and the network's values."""
    network = create_network("simclr", width_multiplier=TINY)
    _randomise(network, 0)
    expected = _values(network)
    optimizer = nn.Adam(network.trainable_params(), learning_rate=1e-3)  # fixes the names
    train = nn.TrainOneStepCell(SimCLRWithLoss(network, NTXentLoss()), optimizer)
    path = tmp_path_factory.mktemp("ckpt") / "simclr_encoder.ckpt"
    mindspore.save_checkpoint(train, str(path))
    return path, expected


def _save_classifier(path: Path, prefix: str, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    head = {
        "model.weight": rng.normal(size=(10, 128)).astype(np.float32),
        "model.bias": rng.normal(size=(10,)).astype(np.float32),
    }
    mindspore.save_checkpoint(
        [{"name": prefix + name, "data": mindspore.Tensor(value)} for name, value in head.items()],
        str(path),
    )
    return head


def test_encoder_checkpoint_has_the_official_layout(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    path, expected = encoder_checkpoint
    entries = read_checkpoint(path)
    network_names = set(expected)
    assert network_names <= set(entries)
    assert {
        f"moment1.{name}" for name in network_names if not name.endswith(("moving_mean", "moving_variance"))
    } <= set(entries)
    assert set(OPTIMIZER_ENTRIES) <= set(entries)


def test_encoder_checkpoint_fills_the_pre_training_network(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    path, expected = encoder_checkpoint
    network = create_network("simclr", width_multiplier=TINY)
    report = load_checkpoint(network, path)
    assert isinstance(report, LoadReport)
    assert len(report.loaded) == 269
    for name, value in _values(network).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    assert set(OPTIMIZER_ENTRIES) <= set(report.ignored)
    assert all(key.startswith(("moment1.", "moment2.")) or key in OPTIMIZER_ENTRIES for key in report.ignored)
    assert "ignored" in report.summary() and "moment1.* (" in report.summary()


def test_encoder_checkpoint_fills_the_encoder_network_and_skips_the_head(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    path, expected = encoder_checkpoint
    network = create_network("simclr_encoder", width_multiplier=TINY)
    report = load_checkpoint(network, path)
    for name, value in _values(network).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    assert {"dense1.weight", "dense1.bias", "end_point.weight", "end_point.bias"} <= set(report.ignored)


@pytest.mark.parametrize("prefix", ["", "train_net.netwithloss._backbone."])
def test_classifier_takes_both_official_checkpoints(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]], tmp_path: Path, prefix: str
) -> None:
    encoder_path, expected = encoder_checkpoint
    head = _save_classifier(tmp_path / "linear.ckpt", prefix, 1)
    network = create_network("simclr_classifier", width_multiplier=TINY)
    report = load_checkpoint(network, encoder_path, tmp_path / "linear.ckpt")
    values = _values(network)
    np.testing.assert_array_equal(values["model.weight"], head["model.weight"])
    np.testing.assert_array_equal(values["model.bias"], head["model.bias"])
    for name in values:
        if name.startswith("encoder."):
            np.testing.assert_array_equal(values[name], expected[name], err_msg=name)
    assert report.loaded["model.weight"] == prefix + "model.weight"


def test_classifier_without_its_head_checkpoint_is_missing_the_head(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    network = create_network("simclr_classifier", width_multiplier=TINY)
    before = _values(network)
    with pytest.raises(CheckpointMismatch) as caught:
        load_checkpoint(network, encoder_checkpoint[0])
    assert caught.value.missing == ("model.weight", "model.bias")
    assert "missing 2: model.weight, model.bias" in str(caught.value)
    for name, value in _values(network).items():  # nothing was loaded
        np.testing.assert_array_equal(value, before[name])


def test_a_different_width_is_reported_as_wrongly_shaped(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    network = create_network("simclr", width_multiplier=TINY * 2)
    with pytest.raises(CheckpointMismatch) as caught:
        load_checkpoint(network, encoder_checkpoint[0])
    wrong = dict((name, (want, got)) for name, want, got in caught.value.wrong_shape)
    assert len(wrong) == 268 and "end_point.bias" not in wrong  # z stays 128-d
    assert wrong["encoder.conv1.weight"] == ((8, 3, 3, 3), (4, 3, 3, 3))
    assert isinstance(caught.value, HubPluginError)


def test_a_different_backbone_is_missing_and_unexpected(
    encoder_checkpoint: tuple[Path, dict[str, np.ndarray]],
) -> None:
    network = create_network("simclr", backbone="resnet18", width_multiplier=TINY)
    with pytest.raises(CheckpointMismatch) as caught:
        load_checkpoint(network, encoder_checkpoint[0])
    error = caught.value
    assert "encoder.layer1.0.conv3.weight" in error.unexpected  # ResNet-50 only
    assert "encoder.layer1.0.bn2.gamma" not in error.missing  # both have it
    assert all(name.startswith("encoder.") for name in error.unexpected)
    assert "unexpected" in str(error)


def test_an_unknown_entry_is_unexpected() -> None:
    network = create_network("simclr_encoder", backbone="resnet18", width_multiplier=TINY)
    entries: dict[str, Any] = {p.name: p.asnumpy() for p in network.get_parameters()}
    entries["projector.weight"] = np.zeros((3, 3), np.float32)
    with pytest.raises(CheckpointMismatch) as caught:
        load_checkpoint(network, entries)
    assert caught.value.unexpected == ("projector.weight",)
    assert caught.value.missing == ()
    # ... unless the caller says to ignore it
    report = load_checkpoint(network, entries, ignore=["projector.*"])
    assert report.ignored == ("projector.weight",)


def test_two_entries_for_one_parameter_are_ambiguous(tmp_path: Path) -> None:
    network = create_network("simclr_classifier", backbone="resnet18", width_multiplier=TINY, num_classes=10)
    entries: dict[str, Any] = {
        p.name: p.asnumpy() for p in network.get_parameters() if p.name.startswith("encoder.")
    }
    weight = np.zeros((10, 32), np.float32)
    bias = np.zeros((10,), np.float32)
    entries.update({"a.model.weight": weight, "b.model.weight": weight, "model.bias": bias})
    with pytest.raises(CheckpointMismatch) as caught:
        load_checkpoint(network, entries)
    assert caught.value.ambiguous == (("model.weight", ("a.model.weight", "b.model.weight")),)


def test_an_exact_name_wins_over_a_suffix() -> None:
    network = create_network("simclr_classifier", backbone="resnet18", width_multiplier=TINY)
    entries: dict[str, Any] = {p.name: p.asnumpy() for p in network.get_parameters()}
    entries["moment1.model.weight"] = np.ones((10, 32), np.float32)  # optimizer state: ignored
    report = load_checkpoint(network, entries)
    assert report.loaded["model.weight"] == "model.weight"
    assert "moment1.model.weight" in report.ignored


def test_checkpoints_are_cast_to_the_parameter_type() -> None:
    network = create_network("simclr_encoder", backbone="resnet18", width_multiplier=TINY)
    entries = {p.name: np.full(p.shape, 0.5, np.float16) for p in network.get_parameters()}
    load_checkpoint(network, entries)
    assert all(p.dtype == mindspore.float32 for p in network.get_parameters())
    assert float(network.encoder.conv1.weight.asnumpy()[0, 0, 0, 0]) == 0.5


def test_no_source_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        load_checkpoint(create_network("simclr_encoder", backbone="resnet18", width_multiplier=TINY))


@pytest.mark.slow
def test_full_size_official_shapes_load(official_parameters: dict[str, Any]) -> None:
    rng = np.random.default_rng(7)
    entries = {
        p["name"]: rng.normal(size=p["shape"]).astype(np.float32) for p in official_parameters["simclr"]
    }
    entries["global_step"] = np.array([100], np.int32)
    network = create_network("simclr")
    report = load_checkpoint(network, entries)
    assert len(report.loaded) == 269 and report.ignored == ("global_step",)
    np.testing.assert_array_equal(network.end_point.bias.asnumpy(), entries["end_point.bias"])
