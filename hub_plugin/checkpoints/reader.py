"""A streaming reader of MindSpore's ``.ckpt`` files, without MindSpore (issue 29).

A checkpoint is a protobuf message, MindSpore 2.10's ``checkpoint.proto`` (the descriptor in
``mindspore/train/checkpoint_pb2.py``)::

    message Checkpoint {
      message Value {
        required string tag = 1;
        oneof value { TensorProto tensor = 2; MapTensorProto maptensor = 3; }
      }
      repeated Value value = 1;
    }
    message TensorProto {
      repeated int64 dims = 1;           // proto2: written unpacked (packed is read too)
      required string tensor_type = 2;   // "Float32", "Int64", "BFloat16", "Bool", "str", ...
      required bytes tensor_content = 3;
    }
    message MapTensorProto { repeated TensorProto tensor = 1; }

``mindspore.save_checkpoint`` writes one ``Checkpoint`` per ``Value`` back to back (concatenated
messages merge, so the file is one message), splits a tensor over 512 MiB into several values of
the same tag whose contents join (``_write_parameter_data``), and may end the file with
``b"crc_num"`` and a 10-byte big-endian CRC-32 (``crc_check=True``), which the parser skips as
``_parse_ckpt_proto`` does.

:func:`read_checkpoint` reads the protobuf wire format itself (varints and length-delimited
fields, https://protobuf.dev/programming-guides/encoding/) and *seeks past* every tensor's content:
it reads the few header bytes of each value, so its time grows with the number of tensors, not the
file's size, and its memory is bounded by the file (names and shapes only). Each tensor keeps the
offsets of its bytes in the file, so content is read lazily (:meth:`Checkpoint.read`). The
``protobuf`` package would have to read the whole file into memory and copy every tensor's bytes
(see ``bench/README.md`` for the figures), so the light install does not depend on it.

Anything that is not such a file (an HTML error page saved as ``.ckpt``, a file cut short, flipped
bytes, no tensor at all, a tensor whose byte count disagrees with dtype x shape) is one
:class:`~hub_plugin.errors.CheckpointError`.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import CheckpointError

#: MindSpore's tensor_type names (``tensor_to_ms_type`` in mindspore/train/serialization.py) and
#: the bytes per element; ``None`` where the content has no fixed element size (``str``: UTF-32
#: text; ``Int4``: two values packed per byte).
ITEM_SIZES: dict[str, int | None] = {
    "Bool": 1, "Int8": 1, "UInt8": 1, "Int16": 2, "UInt16": 2, "Int32": 4, "UInt32": 4,
    "Int64": 8, "UInt64": 8, "Float16": 2, "BFloat16": 2, "Float32": 4, "Float64": 8,
    "str": None, "Int4": None,
}
#: The dtype given to a map parameter (``maptensor``): listed, never converted.
MAP_TENSOR = "MapTensor"
#: The trailer ``save_checkpoint(crc_check=True)`` appends: ``crc_num`` and 10 bytes.
CRC_MARK = b"crc_num"
CRC_TRAILER = len(CRC_MARK) + 10
#: Sanity limits far above anything MindSpore writes (its tensors have at most 8 dimensions).
MAX_RANK = 64
MAX_NAME = 1 << 20

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True, slots=True)
class Tensor:
    """One parameter of a checkpoint: its ``name``, MindSpore ``dtype`` name, ``shape``, ``nbytes``
    and where its bytes lie in the file (``segments``: ``(offset, length)`` pairs, one per value
    MindSpore wrote for it; their lengths add up to ``nbytes``)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int
    segments: tuple[tuple[int, int], ...]

    @property
    def offset(self) -> int:
        """Where the tensor's bytes start in the file."""
        return self.segments[0][0]

    @property
    def elements(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The index of a checkpoint file: its tensors in file order; content stays on disk."""

    path: Path
    size: int
    tensors: tuple[Tensor, ...]
    crc: bool = field(default=False)

    @property
    def total_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    @property
    def total_elements(self) -> int:
        return sum(t.elements for t in self.tensors if t.dtype != MAP_TENSOR)

    def read(self, tensor: Tensor, file: BinaryIO | None = None) -> bytes:
        """The raw bytes of ``tensor`` (its segments joined), read from the file."""
        if file is None:
            with open(self.path, "rb") as opened:
                return self.read(tensor, opened)
        parts = []
        for offset, length in tensor.segments:
            file.seek(offset)
            part = file.read(length)
            if len(part) != length:
                raise CheckpointError(str(self.path), "the file changed while it was read", offset=offset)
            parts.append(part)
        return b"".join(parts)

    def contents(self) -> Iterator[tuple[Tensor, bytes]]:
        """Every tensor with its bytes, one at a time (memory: the largest tensor)."""
        with open(self.path, "rb") as file:
            for tensor in self.tensors:
                yield tensor, self.read(tensor, file)


class _Wire:
    """A forward reader of protobuf's wire format over a buffered file, with its position."""

    def __init__(self, file: BinaryIO, path: str) -> None:
        self.file = file
        self.path = path
        self.pos = 0

    def fail(self, reason: str, offset: int | None = None) -> CheckpointError:
        return CheckpointError(self.path, reason, offset=self.pos if offset is None else offset)

    def varint(self, end: int) -> int:
        start = self.pos
        result = shift = 0
        while True:
            if self.pos >= end:
                raise self.fail("cut short inside a number", start)
            byte = self.file.read(1)
            if not byte:
                raise self.fail("the file ends inside a number", start)
            self.pos += 1
            result |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                return result
            shift += 7
            if shift >= 70:
                raise self.fail("a number longer than 10 bytes", start)

    def length(self, end: int) -> int:
        start = self.pos
        size = self.varint(end)
        if size > end - self.pos:
            raise self.fail(f"a field of {size} bytes where {end - self.pos} remain", start)
        return size

    def take(self, size: int) -> bytes:
        data = self.file.read(size)
        if len(data) != size:
            raise self.fail("the file ends inside a field")
        self.pos += size
        return data

    def skip(self, size: int) -> None:
        self.file.seek(size, io.SEEK_CUR)
        self.pos += size

    def skip_field(self, wire_type: int, end: int) -> None:
        if wire_type == _VARINT:
            self.varint(end)
        elif wire_type in (_FIXED64, _FIXED32):
            size = 8 if wire_type == _FIXED64 else 4
            if size > end - self.pos:
                raise self.fail("cut short inside a field")
            self.skip(size)
        elif wire_type == _LENGTH:
            self.skip(self.length(end))
        else:
            raise self.fail(f"wire type {wire_type} where a protobuf field was expected")

    def key(self, end: int) -> tuple[int, int]:
        key = self.varint(end)
        return key >> 3, key & 7

    def text(self, size: int, what: str) -> str:
        start = self.pos
        if size > MAX_NAME:
            raise self.fail(f"a {what} of {size} bytes", start)
        try:
            return self.take(size).decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"a {what} that is not UTF-8", start) from None


