"""Reading CIFAR-10's Python batches without running what a pickle asks for.

A pickle is a program: its ``GLOBAL``/``STACK_GLOBAL`` opcodes import any callable and ``REDUCE``
calls it, so ``pickle.load`` on a stranger's ``data_batch_1`` runs whatever the file says
(``os.system`` included). The Python release of CIFAR-10 (Krizhevsky, 2009; written by Python 2's
``cPickle``, protocol 2) needs only three globals, all to rebuild the ``data`` array:

- ``numpy.core.multiarray._reconstruct`` (NumPy 2 spells it ``numpy._core.multiarray``), which
  NumPy's ``ndarray.__reduce__`` names, always called as ``_reconstruct(ndarray, (0,), b'b')``;
- ``numpy.ndarray``, the class it rebuilds;
- ``numpy.dtype``, for the array's element type.

:class:`CifarUnpickler` answers exactly those names, with objects from its own table (it imports
nothing by name), and refuses every other global, persistent id and extension code; everything
else in a batch (dicts, lists, ints, bytes, strings) is plain pickle data that calls nothing.
:func:`load_batch` then checks the shape of what came out, and turns any failure into one
:class:`~..errors.DatasetError` naming the file.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import DatasetError

_IMAGE_BYTES = 3 * 32 * 32


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> NDArray[Any]:
    """NumPy's ``_reconstruct``, only in the form ``ndarray.__reduce__`` writes: an empty array
    that the pickle's ``BUILD`` then fills (so no size comes from anywhere but the file's bytes)."""
    if subtype is not np.ndarray or tuple(shape) != (0,):
        raise pickle.UnpicklingError("an array built in a way NumPy never writes")
    return np.ndarray.__new__(np.ndarray, (0,), dtype)


#: The only globals a CIFAR-10 batch may name, and what each stands for.
ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class CifarUnpickler(pickle.Unpickler):
    """An unpickler that knows NumPy arrays and plain builtins only (see the module docstring)."""

    def find_class(self, module: str, name: str) -> Any:
        found = ALLOWED_GLOBALS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"it asks for {module}.{name}, which a CIFAR-10 batch never does")
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("it holds a persistent id, which a CIFAR-10 batch never does")


def load_batch(path: Path) -> tuple[NDArray[np.uint8], NDArray[np.int32]]:
    """The ``data`` (N x 3072 uint8) and ``labels`` (N int32) of one Python batch file.

    Raises :class:`DatasetError` naming ``path`` for a file that is not a CIFAR-10 batch, and
    before anything it names is called.
    """
    try:
        with open(path, "rb") as handle:
            batch = CifarUnpickler(handle, encoding="bytes").load()
        data, labels = _fields(batch)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, MemoryError, OverflowError, UnicodeError) as error:
        raise DatasetError(
            f"{path} is not a CIFAR-10 Python batch: {_reason(error)}",
            path=str(path),
            hint="only NumPy arrays and plain values are read from a batch; unpack the release again",
        ) from None
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}", path=str(path)) from None
    return data, labels


def _fields(batch: Any) -> tuple[NDArray[np.uint8], NDArray[np.int32]]:
    if not isinstance(batch, dict):
        raise ValueError(f"it holds a {type(batch).__name__}, not a dict")
    data, labels = batch.get(b"data"), batch.get(b"labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != _IMAGE_BYTES:
        raise ValueError(f"'data' is not an N x {_IMAGE_BYTES} uint8 array")
    if not isinstance(labels, list) or not all(type(label) is int for label in labels):
        raise ValueError("'labels' is not a list of integers")
    if len(labels) != len(data):
        raise ValueError(f"{len(data)} images but {len(labels)} labels")
    label_array = np.asarray(labels, dtype=np.int64)
    if label_array.size and (label_array.min() < 0 or label_array.max() > 9):
        raise ValueError("a label outside 0..9")
    return data, label_array.astype(np.int32)


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."
