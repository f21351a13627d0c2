"""The light checkpoint reader (issue 29) on checkpoints made without MindSpore: every field, the
layouts MindSpore writes, and every kind of broken file as one :class:`CheckpointError` line, never
a traceback and never more memory than the file (Hypothesis)."""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import pytest
from checkpoint_samples import tensors_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_plugin.checkpoints.convert import _bytes_field, _varint, _varint_field
from hub_plugin.checkpoints.reader import CRC_MARK, read_checkpoint
from hub_plugin.errors import CheckpointError

SAMPLE = [
    ("conv.weight", "Float32", (2, 3), struct.pack("<6f", *range(6))),
    ("bn.moving_mean", "Float16", (4,), b"\x00\x3c" * 4),
    ("step", "Int64", (), struct.pack("<q", -7)),
    ("mask", "Bool", (3,), b"\x01\x00\x01"),
    ("emb", "BFloat16", (1, 2), b"\x80\x3f\x00\x40"),
]


def write(tmp_path: Path, data: bytes, name: str = "model.ckpt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_tensor_with_its_offsets(tmp_path: Path) -> None:
    data = tensors_bytes(SAMPLE)
    checkpoint = read_checkpoint(write(tmp_path, data))
    assert [(t.name, t.dtype, t.shape, t.nbytes) for t in checkpoint.tensors] == [
        (name, dtype, shape, len(content)) for name, dtype, shape, content in SAMPLE]
    for tensor, (*_, content) in zip(checkpoint.tensors, SAMPLE, strict=True):
        assert data[tensor.offset:tensor.offset + tensor.nbytes] == content
        assert checkpoint.read(tensor) == content
    assert checkpoint.total_bytes == sum(len(c) for *_, c in SAMPLE)
    assert checkpoint.total_elements == 6 + 4 + 1 + 3 + 2
    assert checkpoint.size == len(data)


def test_parts_of_one_tensor_join_and_the_crc_trailer_is_skipped(tmp_path: Path) -> None:
    """save_checkpoint splits a tensor over 512 MiB into values of one tag, and with crc_check
    appends b"crc_num" and 10 bytes (mindspore/train/serialization.py)."""
    rows = [struct.pack("<2f", i, -i) for i in range(5)]

    def part(content: bytes) -> bytes:  # every part carries the full shape, as MindSpore writes it
        tensor = _varint_field(1, 5) + _varint_field(1, 2) + _bytes_field(2, b"Float32")
        return _bytes_field(1, _bytes_field(1, b"w") + _bytes_field(2, tensor + _bytes_field(3, content)))

    path = write(tmp_path, part(b"".join(rows[:3])) + part(b"".join(rows[3:])) + CRC_MARK + bytes(10))
    checkpoint = read_checkpoint(path)
    assert checkpoint.crc
    (tensor,) = checkpoint.tensors
    assert (tensor.shape, tensor.nbytes, len(tensor.segments)) == ((5, 2), 40, 2)
    assert checkpoint.read(tensor) == b"".join(rows)


def test_packed_dims_are_read_too(tmp_path: Path) -> None:
    packed = _bytes_field(1, _varint(2) + _varint(3))
    tensor = packed + _bytes_field(2, b"Int8") + _bytes_field(3, bytes(6))
    path = write(tmp_path, _bytes_field(1, _bytes_field(1, b"x") + _bytes_field(2, tensor)))
    assert read_checkpoint(path).tensors[0].shape == (2, 3)


@pytest.mark.parametrize(("data", "reason"), [
    (b"<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n", "wire type"),
    (b"", "holds no tensor"),
    (_bytes_field(1, _bytes_field(1, b"lonely")), "holds no tensor"),
    (_bytes_field(1, _bytes_field(1, b"w") + _bytes_field(
        2, _varint_field(1, 3) + _bytes_field(2, b"Float32") + _bytes_field(3, bytes(8)))),
     "'w' is Float32 [3], which is 12 bytes, but holds 8"),
    (_bytes_field(1, _bytes_field(1, b"w") + _bytes_field(
        2, _bytes_field(2, b"Complex99") + _bytes_field(3, bytes(8)))), "unknown dtype 'Complex99'"),
    (_bytes_field(1, _bytes_field(1, b"w") + _bytes_field(
        2, _varint_field(1, -1) + _bytes_field(2, b"Int8") + _bytes_field(3, b""))), "negative dimension"),
    (_bytes_field(1, _bytes_field(1, b"\xff\xfe") + _bytes_field(
        2, _bytes_field(2, b"Int8") + _bytes_field(3, b"x"))), "not UTF-8"),
])
def test_a_broken_file_is_one_line(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(CheckpointError) as caught:
        read_checkpoint(write(tmp_path, data))
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_cut_anywhere_is_one_line(tmp_path: Path) -> None:
    """Cut inside a value: an error. Cut between two values: the tensors before the cut (the format
    has no count; MindSpore's own parser reads such a file the same way)."""
    data = tensors_bytes(SAMPLE)
    boundaries = {len(tensors_bytes(SAMPLE[:count])): count for count in range(1, len(SAMPLE))}
    for cut in range(len(data)):
        path = write(tmp_path, data[:cut])
        if cut in boundaries:
            assert len(read_checkpoint(path).tensors) == boundaries[cut]
            continue
        with pytest.raises(CheckpointError) as caught:
            read_checkpoint(path)
        assert "\n" not in str(caught.value)


def _peak(path: Path) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    try:
        read_checkpoint(path)
        failure: BaseException | None = None
    except CheckpointError as error:
        failure = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, failure


#: What reading costs besides the file's own share: the buffered file (64 KiB) and Python's frames.
OVERHEAD = 160 * 1024


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0), flips=st.lists(st.tuples(st.integers(min_value=0),
                                                              st.integers(min_value=0, max_value=255)),
                                                    max_size=4))
def test_corrupted_files_fail_cleanly_in_bounded_memory(
        tmp_path: Path, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(tensors_bytes([*SAMPLE, ("big", "UInt8", (4096,), bytes(4096))]))
    for position, value in flips:
        data[position % len(data)] = value
    data = data[:cut % (len(data) + 1)]
    path = write(tmp_path, bytes(data))
    peak, failure = _peak(path)  # anything but a CheckpointError propagates: a test failure
    assert peak < OVERHEAD + 8 * len(data)
    if failure is not None:
        assert "\n" not in str(failure)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_fail_cleanly_in_bounded_memory(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    peak, _ = _peak(path)
    assert peak < OVERHEAD + 8 * len(data)


def test_a_huge_announced_length_reads_nothing_past_the_file(tmp_path: Path) -> None:
    """A length field claiming 2**60 bytes is refused before anything is allocated."""
    data = _varint(1 << 3 | 2) + _varint(1 << 60) + b"x" * 16
    peak, failure = _peak(write(tmp_path, data))
    assert isinstance(failure, CheckpointError) and "remain" in str(failure)
    assert peak < OVERHEAD
