"""CIFAR-10's Python batches: the real format reads back, a batch that would run code is refused.

The real release was written by Python 2's ``cPickle`` at protocol 2: its strings are ``BINSTRING``
opcodes (read as bytes with ``encoding="bytes"``) and its array names
``numpy.core.multiarray._reconstruct``. :func:`python2_pickle` writes the same opcodes here, so the
test reads what the real files hold, not what today's ``pickle.dumps`` makes of the same dict.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import struct
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from hub_plugin_models.simclr.data.cifar_pickle import ALLOWED_GLOBALS, load_batch
from hub_plugin_models.simclr.data.datasets import cifar10, read_python_release
from hub_plugin_models.simclr.errors import DatasetError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


class _Python2Pickler(pickle._Pickler):  # type: ignore[name-defined,misc]
    """Protocol 2 as Python 2 wrote it: ``bytes`` (Python 2's ``str``) as ``BINSTRING``."""

    dispatch: ClassVar[dict[type, Any]] = dict(pickle._Pickler.dispatch)  # type: ignore[attr-defined]

    def save_py2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def python2_pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(value)
    return buffer.getvalue()


def real_format_batch(count: int, seed: int = 0) -> tuple[dict[bytes, Any], np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
    labels = [int(x) for x in rng.integers(0, 10, count)]
    batch = {
        b"batch_label": b"training batch 1 of 5",
        b"labels": labels,
        b"data": data,
        b"filenames": [f"image_{i}.png".encode() for i in range(count)],
    }
    return batch, data, labels


class _RunsACommand:
    """A batch whose unpickling would run ``touch marker`` (what an attacker would ship)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_a_real_format_batch_reads_back_exactly(tmp_path: Path) -> None:
    batch, data, labels = real_format_batch(7)
    raw = python2_pickle(batch)
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw  # the globals the real files name
    path = tmp_path / "data_batch_1"
    path.write_bytes(raw)
    got_data, got_labels = load_batch(path)
    np.testing.assert_array_equal(got_data, data)
    assert got_labels.dtype == np.int32 and got_labels.tolist() == labels


def test_a_real_batch_needs_exactly_the_allowed_globals(tmp_path: Path) -> None:
    """Every global the real format names is in the table, and the table holds nothing more
    (but NumPy 2's spelling of the same function)."""
    import pickletools

    batch, _, _ = real_format_batch(2)
    names = {
        tuple(str(arg).split(" ", 1))
        for opcode, arg, _ in pickletools.genops(python2_pickle(batch))
        if opcode.name == "GLOBAL"
    }
    assert names == {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype")}
    assert set(ALLOWED_GLOBALS) == names | {("numpy._core.multiarray", "_reconstruct")}


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_a_batch_that_would_run_a_command_is_refused_and_nothing_runs(
    tmp_path: Path, protocol: int
) -> None:
    marker = tmp_path / "ran"
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batch, _, _ = real_format_batch(2)
    for name in ("data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"):
        (folder / name).write_bytes(python2_pickle(batch))
    evil = {**batch, b"labels": _RunsACommand(marker)}
    (folder / "data_batch_1").write_bytes(pickle.dumps(evil, protocol=protocol))
    with pytest.raises(DatasetError) as caught:
        read_python_release(folder, "train")
    message = str(caught.value)
    assert "\n" not in message and str(folder / "data_batch_1") in message
    assert "asks for" in message  # the first global it names outside the table (os.system, _codecs.encode)
    assert not marker.exists()
    with pytest.raises(DatasetError):  # the dataset entry point refuses it the same way
        cifar10(tmp_path, "train")
    assert not marker.exists()


@pytest.mark.parametrize(
    "value",
    [
        [1, 2, 3],  # not a dict
        {b"data": np.zeros((2, 3072), dtype=np.float32), b"labels": [0, 1]},  # wrong dtype
        {b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": [0]},  # counts differ
        {b"data": np.zeros((1, 3072), dtype=np.uint8), b"labels": [11]},  # not a class
        {b"data": np.array([b"x", None], dtype=object), b"labels": [0, 1]},  # object array
    ],
)
def test_batches_of_the_wrong_shape_are_one_line_errors(tmp_path: Path, value: object) -> None:
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps(value, protocol=2))
    with pytest.raises(DatasetError, match="is not a CIFAR-10 Python batch") as caught:
        load_batch(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_truncated_or_empty_batch_is_a_one_line_error(tmp_path: Path) -> None:
    batch, _, _ = real_format_batch(3)
    path = tmp_path / "test_batch"
    for raw in (b"", python2_pickle(batch)[:500], b"not a pickle at all"):
        path.write_bytes(raw)
        with pytest.raises(DatasetError, match="is not a CIFAR-10 Python batch"):
            load_batch(path)


def test_an_array_rebuilt_another_way_than_numpy_writes_is_refused(tmp_path: Path) -> None:
    """``_reconstruct`` with a huge shape would allocate before any byte of data is read."""
    raw = (
        b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
        b"J\x00\x00\x00\x7f\x85cnumpy\ndtype\nU\x02u1\x89\x88\x87R\x87R."
    )
    path = tmp_path / "test_batch"
    path.write_bytes(raw)
    with pytest.raises(DatasetError, match="never writes"):
        load_batch(path)


_DOTTED = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}(\.[A-Za-z_][A-Za-z0-9_]{0,8}){0,2}", fullmatch=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(module=_DOTTED, name=_DOTTED, protocol=st.sampled_from([0, 2, 4]))
def test_no_global_outside_the_table_is_ever_looked_up(
    tmp_path: Path, module: str, name: str, protocol: int
) -> None:
    """The class of hole: whatever callable a batch names, unless it is one of the three NumPy
    names, loading stops at the name, before any import or call."""
    if (module, name) in ALLOWED_GLOBALS:
        return
    if protocol >= 4:
        body = (pickle.SHORT_BINUNICODE + bytes([len(module)]) + module.encode()
                + pickle.SHORT_BINUNICODE + bytes([len(name)]) + name.encode() + pickle.STACK_GLOBAL)
        raw = b"\x80\x04" + body + b")R."
    else:
        raw = (b"\x80\x02" if protocol else b"") + b"c" + module.encode() + b"\n" + name.encode() + b"\n)R."
    path = tmp_path / "data_batch_1"
    path.write_bytes(raw)
    with pytest.raises(DatasetError, match=re.escape(f"asks for {module}.{name}")):
        load_batch(path)


def test_an_extension_code_is_refused_like_a_global(tmp_path: Path) -> None:
    """``EXT1`` names a callable through copyreg's registry; it goes through ``find_class`` too."""
    import copyreg

    marker = tmp_path / "ran"
    copyreg.add_extension("os", "system", 240)
    try:
        path = tmp_path / "test_batch"
        command = f"touch {marker}".encode()
        path.write_bytes(b"\x80\x02\x82\xf0X" + struct.pack("<I", len(command)) + command + b"\x85R.")
        with pytest.raises(DatasetError, match=r"asks for os\.system"):
            load_batch(path)
    finally:
        copyreg.remove_extension("os", "system", 240)
    assert not marker.exists()
