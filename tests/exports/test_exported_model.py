"""``ExportedModel``: opening files of every kind, and feeding a fixed-batch file any batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hub_plugin.errors import ModelFileError, UsageError
from hub_plugin.exports.exported_model import ExportedModel


def test_a_file_that_is_not_an_export_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"expected a \.onnx or \.mindir file"):
        ExportedModel.open(tmp_path / "weights.ckpt")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such model file"):
        ExportedModel.open(tmp_path / "absent.onnx")


def test_a_damaged_onnx_file_is_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"\x08\x07 not a protobuf of a model" * 10)
    with pytest.raises(ModelFileError) as caught:
        ExportedModel.open(damaged)
    assert "ONNX Runtime cannot open it" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.mindspore
def test_a_damaged_mindir_file_is_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.mindir"
    damaged.write_bytes(b"\x00\x01 not a MINDIR" * 10)
    with pytest.raises(ModelFileError) as caught:
        ExportedModel.open(damaged)
    assert "MindSpore cannot load it" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.mindspore
def test_a_fixed_batch_onnx_file_answers_any_batch(tmp_path: Path) -> None:
    import mindspore
    from mindspore import nn

    from hub_plugin.exports.round_trip import write_export

    mindspore.set_seed(0)
    network = nn.Dense(5, 3)
    network.set_train(False)
    path = write_export(network, np.zeros((4, 5), np.float32), tmp_path / "dense", "onnx")
    model = ExportedModel.open(path)
    assert (model.format, model.runtime, model.batch_size, model.input_shape) == (
        "onnx", "onnxruntime", 4, (4, 5)
    )
    for count in (1, 4, 6, 9):
        batch = np.random.default_rng(count).normal(size=(count, 5)).astype(np.float32)
        expected = network(mindspore.Tensor(batch)).asnumpy()
        np.testing.assert_allclose(model.run(batch), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(UsageError, match="runs with --runtime onnxruntime"):
        ExportedModel.open(path, runtime="mindspore")


@pytest.mark.mindspore
def test_a_batch_of_the_wrong_shape_is_one_line(tmp_path: Path) -> None:
    import mindspore
    from mindspore import nn

    from hub_plugin.exports.round_trip import write_export

    network = nn.Dense(5, 3)
    network.set_train(False)
    for file_format in ("onnx", "mindir"):
        path = write_export(network, np.zeros((2, 5), np.float32), tmp_path / "dense", file_format)
        with pytest.raises(ModelFileError, match=r"cannot run a batch of shape \[2, 7\]") as caught:
            ExportedModel.open(path).run(np.zeros((2, 7), np.float32))
        assert "\n" not in str(caught.value)
    del mindspore
