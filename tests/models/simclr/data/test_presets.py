"""The MindSpore-free evaluation input gives the very bytes of the MindSpore evaluation transform."""

from __future__ import annotations

import numpy as np
import pytest
from hub_plugin_models.simclr.data.evaluation_input import evaluation_input
from hub_plugin_models.simclr.data.presets import preset, to_network_input
from hub_plugin_models.simclr.data.transforms import EvaluationTransform


@pytest.mark.parametrize("preset_name", ["official", "paper"])
@pytest.mark.parametrize("shape", [(32, 32, 3), (40, 48, 3), (20, 20, 3)])
def test_evaluation_input_is_the_evaluation_transform(preset_name: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(sum(shape))
    transform = EvaluationTransform(preset_name)
    for _ in range(20):
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        ours, theirs = evaluation_input(image, preset_name), transform(image)
        assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape == (3, 32, 32)
        assert np.array_equal(ours, theirs)


def test_to_network_input_is_chw_float32_scaled() -> None:
    image = np.arange(2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 3)
    result = to_network_input(image, preset("paper").pixel_scale)
    assert result.shape == (3, 2, 2) and result.dtype == np.float32
    assert result[1, 0, 1] == np.float32(image[0, 1, 1]) * np.float32(1 / 255)
