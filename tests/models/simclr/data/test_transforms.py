"""The two-view augmentation and the evaluation transform."""

from __future__ import annotations

from collections.abc import Iterator

import mindspore
import numpy as np
import pytest
from hub_plugin_models.simclr.data.transforms import (
    PRESETS,
    EvaluationTransform,
    SimCLRTransform,
    preset,
)
from hub_plugin_models.simclr.errors import UnknownName
from mindspore import dataset as ds


@pytest.fixture
def mindspore_seed() -> Iterator[int]:
    """``mindspore.dataset.config.set_seed`` for the test's duration."""
    previous = ds.config.get_seed()
    ds.config.set_seed(1234)
    yield 1234
    ds.config.set_seed(previous)


def _image(seed: int = 0, size: tuple[int, int] = (32, 32)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


IDENTITY = {
    "pre_resize": None,
    "crop_scale": (1.0, 1.0),
    "crop_ratio": (1.0, 1.0),
    "flip_probability": 0.0,
    "jitter_probability": 0.0,
    "grayscale_probability": 0.0,
}


def test_presets_are_the_official_recipe_and_the_papers_cifar_setting() -> None:
    official = PRESETS["official"]
    assert official.pre_resize == 256 and official.crop_interpolation == "bicubic"
    assert official.crop_size == 32 and official.crop_scale == (0.31, 1.0)
    assert official.jitter == (0.48, 0.48, 0.48, 0.12)
    assert (official.jitter_probability, official.grayscale_probability) == (0.8, 0.2)
    assert official.pixel_scale == 1.0
    paper = PRESETS["paper"]
    assert paper.pre_resize is None and paper.crop_scale == (0.08, 1.0)
    # colour-jitter strength s = 0.5: 0.8 s for brightness, contrast, saturation, 0.2 s for hue
    assert paper.jitter == pytest.approx((0.8 * 0.5, 0.8 * 0.5, 0.8 * 0.5, 0.2 * 0.5))
    assert (paper.jitter_probability, paper.grayscale_probability) == (0.8, 0.2)
    assert paper.pixel_scale == pytest.approx(1 / 255)


@pytest.mark.parametrize(("name", "top"), [("official", 255.0), ("paper", 1.0)])
def test_two_views_are_chw_float32_in_the_presets_range(name: str, top: float) -> None:
    view1, view2 = SimCLRTransform(name)(_image())
    for view in (view1, view2):
        assert view.shape == (3, 32, 32) and view.dtype == np.float32
        assert view.min() >= 0 and view.max() <= top
    assert view1.max() > 1.5 if top == 255.0 else True
    assert not np.array_equal(view1, view2)  # independent draws


def test_without_randomness_a_view_is_the_image_scaled() -> None:
    image = _image(1)
    view1, view2 = SimCLRTransform("paper", **IDENTITY)(image)
    expected = image.transpose(2, 0, 1).astype(np.float32) / 255
    np.testing.assert_allclose(view1, expected, rtol=1e-6)
    np.testing.assert_allclose(view2, expected, rtol=1e-6)


def test_flip_mirrors_the_image() -> None:
    image = _image(2)
    view, _ = SimCLRTransform("official", **{**IDENTITY, "flip_probability": 1.0})(image)
    np.testing.assert_array_equal(view, image[:, ::-1].transpose(2, 0, 1).astype(np.float32))


def test_grayscale_gives_three_equal_luma_channels() -> None:
    image = _image(3)
    view, _ = SimCLRTransform("official", **{**IDENTITY, "grayscale_probability": 1.0})(image)
    np.testing.assert_array_equal(view[0], view[1])
    np.testing.assert_array_equal(view[1], view[2])
    luma = image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(view[0], luma, atol=1.0)


def test_crop_scale_bounds_how_much_of_the_image_a_view_keeps() -> None:
    # A view of a half-black, half-white image keeps both halves when the crop covers it all.
    image = np.zeros((32, 32, 3), np.uint8)
    image[:, 16:] = 255
    keep_all = SimCLRTransform("paper", **{**IDENTITY, "crop_ratio": (0.75, 4 / 3)})
    for _ in range(5):
        view, _ = keep_all(image)
        assert view[:, :, 0].mean() < 0.1 and view[:, :, -1].mean() > 0.9
    small = SimCLRTransform("paper", **{**IDENTITY, "crop_scale": (0.05, 0.05)})
    uniform = 0
    for _ in range(20):
        view, _ = small(image)
        uniform += int(view.max() - view.min() < 0.05)
    assert uniform > 5  # a 5% crop usually lies within one half


def test_colour_jitter_changes_colours_but_not_geometry() -> None:
    image = np.zeros((32, 32, 3), np.uint8)
    image[8:24, 8:24] = (200, 40, 40)
    image[:8] = (40, 40, 200)
    jitter = SimCLRTransform("official", **{**IDENTITY, "jitter_probability": 1.0})
    views = [jitter(image)[0] for _ in range(6)]
    assert len({view.tobytes() for view in views}) > 1
    # each adjustment maps equal pixels to equal pixels: the three regions stay uniform
    for view in views:
        for rows, cols in (
            (slice(8, 24), slice(8, 24)),
            (slice(0, 8), slice(None)),
            (slice(28, 32), slice(None)),
        ):
            region = view[:, rows, cols].reshape(3, -1)
            assert np.all(region == region[:, :1]), (rows, cols)


def test_evaluation_transform_is_deterministic_and_resizes() -> None:
    image = _image(4)
    evaluation = EvaluationTransform("official")
    np.testing.assert_array_equal(evaluation(image), image.transpose(2, 0, 1).astype(np.float32))
    big = _image(5, (50, 70))
    assert evaluation(big).shape == (3, 32, 32)
    np.testing.assert_array_equal(evaluation(big), evaluation(big))
    np.testing.assert_allclose(EvaluationTransform("paper")(image), evaluation(image) / 255, rtol=1e-6)


def test_apply_adds_two_different_views_even_under_a_fixed_seed(mindspore_seed: int) -> None:
    images = np.stack([_image(seed) for seed in range(6)])
    dataset = ds.NumpySlicesDataset({"image": images, "label": np.arange(6, dtype=np.int32)}, shuffle=False)
    dataset = SimCLRTransform("official").apply(dataset, num_parallel_workers=2).batch(3)
    batches = list(dataset.create_dict_iterator(output_numpy=True))
    assert len(batches) == 2
    assert set(batches[0]) == {"view1", "view2", "label"}
    assert batches[0]["view1"].shape == (3, 3, 32, 32) and batches[0]["view1"].dtype == np.float32
    for batch in batches:
        for view1, view2 in zip(batch["view1"], batch["view2"], strict=True):
            assert not np.array_equal(view1, view2)
    np.testing.assert_array_equal(batches[1]["label"], [3, 4, 5])


def test_evaluation_apply_transforms_in_place() -> None:
    images = np.stack([_image(seed) for seed in range(2)])
    dataset = ds.NumpySlicesDataset({"image": images}, shuffle=False)
    rows = list(EvaluationTransform().apply(dataset).create_tuple_iterator(output_numpy=True))
    np.testing.assert_array_equal(rows[1][0], images[1].transpose(2, 0, 1).astype(np.float32))


def test_views_feed_the_network_type() -> None:
    view, _ = SimCLRTransform()(_image())
    assert mindspore.Tensor(view[None]).dtype == mindspore.float32


def test_unknown_preset_and_override() -> None:
    with pytest.raises(UnknownName) as caught:
        SimCLRTransform("imagenet")
    assert caught.value.known == ("official", "paper")
    assert preset("paper", crop_scale=(0.2, 1.0)).crop_scale == (0.2, 1.0)
    with pytest.raises(TypeError):
        preset("paper", blur=True)


def test_seeds_make_views_reproducible(mindspore_seed: int) -> None:
    image = _image(8)
    first = SimCLRTransform("paper", seed=7)(image)
    again = SimCLRTransform("paper", seed=7)(image)
    other = SimCLRTransform("paper", seed=8)(image)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    # without a seed of its own, the transform follows mindspore.dataset's
    follows = SimCLRTransform("paper")(image)
    np.testing.assert_array_equal(follows[0], SimCLRTransform("paper", seed=mindspore_seed)(image)[0])


def test_crop_boxes_follow_the_scale_and_ratio_ranges() -> None:
    transform = SimCLRTransform("paper", seed=0, crop_scale=(0.08, 1.0))
    boxes = np.array([transform.crop_box(256, 256) for _ in range(2000)])
    top, left, h, w = boxes.T
    assert np.all(top >= 0) and np.all(left >= 0)
    assert np.all(top + h <= 256) and np.all(left + w <= 256)
    area = h * w / 256**2
    ratio = w / h
    assert area.min() > 0.07 and area.max() <= 1.0
    assert ratio.min() > 0.74 and ratio.max() < 1.35
    # below 3/4 every draw fits whatever its ratio, so the area fraction is uniform there
    low = area[area < 0.75]
    lower_half = np.mean(low < (0.08 + 0.75) / 2)
    assert abs(lower_half - 0.5) < 0.05
    assert abs(np.mean(np.log(ratio))) < 0.02  # log-uniform ratio, symmetric around 1


def test_crop_box_falls_back_to_the_central_crop() -> None:
    transform = SimCLRTransform("paper", seed=0, crop_scale=(2.0, 2.0))  # never fits
    assert transform.crop_box(10, 40) == (0, 13, 10, 13)  # widest crop of ratio 4/3, centred
