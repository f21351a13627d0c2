"""``bench/classifier_weights.py``: the pieces of the short training run the inference bench's
INT8 figures rest on (reading the JPEG archive, augmentation, the schedule, the pixel-scale fold)."""

from __future__ import annotations

import io
import itertools
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import classifier_weights  # noqa: E402  (a script folder, not a package)


def _archive(path: Path, classes: dict[str, int]) -> None:
    """A ``cifar10-jpeg.tar.gz`` in miniature: ``train/<class>/NNNN.jpg``, each image one colour."""
    from PIL import Image

    with tarfile.open(path, "w:gz") as tar:
        for index, (name, count) in enumerate(classes.items()):
            for number in range(count):
                buffer = io.BytesIO()
                Image.new("RGB", (32, 32), (40 * index, 10 * number, 200)).save(buffer, "JPEG", quality=95)
                member = tarfile.TarInfo(f"train/{name}/{number:04d}.jpg")
                member.size = len(buffer.getvalue())
                tar.addfile(member, io.BytesIO(buffer.getvalue()))


def test_read_split_labels_classes_in_sorted_order_and_keeps_the_first_of_each(tmp_path: Path) -> None:
    archive = tmp_path / "mini.tar.gz"
    _archive(archive, {"truck": 3, "airplane": 2, "cat": 3})
    images, labels = classifier_weights.read_split(archive, "train")
    assert images.shape == (8, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 1, 1, 1, 2, 2, 2]  # airplane, cat, truck
    assert abs(int(images[0, 0, 0, 2]) - 200) < 8  # the JPEG's own pixels, decoded to RGB
    _, first_labels = classifier_weights.read_split(archive, "train", per_class=2)
    assert first_labels.tolist() == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match=r"no test/<class>/NNNN\.jpg"):
        classifier_weights.read_split(archive, "test")


def test_augmented_crops_flips_and_halves_the_size_by_averaging() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    full = classifier_weights.augmented(images, np.random.default_rng(1), 32)
    low = classifier_weights.augmented(images, np.random.default_rng(1), 16)
    assert full.shape == (6, 3, 32, 32) and low.shape == (6, 3, 16, 16) and full.dtype == np.float32
    assert full.min() >= 0.0 and full.max() <= 1.0
    np.testing.assert_allclose(low, full.reshape(6, 3, 16, 2, 16, 2).mean(axis=(3, 5)), rtol=1e-6)
    # a crop of the reflected padding holds only the image's own pixel values, 4 pixels at most away
    pixels = np.rint(full * 255)
    np.testing.assert_allclose(pixels, full * 255, atol=1e-3)
    for crop, image in zip(pixels, images, strict=True):
        assert set(np.unique(crop)) <= set(np.unique(image))
    flat = np.full((2, 32, 32, 3), 77, np.uint8)
    np.testing.assert_allclose(classifier_weights.augmented(flat, rng, 32), 77 / 255, rtol=1e-6)


def test_the_learning_rate_rises_to_its_peak_then_falls_to_zero() -> None:
    rates = classifier_weights.learning_rates(100, 0.2)
    assert len(rates) == 100
    peak = int(np.argmax(rates))
    assert rates[peak] == pytest.approx(0.2) and peak == int(100 * classifier_weights.WARMUP)
    assert rates[0] == pytest.approx(0.2 / 25)
    assert all(a < b for a, b in itertools.pairwise(rates[: peak + 1]))
    assert all(a > b for a, b in itertools.pairwise(rates[peak:]))
    assert 0 < rates[-1] < 0.2 / 50


@pytest.mark.mindspore
def test_folding_the_pixel_scale_into_the_stem_keeps_the_function() -> None:
    import mindspore

    from hub_plugin.packages.hubconf_import import import_package

    import_package(REPO / "models" / "simclr")
    from hub_plugin_models.simclr import hubconf
    from hub_plugin_models.simclr.networks.network import SimCLRClassifier

    mindspore.set_seed(0)
    pretraining = hubconf.create_network("simclr", backbone="resnet18", width_multiplier=0.125)
    classifier = SimCLRClassifier(pretraining.encoder)
    classifier.set_train(False)
    pixels = np.random.default_rng(0).integers(0, 256, (4, 3, 32, 32)).astype(np.float32)
    trained_on = classifier(mindspore.Tensor(pixels / 255)).asnumpy()
    classifier_weights.fold_pixel_scale(pretraining.encoder, 1 / 255)
    folded = classifier(mindspore.Tensor(pixels)).asnumpy()
    np.testing.assert_allclose(folded, trained_on, rtol=1e-4, atol=1e-5)
    assert not np.allclose(classifier(mindspore.Tensor(pixels / 255)).asnumpy(), trained_on, atol=1e-3)
