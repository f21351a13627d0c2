"""CIFAR-10 as a ``mindspore.dataset`` pipeline, from any of its three common layouts.

Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009: 50,000 training and
10,000 test images, 32x32 RGB, ten classes. The layout is detected from the path:

- ``bin``: the binary release, ``cifar-10-batches-bin/`` with ``data_batch_1.bin`` ..
  ``data_batch_5.bin`` and ``test_batch.bin`` (each record: a label byte, then 3072 bytes, the red,
  green and blue planes);
- ``py``: the Python release, ``cifar-10-batches-py/`` with the pickles ``data_batch_1`` ..
  ``data_batch_5`` and ``test_batch`` (``data``: N x 3072 uint8, ``labels``), read by a restricted
  unpickler (:mod:`.cifar_pickle`: NumPy arrays and plain values, nothing that runs);
- ``folder``: image folders ``train/<class>/*.png|jpg`` and ``test/<class>/*.png|jpg`` (as in
  ``cifar10-jpeg.tar.gz``); classes are numbered in alphabetical order, which for CIFAR-10's names
  is the official label order.

The path may be the layout's folder itself or a folder that holds one (e.g. the folder where the
release was unpacked). Every pipeline yields ``image`` (32x32x3 uint8, HWC, RGB) and ``label``
(int32).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import mindspore
import numpy as np
from mindspore import dataset as ds
from mindspore.dataset import transforms as T
from numpy.typing import NDArray

from ..errors import DatasetError
from .cifar_pickle import load_batch
from .classes import CLASSES

Split = Literal["train", "test"]
Layout = Literal["bin", "py", "folder"]

_TRAIN_BATCHES = tuple(f"data_batch_{index}" for index in range(1, 6))
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG")
_EXPECTED = (
    "cifar-10-batches-bin/ (data_batch_1.bin .. test_batch.bin), cifar-10-batches-py/ "
    "(data_batch_1 .. test_batch) or train/<class>/ and test/<class>/ image folders"
)


@dataclass(frozen=True)
class CIFAR10Location:
    """Where a CIFAR-10 copy lies (``root``) and in which layout (``bin``, ``py``, ``folder``)."""

    root: Path
    layout: Layout


def _layout_of(folder: Path) -> Layout | None:
    if (folder / "test_batch.bin").is_file() or (folder / "data_batch_1.bin").is_file():
        return "bin"
    if (folder / "test_batch").is_file() or (folder / "data_batch_1").is_file():
        return "py"
    if (folder / "train").is_dir() or (folder / "test").is_dir():
        return "folder"
    return None


def locate_cifar10(path: str | Path) -> CIFAR10Location:
    """Find the CIFAR-10 copy at ``path`` (or in one of its sub-folders) and its layout.

    Raises :class:`~.errors.DatasetError` when the path is missing or holds no known layout.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"dataset path {path} does not exist", path=str(path), hint=_EXPECTED)
    if not path.is_dir():
        raise DatasetError(
            f"dataset path {path} is a file, not a folder",
            path=str(path),
            hint=f"unpack the archive and pass the folder; expected {_EXPECTED}",
        )
    layout = _layout_of(path)
    if layout is not None:
        return CIFAR10Location(path, layout)
    for name in ("cifar-10-batches-bin", "cifar-10-batches-py"):
        layout = _layout_of(path / name)
        if layout is not None:
            return CIFAR10Location(path / name, layout)
    found = sorted(
        (child, layout)
        for child in path.iterdir()
        if child.is_dir() and (layout := _layout_of(child)) is not None
    )
    if len(found) == 1:
        child, layout = found[0]
        return CIFAR10Location(child, layout)
    raise DatasetError(f"no CIFAR-10 found in {path}", path=str(path), hint=f"expected {_EXPECTED}")


