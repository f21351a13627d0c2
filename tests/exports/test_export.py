"""``export``: round trips of small SimCLR networks to MINDIR and ONNX, the card, and the check
that refuses a file that does not reproduce its network."""

from __future__ import annotations

import hashlib
from pathlib import Path

import mindspore
import numpy as np
import pytest
from asset_server import AssetServer
from noisy_package import noisy_registry
from small_simclr import SMALL, SmallSimCLR, small_simclr_registry

import hub_plugin
from hub_plugin.errors import AscendRequired, ExportError, ExportMismatch, UsageError
from hub_plugin.exports.exported_model import ExportedModel
from hub_plugin.exports.round_trip import check_batch, check_export, differences, write_export
from hub_plugin.packages.loading import load_model
from hub_plugin.registry import Registry

pytestmark = pytest.mark.mindspore


@pytest.fixture
def small(tmp_path: Path, asset_server: AssetServer) -> SmallSimCLR:
    return small_simclr_registry(tmp_path, asset_server)


def _registry(small: SmallSimCLR) -> Registry:
    return Registry.open([small.registry], environment=False, plugins=False)


def _network_output(small: SmallSimCLR, batch: np.ndarray) -> np.ndarray:
    network = load_model("simclr_small", registry=_registry(small), trust=True, **SMALL).network
    network.set_train(False)
    result: np.ndarray = network(mindspore.Tensor(batch)).asnumpy()
    return result


@pytest.mark.parametrize(("file_format", "batch_size"), [("mindir", None), ("onnx", 4)])
def test_export_round_trip_and_card(small: SmallSimCLR, tmp_path: Path, file_format: str,
                                    batch_size: int | None) -> None:
    out = tmp_path / "out"
    result = hub_plugin.export(
        "simclr_small", format=file_format, output=out, batch_size=batch_size,
        registry=_registry(small), trust=True, **SMALL,
    )
    assert result.path == out / f"small_classifier.{file_format}" and result.path.is_file()
    assert result.input_shape == (batch_size or 1, 3, 32, 32)
    assert result.check is not None and result.check.passed
    assert result.check.runtime == ("onnxruntime" if file_format == "onnx" else "mindspore")
    assert 0 <= result.check.max_rel <= 1e-4 and result.check.max_abs < 1e-2
    assert sorted(p.name for p in out.iterdir()) == sorted([result.path.name, result.card_path.name])

    # The card: the file's full digest, the format, the shape; valid under both profiles.
    digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert result.sha256 == digest
    (asset,) = result.card.assets
    assert (asset.file_format, asset.sha256) == (file_format, digest)
    assert asset.link.endswith(f"/simclr_small/{result.path.name}")
    assert list(result.card.fields["input-shape"]) == list(result.input_shape)
    assert "small_classifier" in result.card.body and "simclr_classifier" in result.card.body
    for profile in ("strict", "mindspore-hub"):
        report = hub_plugin.validate([result.card_path], profile=profile)  # type: ignore[arg-type]
        assert report.valid and report.summary()["valid"] == 1, report.to_json()

    # The file gives the network's outputs, at other batch sizes too (ONNX in padded slices).
    model = ExportedModel.open(result.path)
    assert model.batch_size == batch_size
    batch = check_batch((6, 3, 32, 32), seed=5)
    _, rel = differences(model.run(batch), _network_output(small, batch))
    assert rel <= 1e-4


def test_a_dynamic_batch_onnx_export_runs_any_batch_in_one_call(small: SmallSimCLR, tmp_path: Path) -> None:
    result = hub_plugin.export(
        "simclr_small", format="onnx", dynamic_batch=True, output=tmp_path / "out",
        registry=_registry(small), trust=True, **SMALL,
    )
    assert result.dynamic_batch and result.check is not None and result.check.passed
    assert "any batch" in result.summary() and "batch dimension is free" in result.card.body
    model = ExportedModel.open(result.path)
    assert model.batch_size is None and model.input_shape[1:] == (3, 32, 32)  # the batch axis is named
    for images in (1, 5, 9):
        batch = check_batch((images, 3, 32, 32), seed=images)
        _, rel = differences(model.run(batch), _network_output(small, batch))
        assert rel <= 1e-4
    with pytest.raises(UsageError, match="--dynamic-batch is for ONNX"):
        hub_plugin.export("simclr_small", format="mindir", dynamic_batch=True, output=tmp_path / "m",
                          registry=_registry(small), trust=True, **SMALL)


