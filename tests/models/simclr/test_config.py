"""Typed settings: presets, overrides, checks, saving and loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_plugin_models.simclr import config as cfg
from hub_plugin_models.simclr.config import EvalConfig, PredictConfig, TrainConfig
from hub_plugin_models.simclr.errors import ConfigError, UnknownName


def test_the_official_preset_is_mindsporess_recipe() -> None:
    config = cfg.build(TrainConfig, {"data": "d"})
    assert config.optimizer == "adam" and config.batch_size == 128 and config.epochs == 100
    assert config.weight_decay == pytest.approx(3e-4) and config.temperature == 0.5
    assert config.rates(1) == pytest.approx((1e-5, 9e-5, 1e-7))
    assert config.rates(8) == pytest.approx((1e-4, 9e-4, 1e-6))
    assert config.decay == "linear" and config.warmup_epochs == 15
    # the dataclass defaults are the official preset too
    assert cfg.from_mapping(TrainConfig, {"data": "d"}) == config


def test_the_paper_preset_scales_its_rate_with_the_global_batch() -> None:
    config = cfg.build(TrainConfig, {"data": "d", "preset": "paper", "batch_size": 256})
    assert config.optimizer == "lars" and config.decay == "cosine" and config.augmentation == "paper"
    assert config.rates(1)[1] == pytest.approx(0.3)
    assert config.rates(4)[1] == pytest.approx(1.2)


def test_overrides_win_and_are_converted() -> None:
    config = cfg.build(TrainConfig, {"data": "d", "learning_rate": [1, 2, 3], "steps": 5.0})
    assert config.learning_rate == (1.0, 2.0, 3.0) and config.steps == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"data": "d", "batch_size": 0}, "batch_size must be positive"),
        ({"data": "d", "nonsense": 1}, "unknown TrainConfig setting: nonsense"),
        ({"data": "d", "steps": "many"}, "setting steps"),
        ({"data": "d", "backbone": "vgg"}, "backbone must be one of"),
        ({}, "no dataset given"),
        ({"data": "d", "learning_rate": [1, 2]}, "setting learning_rate"),
    ],
)
def test_bad_settings_are_config_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        cfg.build(TrainConfig, overrides)


def test_unknown_preset() -> None:
    with pytest.raises(UnknownName, match="known: official, paper"):
        cfg.build(TrainConfig, {"data": "d", "preset": "fast"})


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    config = cfg.build(TrainConfig, {"data": "d", "preset": "paper", "steps": 7})
    cfg.save(config, tmp_path / "config.yaml")
    assert cfg.load(TrainConfig, tmp_path / "config.yaml") == config


def test_evaluation_and_prediction_need_their_checkpoints() -> None:
    with pytest.raises(ConfigError, match="--encoder CKPT or --pretrained"):
        cfg.build(EvalConfig, {"data": "d"})
    with pytest.raises(ConfigError, match="--classifier"):
        cfg.build(PredictConfig, {"images": ["a.png"], "encoder": "e.ckpt"})
    assert cfg.build(PredictConfig, {"images": ["a.png"], "pretrained": True}).images == ("a.png",)