def cifar10(
    path: str | Path,
    split: Split = "train",
    *,
    shuffle: bool = False,
    num_parallel_workers: int | None = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
) -> ds.Dataset:
    """The ``split`` of the CIFAR-10 copy at ``path``: columns ``image`` and ``label``.

    Args:
        path: a CIFAR-10 folder in any of the three layouts (see the module docstring).
        split: ``train`` or ``test``.
        shuffle: shuffle the samples (each epoch).
        num_parallel_workers: the reader's worker threads (MindSpore's default when None).
        num_shards, shard_id: read only shard ``shard_id`` of ``num_shards`` (data-parallel
            training; each worker passes its rank).
    """
    if split not in ("train", "test"):
        raise DatasetError(f"unknown split {split!r}", path=str(path), hint="use train or test")
    location = locate_cifar10(path)
    shards = {"num_shards": num_shards, "shard_id": shard_id}
    dataset: ds.Dataset
    if location.layout in ("bin", "py"):
        reader = read_binary_release if location.layout == "bin" else read_python_release
        images, labels = reader(location.root, split)
        dataset = ds.NumpySlicesDataset(
            {"image": images, "label": labels},
            shuffle=shuffle,
            num_parallel_workers=num_parallel_workers or 1,
            **shards,
        )
    else:
        folder = location.root / split
        if not folder.is_dir():
            raise DatasetError(f"{location.root} has no {split}/ folder", path=str(folder), hint=_EXPECTED)
        classes = sorted(child.name for child in folder.iterdir() if child.is_dir())
        if not classes:
            raise DatasetError(f"{folder} holds no class folders", path=str(folder), hint=_EXPECTED)
        dataset = ds.ImageFolderDataset(
            str(folder),
            extensions=list(_IMAGE_EXTENSIONS),
            class_indexing={name: index for index, name in enumerate(classes)},
            decode=True,
            shuffle=shuffle,
            num_parallel_workers=num_parallel_workers,
            **shards,
        )
    return dataset.map(
        operations=T.TypeCast(mindspore.int32),
        input_columns=["label"],
        num_parallel_workers=num_parallel_workers,
    )


_RECORD = 1 + 3 * 32 * 32  # a label byte, then the red, green and blue planes


def read_binary_release(root: Path, split: Split) -> tuple[NDArray[Any], NDArray[Any]]:
    """The images (N x 32 x 32 x 3 uint8, HWC) and labels (N int32) of the binary release.

    Read with NumPy rather than ``mindspore.dataset.Cifar10Dataset``, which accepts only files of
    exactly 10,000 records.
    """
    names = _bin_files(split)
    _require_files(root, names)
    images, labels = [], []
    for name in names:
        raw = np.fromfile(root / name, dtype=np.uint8)
        if raw.size == 0 or raw.size % _RECORD:
            raise DatasetError(
                f"{root / name} is not a CIFAR-10 binary batch: {raw.size} bytes is not a whole "
                f"number of {_RECORD}-byte records",
                path=str(root / name),
                hint="the download may be damaged; unpack the release again",
            )
        records = raw.reshape(-1, _RECORD)
        labels.append(records[:, 0].astype(np.int32))
        images.append(records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels)


def read_python_release(root: Path, split: Split) -> tuple[NDArray[Any], NDArray[Any]]:
    """The images (N x 32 x 32 x 3 uint8, HWC) and labels (N int32) of the Python release.

    The pickles are read by :func:`.cifar_pickle.load_batch`, which rebuilds NumPy arrays and plain
    values only: a batch file that asks for anything else is refused before it can run.
    """
    names = _TRAIN_BATCHES if split == "train" else ("test_batch",)
    _require_files(root, names)
    images, labels = [], []
    for name in names:
        data, batch_labels = load_batch(root / name)
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(batch_labels)
    return np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels)


def _bin_files(split: Split) -> tuple[str, ...]:
    if split == "train":
        return tuple(f"{name}.bin" for name in _TRAIN_BATCHES)
    return ("test_batch.bin",)


def _require_files(root: Path, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not (root / name).is_file()]
    if missing:
        raise DatasetError(
            f"{root} lacks {', '.join(missing)}",
            path=str(root),
            hint="the download may be incomplete; unpack the release again",
        )


__all__ = [
    "CLASSES",
    "CIFAR10Location",
    "cifar10",
    "locate_cifar10",
    "read_binary_release",
    "read_python_release",
]
