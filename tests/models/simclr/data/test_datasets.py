"""CIFAR-10 from its three layouts, written here in miniature, and the errors for wrong paths."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hub_plugin_models.simclr.data.datasets import CLASSES, cifar10, locate_cifar10
from hub_plugin_models.simclr.data.transforms import SimCLRTransform
from hub_plugin_models.simclr.errors import DatasetError
from PIL import Image

from hub_plugin.errors import HubPluginError

PER_BATCH = 2  # images per training batch file; 5 files
TEST_IMAGES = 3


def _images(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, count).astype(np.int32)
    return images, labels


def _splits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {"train": _images(0, 5 * PER_BATCH), "test": _images(1, TEST_IMAGES)}


def _planes(images: np.ndarray) -> np.ndarray:
    """N x 3072: the red, then green, then blue plane of each image, as CIFAR stores them."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1)


def write_bin(root: Path) -> Path:
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    splits = _splits()
    train_images, train_labels = splits["train"]
    files = {f"data_batch_{i + 1}.bin": slice(i * PER_BATCH, (i + 1) * PER_BATCH) for i in range(5)}
    for name, rows in files.items():
        records = np.concatenate(
            [train_labels[rows, None].astype(np.uint8), _planes(train_images[rows])], axis=1
        )
        (folder / name).write_bytes(records.tobytes())
    test_images, test_labels = splits["test"]
    records = np.concatenate([test_labels[:, None].astype(np.uint8), _planes(test_images)], axis=1)
    (folder / "test_batch.bin").write_bytes(records.tobytes())
    (folder / "batches.meta.txt").write_text("\n".join(CLASSES) + "\n")
    return folder


def write_py(root: Path) -> Path:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    splits = _splits()
    train_images, train_labels = splits["train"]
    for i in range(5):
        rows = slice(i * PER_BATCH, (i + 1) * PER_BATCH)
        batch = {b"data": _planes(train_images[rows]), b"labels": train_labels[rows].tolist()}
        (folder / f"data_batch_{i + 1}").write_bytes(pickle.dumps(batch))
    test_images, test_labels = splits["test"]
    batch = {b"data": _planes(test_images), b"labels": test_labels.tolist()}
    (folder / "test_batch").write_bytes(pickle.dumps(batch))
    meta = {b"label_names": [name.encode() for name in CLASSES]}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))
    return folder


def write_folder(root: Path, extension: str = ".png") -> Path:
    folder = root / "cifar10"
    for split, (images, labels) in _splits().items():
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            target = folder / split / CLASSES[label] / f"{index:04d}{extension}"
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(target)
        for name in CLASSES:  # every class has a folder, even an empty one
            (folder / split / name).mkdir(parents=True, exist_ok=True)
    return folder


def _read(dataset: object) -> tuple[np.ndarray, np.ndarray]:
    rows = list(dataset.create_dict_iterator(output_numpy=True, num_epochs=1))  # type: ignore[attr-defined]
    return np.stack([r["image"] for r in rows]), np.array([r["label"] for r in rows])


@pytest.mark.parametrize(("writer", "layout"), [(write_bin, "bin"), (write_py, "py")])
@pytest.mark.parametrize("split", ["train", "test"])
def test_releases_read_back_exactly(tmp_path: Path, writer: object, layout: str, split: str) -> None:
    folder = writer(tmp_path)  # type: ignore[operator]
    for path in (folder, tmp_path):  # the release folder, or where it was unpacked
        location = locate_cifar10(path)
        assert (location.root, location.layout) == (folder, layout)
        images, labels = _read(cifar10(path, split))
        expected_images, expected_labels = _splits()[split]
        assert images.dtype == np.uint8 and images.shape[1:] == (32, 32, 3)
        assert labels.dtype == np.int32
        np.testing.assert_array_equal(images, expected_images)
        np.testing.assert_array_equal(labels, expected_labels)


@pytest.mark.parametrize("split", ["train", "test"])
def test_png_folders_read_back_exactly(tmp_path: Path, split: str) -> None:
    folder = write_folder(tmp_path)
    assert locate_cifar10(folder).layout == "folder"
    assert locate_cifar10(tmp_path).root == folder
    images, labels = _read(cifar10(folder, split))
    expected_images, expected_labels = _splits()[split]
    assert images.dtype == np.uint8 and labels.dtype == np.int32
    # the folder order is by class, then file: compare as sets of (image, label)
    got = sorted((image.tobytes(), int(label)) for image, label in zip(images, labels, strict=True))
    want = sorted(
        (image.tobytes(), int(label)) for image, label in zip(expected_images, expected_labels, strict=True)
    )
    assert got == want