@dataclass(slots=True)
class _Value:
    name: str
    dtype: str
    dims: list[int]
    content: tuple[int, int]
    start: int


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Index the checkpoint at ``path``: every tensor's name, dtype, shape, size and offsets.

    Raises :class:`~hub_plugin.errors.CheckpointError` when the file is not a checkpoint, is cut
    short or corrupted, holds no tensor, or a tensor's byte count disagrees with dtype x shape;
    an ``OSError`` when it cannot be opened.
    """
    path = Path(path)
    shown = str(path)
    with open(path, "rb", buffering=1 << 16) as file:
        size = os.fstat(file.fileno()).st_size
        end, crc = size, False
        if size >= CRC_TRAILER:
            file.seek(size - CRC_TRAILER)
            if file.read(len(CRC_MARK)) == CRC_MARK:
                end, crc = size - CRC_TRAILER, True
            file.seek(0)
        wire = _Wire(file, shown)
        values: list[_Value] = []
        while wire.pos < end:
            number, wire_type = wire.key(end)
            if number == 1 and wire_type == _LENGTH:
                length = wire.length(end)
                values.append(_value(wire, wire.pos + length))
            else:
                wire.skip_field(wire_type, end)
    return Checkpoint(path, size, _tensors(values, shown), crc)


def _value(wire: _Wire, end: int) -> _Value:
    """One ``Checkpoint.Value`` ending at ``end``."""
    start = wire.pos
    name: str | None = None
    tensor: tuple[str, list[int], tuple[int, int]] | None = None
    while wire.pos < end:
        number, wire_type = wire.key(end)
        if number == 1 and wire_type == _LENGTH:
            name = wire.text(wire.length(end), "parameter name")
        elif number == 2 and wire_type == _LENGTH:
            length = wire.length(end)
            tensor = _tensor_proto(wire, wire.pos + length)
        elif number == 3 and wire_type == _LENGTH:  # a map parameter: listed, its parts not read
            length = wire.length(end)
            tensor = (MAP_TENSOR, [], (wire.pos, length))
            wire.skip(length)
        else:
            wire.skip_field(wire_type, end)
    if name is None:
        raise wire.fail("a value without its parameter name", start)
    if tensor is None:
        raise wire.fail(f"parameter {name!r} holds no tensor", start)
    dtype, dims, content = tensor
    return _Value(name, dtype, dims, content, start)


def _tensor_proto(wire: _Wire, end: int) -> tuple[str, list[int], tuple[int, int]]:
    """One ``TensorProto`` ending at ``end``: its dtype, dims and content's (offset, length)."""
    start = wire.pos
    dims: list[int] = []
    dtype: str | None = None
    content: tuple[int, int] | None = None
    while wire.pos < end:
        number, wire_type = wire.key(end)
        if number == 1 and wire_type == _VARINT:
            dims.append(_dim(wire, end))
        elif number == 1 and wire_type == _LENGTH:  # packed
            length = wire.length(end)
            stop = wire.pos + length
            while wire.pos < stop:
                dims.append(_dim(wire, stop))
        elif number == 2 and wire_type == _LENGTH:
            dtype = wire.text(wire.length(end), "dtype")
        elif number == 3 and wire_type == _LENGTH:
            length = wire.length(end)
            content = (wire.pos, length)
            wire.skip(length)
        else:
            wire.skip_field(wire_type, end)
        if len(dims) > MAX_RANK:
            raise wire.fail(f"a tensor of more than {MAX_RANK} dimensions", start)
    if dtype is None or content is None:
        raise wire.fail("a tensor without its " + ("dtype" if dtype is None else "content"), start)
    if dtype not in ITEM_SIZES:
        raise wire.fail(f"unknown dtype {dtype[:40]!r}", start)
    return dtype, dims, content