def test_a_dynamic_batch_file_frees_its_outputs_batch_and_keeps_the_fixed_file(
    small: SmallSimCLR, tmp_path: Path
) -> None:
    """Issue 28 item 6: the dynamic file's output declares a free batch (not ``{1,10}``, which
    made ONNX Runtime warn on every other batch), and it is written beside the fixed-batch file of
    the README's line before it, under its own name, with its own card."""
    import onnx

    out = tmp_path / "out"
    fixed = hub_plugin.export("simclr_small", format="onnx", output=out, registry=_registry(small),
                              trust=True, **SMALL)
    dynamic = hub_plugin.export("simclr_small", format="onnx", dynamic_batch=True, output=out,
                                registry=_registry(small), trust=True, **SMALL)
    assert fixed.path == out / "small_classifier.onnx"
    assert dynamic.path == out / "small_classifier.dynamic.onnx"
    assert dynamic.card_path != fixed.card_path and fixed.card_path.is_file()
    assert fixed.path.is_file() and fixed.sha256 == hashlib.sha256(fixed.path.read_bytes()).hexdigest()
    for result, batch in ((dynamic, "batch"), (fixed, None)):
        graph = onnx.load(str(result.path)).graph
        for value in (*graph.input, *graph.output):
            first = value.type.tensor_type.shape.dim[0]
            if batch is None:
                assert first.dim_value == 1 and not first.dim_param, value.name
            else:
                assert first.dim_param == batch and not first.dim_value, value.name


def test_the_round_trip_runs_two_images_unless_the_full_batch_is_asked(
    small: SmallSimCLR, tmp_path: Path
) -> None:
    """Issue 28 item 6: a batch-64 round trip ran the network op by op for minutes; by default the
    check runs 2 images (the file gets them padded to its batch), ``full_batch_check`` all."""
    quick = hub_plugin.export("simclr_small", format="onnx", batch_size=8, output=tmp_path / "a",
                              registry=_registry(small), trust=True, **SMALL)
    assert quick.input_shape == (8, 3, 32, 32) and ExportedModel.open(quick.path).batch_size == 8
    assert quick.check is not None and quick.check.passed and quick.check.input_shape[0] == 2
    full = hub_plugin.export("simclr_small", format="onnx", batch_size=8, output=tmp_path / "b",
                             full_batch_check=True, registry=_registry(small), trust=True, **SMALL)
    assert full.check is not None and full.check.input_shape == (8, 3, 32, 32)


def test_planted_wrong_export_is_deleted_and_named(small: SmallSimCLR, tmp_path: Path) -> None:
    """An ONNX file of one network checked against another's outputs: refused, file deleted."""
    network = load_model("simclr_small", registry=_registry(small), trust=True, **SMALL).network
    network.set_train(False)
    batch = check_batch((2, 3, 32, 32))
    path = write_export(network, batch, tmp_path / "planted", "onnx")
    other = load_model("simclr_small", pretrained=False, registry=_registry(small), trust=True, **SMALL)
    other.network.set_train(False)
    expected = other.network(mindspore.Tensor(batch)).asnumpy()
    with pytest.raises(ExportMismatch) as caught:
        check_export(path, expected, batch)
    assert not path.exists()
    check = caught.value.check
    assert check.max_rel > 1e-4 and not check.passed
    message = str(caught.value)
    assert f"{check.max_abs:.3g} absolute" in message and f"{check.max_rel:.3g} relative" in message
    assert "deleted" in message


def test_a_failed_check_keeps_an_earlier_good_file(tmp_path: Path) -> None:
    registry = Registry.open([noisy_registry(tmp_path)], environment=False, plugins=False)
    exact = hub_plugin.export("noisy", format="mindir", output=tmp_path / "out", pretrained=False,
                              registry=registry, trust=True, noise=0.0)
    assert exact.check is not None and exact.check.max_abs == 0.0
    before = exact.path.read_bytes()
    with pytest.raises(ExportMismatch, match="does not reproduce the network"):
        hub_plugin.export("noisy", format="mindir", output=tmp_path / "out", pretrained=False,
                          registry=registry, trust=True, noise=1.0)
    assert exact.path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["noisy.mindir", "noisy_mindir.md"]
    with pytest.raises(UsageError, match="tolerance"):
        hub_plugin.export("noisy", format="mindir", output=tmp_path / "out", pretrained=False,
                          registry=registry, trust=True, tolerance=-1.0)


def test_air_off_ascend_is_refused_before_any_download(small: SmallSimCLR, asset_server: AssetServer,
                                                       tmp_path: Path) -> None:
    with pytest.raises(AscendRequired, match="AIR export needs an Ascend device"):
        hub_plugin.export("simclr_small", format="air", output=tmp_path, registry=_registry(small),
                          trust=True, device="cpu", **SMALL)
    assert asset_server.log == [] and list(tmp_path.glob("*.air")) == []


def test_an_operator_onnx_lacks_is_an_export_error(tmp_path: Path) -> None:
    from mindspore import nn, ops

    class Noisy(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.noise = ops.StandardNormal(seed=0)

        def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
            return x + self.noise(x.shape)

    with pytest.raises(ExportError, match="StandardNormal"):
        write_export(Noisy(), np.zeros((1, 3), np.float32), tmp_path / "noisy", "onnx")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_and_missing_input_shape(small: SmallSimCLR, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format"):
        hub_plugin.export("simclr_small", format="tflite", registry=_registry(small), trust=True)
    settings = small.package / "package.yaml"
    settings.write_text(settings.read_text().replace(", input-shape: [1, 3, 32, 32]", ""))
    with pytest.raises(UsageError, match="declares no input shape"):
        hub_plugin.export("simclr_small", format="mindir", output=tmp_path, pretrained=False,
                          registry=_registry(small), trust=True, **SMALL)