def test_jpeg_folders_are_read_too(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, ".jpg")
    images, labels = _read(cifar10(folder, "train"))
    expected_images, expected_labels = _splits()["train"]
    assert images.shape == expected_images.shape
    assert sorted(labels.tolist()) == sorted(expected_labels.tolist())


def test_folder_classes_are_numbered_in_cifar_order(tmp_path: Path) -> None:
    assert list(CLASSES) == sorted(CLASSES)  # alphabetical order is CIFAR-10's label order
    folder = tmp_path / "data"
    image = np.full((32, 32, 3), 7, np.uint8)
    for name in ("truck", "airplane"):
        (folder / "train" / name).mkdir(parents=True)
        Image.fromarray(image).save(folder / "train" / name / "0.png")
    _, labels = _read(cifar10(folder, "train"))
    assert sorted(labels.tolist()) == [0, 1]  # only the classes present, in alphabetical order


def test_shards_partition_the_data(tmp_path: Path) -> None:
    folder = write_bin(tmp_path)
    shards = [_read(cifar10(folder, "train", num_shards=2, shard_id=rank))[0] for rank in range(2)]
    assert [len(shard) for shard in shards] == [5, 5]
    together = np.concatenate(shards)
    assert len({image.tobytes() for image in together}) == 10


def test_workers_and_shuffle_are_configurable(tmp_path: Path) -> None:
    folder = write_py(tmp_path)
    images, labels = _read(cifar10(folder, "train", shuffle=True, num_parallel_workers=2))
    expected_images, expected_labels = _splits()["train"]
    got = sorted(zip((i.tobytes() for i in images), labels.tolist(), strict=True))
    want = sorted(zip((i.tobytes() for i in expected_images), expected_labels.tolist(), strict=True))
    assert got == want


def test_pre_training_pipeline_end_to_end(tmp_path: Path) -> None:
    folder = write_bin(tmp_path)
    pipeline = SimCLRTransform("official").apply(cifar10(folder, "train"), num_parallel_workers=2)
    batch = next(pipeline.batch(4, drop_remainder=True).create_dict_iterator(output_numpy=True, num_epochs=1))
    assert batch["view1"].shape == (4, 3, 32, 32) and batch["view2"].dtype == np.float32


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist") as caught:
        cifar10(tmp_path / "nowhere")
    assert isinstance(caught.value, HubPluginError)
    assert caught.value.path == str(tmp_path / "nowhere")
    assert "cifar-10-batches-bin" in str(caught.value)


def test_a_folder_without_cifar_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "something").mkdir()
    with pytest.raises(DatasetError, match="no CIFAR-10 found"):
        locate_cifar10(tmp_path)


def test_a_file_is_not_a_dataset(tmp_path: Path) -> None:
    archive = tmp_path / "cifar-10-binary.tar.gz"
    archive.write_bytes(b"\x1f\x8b")
    with pytest.raises(DatasetError, match="is a file"):
        cifar10(archive)


def test_an_incomplete_release_names_the_missing_files(tmp_path: Path) -> None:
    folder = write_bin(tmp_path)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(DatasetError, match=r"data_batch_3\.bin"):
        cifar10(folder, "train")
    assert len(_read(cifar10(folder, "test"))[0]) == TEST_IMAGES  # the test split is whole


def test_a_missing_split_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "imgs"
    (folder / "train" / "cat").mkdir(parents=True)
    with pytest.raises(DatasetError, match="no test/ folder"):
        cifar10(folder, "test")
    with pytest.raises(DatasetError, match="unknown split"):
        cifar10(folder, "validation")  # type: ignore[arg-type]


def test_a_truncated_binary_batch_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_bin(tmp_path)
    data = (folder / "test_batch.bin").read_bytes()
    (folder / "test_batch.bin").write_bytes(data[:-100])
    with pytest.raises(DatasetError, match="not a whole number of 3073-byte records"):
        cifar10(folder, "test")
