"""Checkpoints written by MindSpore 2.10 itself, read by the light reader bit for bit as
``mindspore.load_checkpoint`` reads them, and converted to safetensors and back, exactly, each
converted file loaded by MindSpore to the same values (issue 29)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub_plugin.checkpoints.convert import convert, safetensors_metadata
from hub_plugin.checkpoints.reader import read_checkpoint
from hub_plugin.core.hashing import hash_file

pytestmark = pytest.mark.mindspore
ms = pytest.importorskip("mindspore")
np = pytest.importorskip("numpy")

#: Every dtype save_checkpoint writes for a parameter (tensor_to_ms_type of serialization.py, but
#: str, which append_dict writes, and the packed Int4).
NUMPY_DTYPES = {
    "Bool": np.bool_, "Int8": np.int8, "UInt8": np.uint8, "Int16": np.int16, "UInt16": np.uint16,
    "Int32": np.int32, "UInt32": np.uint32, "Int64": np.int64, "UInt64": np.uint64,
    "Float16": np.float16, "Float32": np.float32, "Float64": np.float64,
}


def parameters() -> list[dict[str, Any]]:
    rng = np.random.default_rng(29)
    found = []
    for name, dtype in NUMPY_DTYPES.items():
        values = rng.integers(0, 2, (3, 5)) if dtype is np.bool_ else rng.standard_normal((3, 5)) * 100
        found.append({"name": f"p.{name.lower()}", "data": ms.Tensor(values.astype(dtype))})
    found.append({"name": "p.bfloat16", "data": ms.Tensor(rng.standard_normal(7).astype(np.float32),
                                                          ms.bfloat16)})
    found.append({"name": "p.scalar", "data": ms.Tensor(np.float32(-2.5))})
    found.append({"name": "p.empty", "data": ms.Tensor(np.zeros((0, 4), np.float32))})
    found.append({"name": "p.large", "data": ms.Tensor(rng.standard_normal((512, 1024)).astype(np.float32))})
    return found


def raw(value: Any) -> bytes:
    return bytes(value.asnumpy().tobytes())


def loaded(path: Path, **options: Any) -> dict[str, Any]:
    return {name: value for name, value in ms.load_checkpoint(str(path), **options).items()}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ms") / "every_dtype.ckpt"
    ms.save_checkpoint(parameters(), str(path), append_dict={"epoch_num": 3, "note": "hello"})
    return path


def assert_same_as_mindspore(path: Path) -> None:
    checkpoint = read_checkpoint(path)
    expected = loaded(path)
    assert [t.name for t in checkpoint.tensors] == list(expected)
    for tensor, data in checkpoint.contents():
        value = expected[tensor.name]
        if tensor.dtype == "str":
            assert data.decode("utf-32-le") == value
            continue
        assert (tensor.dtype, tensor.shape) == (str(value.dtype), tuple(value.shape))
        assert data == raw(value)


def test_the_reader_agrees_with_load_checkpoint_bit_for_bit(saved: Path) -> None:
    assert_same_as_mindspore(saved)
    names = [t.name for t in read_checkpoint(saved).tensors]
    assert "p.empty" not in names  # save_checkpoint writes no value for an empty tensor
    assert {f"p.{n.lower()}" for n in NUMPY_DTYPES} | {"p.bfloat16", "p.large"} <= set(names)


def test_split_tensors_and_the_crc_trailer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """save_checkpoint splits a tensor over SLICE_SIZE KiB along its first axis (here 1 KiB: the
    512 x 1024 float32 tensor in 2048 values) and with crc_check ends the file with its CRC."""
    from mindspore.train import serialization

    monkeypatch.setattr(serialization, "SLICE_SIZE", 1)
    path = tmp_path / "split.ckpt"
    ms.save_checkpoint(parameters(), str(path), crc_check=True)
    checkpoint = read_checkpoint(path)
    assert checkpoint.crc
    large = next(t for t in checkpoint.tensors if t.name == "p.large")
    assert len(large.segments) == 2048
    assert_same_as_mindspore(path)


def test_convert_round_trips_exactly_and_mindspore_loads_both(saved: Path, tmp_path: Path) -> None:
    source = tmp_path / "model.ckpt"
    ms.save_checkpoint(parameters(), str(source))
    converted = convert(source, "safetensors", tmp_path / "model.safetensors")
    metadata = safetensors_metadata(converted)
    assert metadata["source"] == "model.ckpt"
    assert metadata["source_sha256"] == hash_file(source).sha256
    from_ckpt, from_safetensors = loaded(source), loaded(converted, format="safetensors")
    assert set(from_ckpt) == set(from_safetensors)
    for name, value in from_ckpt.items():
        other = from_safetensors[name]
        assert (value.dtype, value.shape, raw(value)) == (other.dtype, other.shape, raw(other))
    back = convert(converted, "ckpt", tmp_path / "back.ckpt")
    assert back.read_bytes() == source.read_bytes()  # the very bytes save_checkpoint wrote
    assert_same_as_mindspore(back)


def test_a_safetensors_file_by_mindspore_converts_to_a_ckpt_mindspore_loads_equal(tmp_path: Path) -> None:
    source = tmp_path / "by_mindspore.safetensors"
    ms.save_checkpoint(parameters(), str(source), format="safetensors")
    back = convert(source, "ckpt", tmp_path / "back.ckpt")
    expected, got = loaded(source, format="safetensors"), loaded(back)
    assert set(expected) == set(got)
    for name, value in expected.items():
        assert (value.dtype, value.shape, raw(value)) == (got[name].dtype, got[name].shape, raw(got[name]))
    again = convert(back, "safetensors", tmp_path / "again.safetensors")
    assert_equal_safetensors(source, again)


def assert_equal_safetensors(one: Path, two: Path) -> None:
    from hub_plugin.checkpoints.convert import read_safetensors

    assert sorted(read_safetensors(one)) == sorted(read_safetensors(two))