def _dim(wire: _Wire, end: int) -> int:
    start = wire.pos
    value = wire.varint(end)
    if value >= 1 << 63:  # int64, two's complement
        raise wire.fail("a negative dimension", start)
    return value


def _tensors(values: list[_Value], path: str) -> tuple[Tensor, ...]:
    """Join the values MindSpore wrote for one tensor (consecutive, same tag: the rule of
    ``_load_ckpt_into_param_dict``) and check each tensor's size against dtype x shape."""
    if not values:
        raise CheckpointError(path, "it holds no tensor")
    tensors: list[Tensor] = []
    index = 0
    while index < len(values):
        first = values[index]
        segments = [first.content]
        index += 1
        while index < len(values) and values[index].name == first.name:
            part = values[index]
            if part.dtype != first.dtype or part.dims != first.dims:
                raise CheckpointError(path, f"the parts of {first.name!r} disagree on dtype or shape",
                                      offset=part.start)
            segments.append(part.content)
            index += 1
        nbytes = sum(length for _, length in segments)
        shape = tuple(first.dims)
        item = ITEM_SIZES.get(first.dtype)
        if item is not None:
            if shape == (0,) and nbytes == item:
                shape = ()  # MindSpore reads dims [0] as a scalar (``if dims == [0]: dims = []``)
            expected = math.prod(shape) * item
            if expected != nbytes:
                raise CheckpointError(
                    path, f"{first.name!r} is {first.dtype} {list(shape)}, which is {expected} bytes, "
                    f"but holds {nbytes}", offset=first.start)
        tensors.append(Tensor(first.name, first.dtype, shape, nbytes, tuple(segments)))
    return tuple(tensors)


__all__ = ["CRC_MARK", "ITEM_SIZES", "MAP_TENSOR", "Checkpoint", "Tensor", "read_checkpoint"]
