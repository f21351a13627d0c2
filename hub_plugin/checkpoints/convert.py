"""``hub-plugin convert``: a MindSpore ``.ckpt`` to safetensors and back, every byte kept (issue 29).

safetensors (https://huggingface.co/docs/safetensors, the format the newer hubs use) is an 8-byte
little-endian header length, a JSON header (each tensor's dtype, shape and data offsets, plus a
``__metadata__`` map of strings) and the raw little-endian bytes. The file is written and read by
the ``safetensors`` library (the ``convert`` extra), without NumPy: its ``TensorSpec`` takes the
bytes by address, its ``deserialize`` hands them back.

The ``.ckpt`` side is :mod:`.reader` and :func:`write_ckpt`, which writes the layout
``mindspore.save_checkpoint`` writes (one ``Checkpoint`` message per value, a tensor over 512 MiB
split along its first axis as ``numpy.array_split`` splits it, ``_write_parameter_data`` in
mindspore/train/serialization.py), so that MindSpore 2.10's ``load_checkpoint`` reads it.

Both directions keep each tensor's name, dtype, shape and bytes exactly; the safetensors metadata
names the source file, its sha256 and the tensors' order in the checkpoint (safetensors sorts
them), which the way back restores.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ..core.extras import require
from ..core.hashing import hash_file
from ..errors import ConversionError
from .reader import ITEM_SIZES, Checkpoint, read_checkpoint

#: MindSpore dtype name -> (the safetensors library's ``TensorSpec`` name, the header's code).
SAFETENSORS_DTYPES: dict[str, tuple[str, str]] = {
    "Bool": ("bool", "BOOL"), "Int8": ("int8", "I8"), "UInt8": ("uint8", "U8"),
    "Int16": ("int16", "I16"), "UInt16": ("uint16", "U16"), "Int32": ("int32", "I32"),
    "UInt32": ("uint32", "U32"), "Int64": ("int64", "I64"), "UInt64": ("uint64", "U64"),
    "Float16": ("float16", "F16"), "BFloat16": ("bfloat16", "BF16"), "Float32": ("float32", "F32"),
    "Float64": ("float64", "F64"),
}
#: The header's code -> MindSpore's dtype name.
MINDSPORE_DTYPES = {code: name for name, (_, code) in SAFETENSORS_DTYPES.items()}
#: The metadata keys convert writes.
SOURCE, SOURCE_SHA256, SOURCE_FORMAT, ORDER = "source", "source_sha256", "source_format", "tensor_order"
#: MindSpore splits a tensor into values of at most this many bytes (``SLICE_SIZE``, in KiB).
SLICE_BYTES = 512 * 1024 * 1024
FORMATS = ("safetensors", "ckpt")


def convert(source: str | os.PathLike[str], to: str, output: str | os.PathLike[str] | None = None,
            *, source_name: str | None = None) -> Path:
    """Convert the checkpoint ``source`` to ``to`` (``safetensors`` or ``ckpt``) at ``output``
    (default: ``source`` with the new suffix); returns the path written.

    ``source_name`` is what the metadata calls the source (default: its file name). Raises
    :class:`~hub_plugin.errors.CheckpointError` for a source that is not a checkpoint,
    :class:`~hub_plugin.errors.ConversionError` for a dtype the target cannot hold and
    :class:`~hub_plugin.errors.MissingDependency` without the ``safetensors`` library.
    """
    if to not in FORMATS:
        raise ConversionError(f"unknown format {to!r}", hint="--to safetensors or --to ckpt")
    require("safetensors", "hub-plugin convert", "convert")
    source = Path(source)
    target = Path(output) if output is not None else source.with_suffix(f".{to}")
    if target.resolve() == source.resolve():
        raise ConversionError(f"{target}: the output would replace its source", hint="give --output PATH")
    digest = hash_file(source).sha256
    name = source_name or source.name
    if to == "safetensors":
        to_safetensors(read_checkpoint(source), target, source_name=name, source_sha256=digest)
    else:
        to_ckpt(source, target, source_name=name, source_sha256=digest)
    return target


def to_safetensors(checkpoint: Checkpoint, output: Path, *, source_name: str, source_sha256: str) -> None:
    """Write the tensors of ``checkpoint`` as the safetensors file ``output``."""
    unsupported = sorted({t.dtype for t in checkpoint.tensors if t.dtype not in SAFETENSORS_DTYPES})
    if unsupported:
        raise ConversionError(
            f"{checkpoint.path}: safetensors has no dtype for {', '.join(unsupported)} "
            f"(it holds {', '.join(SAFETENSORS_DTYPES)})")
    import safetensors

    keep: list[bytearray] = []  # the buffers the specs point into, alive until written
    specs: dict[str, Any] = {}
    for tensor, data in checkpoint.contents():
        if tensor.name in specs:
            raise ConversionError(f"{checkpoint.path}: the parameter {tensor.name!r} appears twice")
        buffer = bytearray(data)
        keep.append(buffer)
        specs[tensor.name] = safetensors.TensorSpec(
            dtype=SAFETENSORS_DTYPES[tensor.dtype][0], shape=list(tensor.shape),
            data_ptr=_address(buffer), data_len=len(buffer))
    metadata = {SOURCE: source_name, SOURCE_SHA256: source_sha256, SOURCE_FORMAT: "ckpt",
                ORDER: json.dumps([t.name for t in checkpoint.tensors], ensure_ascii=False)}
    with _replacing(output) as temporary:
        safetensors.serialize_file(specs, str(temporary), metadata=metadata)
    del keep


def to_ckpt(source: Path, output: Path, *, source_name: str, source_sha256: str) -> None:
    """Write the tensors of the safetensors file ``source`` as the checkpoint ``output``, in the
    order its metadata records (else the file's)."""
    tensors = read_safetensors(source)
    with _replacing(output) as temporary, open(temporary, "wb") as file:
        write_ckpt(file, ((name, dtype, shape, data) for name, dtype, shape, data in tensors))
    del source_name, source_sha256  # a .ckpt has no place for metadata; the card names its source


def read_safetensors(path: Path) -> list[tuple[str, str, tuple[int, ...], bytes]]:
    """``(name, MindSpore dtype, shape, bytes)`` of every tensor of a safetensors file, in the
    order its ``tensor_order`` metadata gives (else the file's)."""
    import safetensors

    try:
        data = path.read_bytes()
        tensors = dict(safetensors.deserialize(data))  # type: ignore[no-untyped-call]
        metadata = _metadata(data)
    except (safetensors.SafetensorError, ValueError) as error:
        raise ConversionError(f"{path}: not a safetensors file: {str(error).splitlines()[0]}") from None
    names = list(tensors)
    try:
        order = json.loads(metadata.get(ORDER, "null"))
    except ValueError:
        order = None
    if isinstance(order, list) and sorted(order) == sorted(names):
        names = [str(name) for name in order]
    unsupported = sorted({info["dtype"] for info in tensors.values()
                          if info["dtype"] not in MINDSPORE_DTYPES})
    if unsupported:
        raise ConversionError(f"{path}: MindSpore's checkpoint has no dtype for {', '.join(unsupported)} "
                              f"(it holds {', '.join(MINDSPORE_DTYPES)})")
    return [(name, MINDSPORE_DTYPES[tensors[name]["dtype"]], tuple(tensors[name]["shape"]),
             bytes(tensors[name]["data"])) for name in names]


def safetensors_metadata(path: Path) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file (its header only is read)."""
    with open(path, "rb") as file:
        return _metadata(_header_bytes(file, path))


def write_ckpt(file: BinaryIO, tensors: Iterable[tuple[str, str, tuple[int, ...], bytes]]) -> None:
    """Write ``(name, dtype, shape, bytes)`` tensors as MindSpore's checkpoint message.

    An empty tensor is written too (with no content), although ``save_checkpoint`` leaves one out:
    ``load_checkpoint`` reads it with its shape, but for shape ``[0]``, which it reads as a scalar
    (``if dims == [0]: dims = []``); :mod:`.reader` keeps ``[0]``."""
    for name, dtype, shape, data in tensors:
        item = ITEM_SIZES.get(dtype)
        if item is None or len(data) != math.prod(shape) * item:
            raise ConversionError(f"{name!r}: {len(data)} bytes do not make a {dtype} tensor of shape "
                                  f"{list(shape)}")
        for part in _slices(data, shape):
            tensor = b"".join(_varint_field(1, dim) for dim in shape)
            tensor += _bytes_field(2, dtype.encode()) + _bytes_field(3, part)
            value = _bytes_field(1, name.encode("utf-8")) + _bytes_field(2, tensor)
            file.write(_bytes_field(1, value))


def _slices(data: bytes, shape: tuple[int, ...]) -> Iterator[bytes]:
    """The parts ``_write_parameter_data`` writes: ``numpy.array_split`` of the tensor along its
    first axis into ``ceil(KiB / SLICE_SIZE)`` parts when it is over 512 MiB."""
    kib = len(data) / 1024
    if kib <= SLICE_BYTES / 1024 or not shape:
        yield data
        return
    count = math.ceil(kib / (SLICE_BYTES / 1024))
    rows = shape[0]
    row_bytes = len(data) // rows
    base, extra = divmod(rows, count)
    start = 0
    for index in range(count):
        stop = start + (base + (1 if index < extra else 0)) * row_bytes
        yield data[start:stop]
        start = stop


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _bytes_field(number: int, data: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _header_bytes(file: BinaryIO, path: Path) -> bytes:
    head = file.read(8)
    if len(head) != 8:
        raise ConversionError(f"{path}: not a safetensors file: shorter than its header")
    size = int.from_bytes(head, "little")
    header = file.read(min(size, 100 * 1024 * 1024))
    if len(header) != size:
        raise ConversionError(f"{path}: not a safetensors file: its header is cut short")
    return head + header


def _metadata(data: bytes) -> dict[str, str]:
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}


def _address(buffer: bytearray) -> int:
    if not buffer:
        return 0
    return ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))


class _replacing:
    """A temporary file next to ``path`` that replaces it when the block succeeds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.close(handle)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:  # mkstemp made it 0600: give it the mode a new file gets
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.temporary, 0o666 & ~umask)
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)


__all__ = ["FORMATS", "MINDSPORE_DTYPES", "SAFETENSORS_DTYPES", "convert",
           "read_safetensors", "safetensors_metadata", "to_ckpt", "to_safetensors", "write_ckpt"]
