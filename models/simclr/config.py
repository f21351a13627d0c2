"""The typed settings of SimCLR's training, evaluation and prediction, and their named presets.

Each task has a frozen dataclass (:class:`TrainConfig`, :class:`EvalConfig`,
:class:`PredictConfig`) whose defaults are MindSpore's official recipe. Two presets, small YAML
files in ``presets/``, name the recipes:

- ``official``: MindSpore's official SimCLR (model zoo r1.8): Adam with weight decay 3e-4 except
  BatchNorm and biases, batch 128, 100 epochs, 15 warm-up epochs then linear decay (1e-5 -> 9e-5 ->
  1e-7 on one device, 1e-4 -> 9e-4 -> 1e-6 data-parallel), temperature 0.5;
- ``paper``: the paper's setting (Chen et al. 2020, arXiv 2002.05709): the large-batch recipe of
  section B.1 (LARS, learning rate 0.3 x batch/256, weight decay 1e-6, 10 warm-up epochs then
  cosine decay) with the CIFAR-10 changes of appendix B.9 (stem, augmentation, temperature 0.5).

:func:`build` makes a config from a preset plus overrides (what a person gave on the command line);
every value is checked, and a wrong one is a :class:`~.errors.ConfigError` naming the setting. A run
saves its config next to its outputs (``config.yaml``), and ``--resume`` starts from that file.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from hub_plugin.core import yamlio
from hub_plugin.errors import YamlError

from .errors import ConfigError, UnknownName

PRESET_DIR = Path(__file__).resolve().parent / "presets"
PRESET_NAMES: tuple[str, ...] = ("official", "paper")
BACKBONES: tuple[str, ...] = ("resnet18", "resnet34", "resnet50")
DEVICES: tuple[str, ...] = ("cpu", "gpu", "ascend")
RUNTIMES: tuple[str, ...] = ("mindspore", "onnxruntime")
OPTIMIZERS: tuple[str, ...] = ("adam", "lars", "sgd")
DECAYS: tuple[str, ...] = ("linear", "cosine")
MODES: tuple[str, ...] = ("graph", "pynative")

Rates = tuple[float, float, float]


@dataclass(frozen=True)
class TrainConfig:
    """SimCLR pre-training (``hub-plugin train simclr``); defaults are the official recipe.

    Network: ``backbone``, ``width_multiplier``, ``projection_dimension``. Data: ``data`` (a
    CIFAR-10 folder), ``augmentation`` (``official`` or ``paper``, see :mod:`.transforms`),
    ``data_workers`` (the pipeline's threads). Length: ``epochs``, or ``steps`` (optimizer steps in
    all; it wins over ``epochs``). ``batch_size`` is per worker.

    Optimisation: ``optimizer`` (``adam`` as official; ``lars`` or ``sgd`` with ``momentum`` as in
    the paper), ``weight_decay`` (never on BatchNorm or biases), ``learning_rate`` as (start,
    peak, end) of the schedule ``decay`` (``linear`` or ``cosine``) after ``warmup_epochs``.
    ``learning_rate_batch``: when set, the rates are for that global batch and scale linearly with
    the actual one. ``data_parallel_learning_rate``: the rates used with several workers (the
    official recipe's tenfold ones); ``None`` keeps ``learning_rate`` (scaled as above).

    Loss: ``temperature``, ``official_loss_scaling`` (report ``2 L`` as the official code does),
    ``gather_negatives`` (data-parallel: negatives from every worker).

    Bookkeeping: ``output`` (folder), ``checkpoint_every`` (steps), ``keep_checkpoints``,
    ``log_every`` (steps), ``knn_every`` (epochs; 0 turns the kNN monitor off), ``knn_k``,
    ``knn_temperature``, ``knn_samples`` (bank and test images used, 0 for all), ``seed``,
    ``resume``, ``device``, ``mode`` (``graph``, or ``pynative`` for debugging).
    """

    data: str = ""
    output: str = "simclr-train"
    device: str = "cpu"
    preset: str = "official"
    backbone: str = "resnet50"
    width_multiplier: float = 1.0
    projection_dimension: int = 128
    augmentation: str = "official"
    epochs: int = 100
    steps: int | None = None
    batch_size: int = 128
    optimizer: str = "adam"
    learning_rate: Rates = (1.0e-5, 9.0e-5, 1.0e-7)
    learning_rate_batch: int | None = None
    data_parallel_learning_rate: Rates | None = (1.0e-4, 9.0e-4, 1.0e-6)
    warmup_epochs: float = 15.0
    decay: str = "linear"
    weight_decay: float = 3.0e-4
    momentum: float = 0.9
    temperature: float = 0.5
    official_loss_scaling: bool = True
    gather_negatives: bool = True
    seed: int = 0
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    log_every: int = 10
    knn_every: int = 0
    knn_k: int = 200
    knn_temperature: float = 0.1
    knn_samples: int = 0
    data_workers: int = 4
    mode: str = "graph"
    resume: bool = False

    def check(self) -> TrainConfig:
        """This config, after checking every value; raises :class:`ConfigError`."""
        _common_checks(self)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("mode", self.mode, MODES)
        _positive("projection_dimension", self.projection_dimension)
        _positive("epochs", self.epochs)
        if self.steps is not None:
            _positive("steps", self.steps)
        _positive("checkpoint_every", self.checkpoint_every)
        _positive("keep_checkpoints", self.keep_checkpoints)
        _positive("log_every", self.log_every)
        _positive("knn_k", self.knn_k)
        _positive("temperature", self.temperature)
        _positive("knn_temperature", self.knn_temperature)
        _not_negative("knn_every", self.knn_every)
        _not_negative("knn_samples", self.knn_samples)
        _not_negative("weight_decay", self.weight_decay)
        _not_negative("warmup_epochs", self.warmup_epochs)
        if self.learning_rate_batch is not None:
            _positive("learning_rate_batch", self.learning_rate_batch)
        for name in ("learning_rate", "data_parallel_learning_rate"):
            rates = getattr(self, name)
            if rates is not None and (len(rates) != 3 or any(rate < 0 for rate in rates)):
                raise ConfigError(f"{name} must be three rates (start, peak, end) >= 0, got {rates}")
        return self

    def rates(self, world_size: int) -> Rates:
        """The (start, peak, end) learning rates for ``world_size`` workers."""
        rates = self.learning_rate
        if world_size > 1 and self.data_parallel_learning_rate is not None:
            rates = self.data_parallel_learning_rate
        if self.learning_rate_batch is not None:
            scale = self.batch_size * world_size / self.learning_rate_batch
            rates = (rates[0] * scale, rates[1] * scale, rates[2] * scale)
        return rates


@dataclass(frozen=True)
class EvalConfig:
    """Linear evaluation (``hub-plugin eval simclr``): a linear classifier on frozen features.

    ``encoder``: a checkpoint of the ``simclr`` network (a training checkpoint, or the official
    encoder checkpoint); ``pretrained`` uses the official one from the hub instead. Features are
    extracted once without augmentation; the classifier trains with Adam for ``epochs`` with the
    warm-up and ``decay`` of the preset. The kNN accuracy (``knn_k``, ``knn_temperature``) is
    reported too. ``output`` receives the classifier checkpoint, the encoder checkpoint and their
    cards, whose asset links start with ``asset_base_url`` (where the files will be published).
    """

    data: str = ""
    encoder: str | None = None
    pretrained: bool = False
    output: str = "simclr-eval"
    device: str = "cpu"
    preset: str = "official"
    backbone: str = "resnet50"
    width_multiplier: float = 1.0
    augmentation: str = "official"
    epochs: int = 100
    batch_size: int = 128
    learning_rate: Rates = (1.0e-5, 1.0e-3, 1.0e-6)
    warmup_epochs: float = 15.0
    decay: str = "linear"
    weight_decay: float = 0.0
    knn_k: int = 200
    knn_temperature: float = 0.1
    seed: int = 0
    data_workers: int = 4
    card_name: str = "cifar10_trained"
    asset_base_url: str = "https://download.example.com/models/simclr"
    author: str = "hub-plugin"

    def check(self) -> EvalConfig:
        """This config, after checking every value; raises :class:`ConfigError`."""
        _common_checks(self)
        _positive("epochs", self.epochs)
        _positive("knn_k", self.knn_k)
        _positive("knn_temperature", self.knn_temperature)
        _not_negative("weight_decay", self.weight_decay)
        _not_negative("warmup_epochs", self.warmup_epochs)
        if self.encoder is None and not self.pretrained:
            raise ConfigError("evaluation needs an encoder: give --encoder CKPT or --pretrained")
        if self.encoder is not None and self.pretrained:
            raise ConfigError("give either --encoder CKPT or --pretrained, not both")
        if not self.card_name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"card_name must be letters, digits, '_' and '-', got {self.card_name!r}")
        return self


@dataclass(frozen=True)
class PredictConfig:
    """Prediction (``hub-plugin predict simclr IMAGE...``): CIFAR-10 classes for images.

    ``encoder`` and ``classifier`` are checkpoints (the ``simclr`` network's and the linear
    classifier's, e.g. those ``eval`` writes); ``pretrained`` uses the official ones from the hub.
    ``model`` is an exported file instead (``hub-plugin export``); ``runtime`` runs the classifier:
    ``mindspore`` (the default) or ``onnxruntime`` (the ``model``'s own by default).
    ``top_k`` classes are given per image with their probabilities.
    """

    images: tuple[str, ...] = ()
    encoder: str | None = None
    classifier: str | None = None
    pretrained: bool = False
    device: str = "cpu"
    preset: str = "official"
    backbone: str = "resnet50"
    width_multiplier: float = 1.0
    augmentation: str = "official"
    top_k: int = 5
    batch_size: int = 64
    runtime: str | None = None
    model: str | None = None

    def check(self) -> PredictConfig:
        """This config, after checking every value; raises :class:`ConfigError`."""
        _choice("device", self.device, DEVICES)
        if self.runtime is not None:
            _choice("runtime", self.runtime, RUNTIMES)
        _choice("backbone", self.backbone, BACKBONES)
        _choice("augmentation", self.augmentation, PRESET_NAMES)
        _positive("width_multiplier", self.width_multiplier)
        _positive("top_k", self.top_k)
        _positive("batch_size", self.batch_size)
        if not self.images:
            raise ConfigError("no images given")
        if self.model is not None and (self.pretrained or self.encoder or self.classifier):
            raise ConfigError("give --model FILE, or checkpoints (--encoder/--classifier, --pretrained)")
        if self.model is not None:
            return self
        if self.pretrained and (self.encoder or self.classifier):
            raise ConfigError("give either --encoder and --classifier, or --pretrained")
        if not self.pretrained and not (self.encoder and self.classifier):
            raise ConfigError("prediction needs --encoder CKPT and --classifier CKPT, or --pretrained")
        return self


Config = TypeVar("Config", TrainConfig, EvalConfig, PredictConfig)
_SECTIONS: dict[type, str] = {TrainConfig: "train", EvalConfig: "evaluate"}


def preset_values(preset: str, section: str) -> dict[str, Any]:
    """The values the preset ``preset`` sets for ``section`` (``train`` or ``evaluate``)."""
    if preset not in PRESET_NAMES:
        raise UnknownName("preset", preset, PRESET_NAMES)
    document = yamlio.load_mapping(PRESET_DIR / f"{preset}.yaml")
    values: dict[str, Any] = dict(document.get(section) or {})
    return values


def build(kind: type[Config], overrides: Mapping[str, Any] | None = None) -> Config:
    """A checked ``kind`` config: the preset named in ``overrides`` (default ``official``) plus the
    overrides. Unknown names and wrong types are :class:`ConfigError`."""
    overrides = dict(overrides or {})
    preset = str(overrides.get("preset", "official"))
    values: dict[str, Any] = {"preset": preset} if "preset" in _field_types(kind) else {}
    section = _SECTIONS.get(kind)
    if section is not None:
        values.update(preset_values(preset, section))
    values.update(overrides)
    return from_mapping(kind, values)


def from_mapping(kind: type[Config], values: Mapping[str, Any]) -> Config:
    """A checked ``kind`` config from plain values (lists become tuples, numbers are converted)."""
    types_ = _field_types(kind)
    unknown = sorted(set(values) - set(types_))
    if unknown:
        raise ConfigError(
            f"unknown {kind.__name__} setting{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            hint=f"known: {', '.join(types_)}",
        )
    converted = {name: _convert(name, value, types_[name]) for name, value in values.items()}
    config: Config = kind(**converted)
    return config.check()


def to_mapping(config: TrainConfig | EvalConfig | PredictConfig) -> dict[str, Any]:
    """The config as plain YAML/JSON values (tuples become lists)."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in dataclasses.asdict(config).items()
    }


def save(config: TrainConfig | EvalConfig | PredictConfig, path: Path) -> None:
    """Write the config as YAML to ``path`` (atomically: a temporary file, then a rename)."""
    temporary = path.with_name(f".{path.name}.partial")
    text = f"# {type(config).__name__} of this run (preset {getattr(config, 'preset', '-')})\n"
    text += yamlio.dump(to_mapping(config))
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def load(kind: type[Config], path: Path) -> Config:
    """The ``kind`` config saved at ``path``."""
    try:
        values = yamlio.load(path)
    except YamlError as error:
        raise ConfigError(f"cannot read the saved settings {error}") from error
    if not isinstance(values, dict):
        raise ConfigError(f"{path} does not hold a mapping of settings")
    return from_mapping(kind, values)


# --- checks and conversions -------------------------------------------------------------------


def _common_checks(config: TrainConfig | EvalConfig) -> None:
    _choice("preset", config.preset, PRESET_NAMES)
    _choice("device", config.device, DEVICES)
    _choice("backbone", config.backbone, BACKBONES)
    _choice("augmentation", config.augmentation, PRESET_NAMES)
    _choice("decay", config.decay, DECAYS)
    _positive("width_multiplier", config.width_multiplier)
    _positive("batch_size", config.batch_size)
    _positive("data_workers", config.data_workers)
    if not config.data:
        raise ConfigError("no dataset given: pass --data PATH (a CIFAR-10 folder)")


def _choice(name: str, value: str, known: tuple[str, ...]) -> None:
    if value not in known:
        raise ConfigError(f"{name} must be one of {', '.join(known)}, got {value!r}")


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ConfigError(f"{name} must be positive, got {value}")


def _not_negative(name: str, value: float) -> None:
    if not value >= 0:
        raise ConfigError(f"{name} must not be negative, got {value}")


def _field_types(kind: type) -> dict[str, Any]:
    hints = typing.get_type_hints(kind)
    return {field.name: hints[field.name] for field in fields(kind)}


def _convert(name: str, value: Any, annotation: Any) -> Any:
    """``value`` as the field's type: ``int``, ``float``, ``bool``, ``str``, tuples, optionals."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        inner = [argument for argument in arguments if argument is not type(None)]
        return _convert(name, value, inner[0])
    try:
        if origin is tuple:
            if isinstance(value, str) or not hasattr(value, "__iter__"):
                raise TypeError("expected a list")
            items = list(value)
            if len(arguments) == 2 and arguments[1] is Ellipsis:
                return tuple(_convert(name, item, arguments[0]) for item in items)
            if len(items) != len(arguments):
                raise TypeError(f"expected {len(arguments)} values, got {len(items)}")
            return tuple(_convert(name, item, kind) for item, kind in zip(items, arguments, strict=True))
        if annotation is bool:
            if isinstance(value, bool):
                return value
            raise TypeError("expected true or false")
        if annotation is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise TypeError("expected a whole number")
            return int(value)
        if annotation is float:
            if isinstance(value, bool):
                raise TypeError("expected a number")
            return float(value)
        if annotation is str:
            if not isinstance(value, (str, Path)):
                raise TypeError("expected text")
            return str(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"setting {name}: {error} (got {value!r})") from None
    return value


__all__ = [
    "PRESET_NAMES",
    "EvalConfig",
    "PredictConfig",
    "TrainConfig",
    "build",
    "from_mapping",
    "load",
    "preset_values",
    "save",
    "to_mapping",
]
