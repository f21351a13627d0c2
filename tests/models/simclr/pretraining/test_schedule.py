"""Learning-rate schedules: the official warm-up and linear decay, the paper's cosine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hub_plugin_models.simclr.errors import ConfigError, UnknownName
from hub_plugin_models.simclr.pretraining.schedule import learning_rates, warmup_cosine, warmup_linear_decay


def test_official_schedule_rises_to_the_peak_then_falls_to_the_end() -> None:
    rates = warmup_linear_decay(100, 15, start=1e-5, peak=9e-5, end=1e-7)
    assert rates.shape == (100,) and rates.dtype == np.float32
    assert rates[0] == pytest.approx(1e-5)
    assert rates[15] == pytest.approx(9e-5)
    assert rates[-1] == pytest.approx(1e-7)
    assert np.all(np.diff(rates[:16]) > 0) and np.all(np.diff(rates[15:]) < 0)
    # linear on both sides: constant steps
    assert np.allclose(np.diff(rates[:15]), (9e-5 - 1e-5) / 15, rtol=1e-4)
    assert np.allclose(np.diff(rates[15:]), (1e-7 - 9e-5) / 84, rtol=1e-3)


def test_cosine_schedule_follows_the_paper_formula() -> None:
    rates = warmup_cosine(50, 10, start=0.0, peak=1.5, end=0.0)
    assert rates[0] == 0.0 and rates[10] == pytest.approx(1.5)
    for step in range(10, 50):
        t = step - 10
        assert rates[step] == pytest.approx(1.5 * (1 + math.cos(math.pi * t / 40)) / 2, rel=1e-5)


def test_warmup_longer_than_the_run_is_cut_and_one_step_works() -> None:
    assert len(warmup_linear_decay(3, 75, start=1e-4, peak=1e-3, end=1e-5)) == 3
    assert warmup_linear_decay(1, 0, start=1.0, peak=2.0, end=3.0).tolist() == [3.0]


def test_bad_schedules_are_errors() -> None:
    with pytest.raises(ConfigError):
        warmup_linear_decay(0, 0, start=1, peak=1, end=1)
    with pytest.raises(UnknownName, match="known: cosine, linear"):
        learning_rates("step", 10, 1, start=1, peak=1, end=1)
