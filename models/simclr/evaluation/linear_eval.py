"""Linear evaluation of a SimCLR encoder: the paper's measure of a representation.

Chen, Kornblith, Norouzi, Hinton 2020, arXiv 2002.05709, section 3 ("linear evaluation protocol"):
a linear classifier ``logits = W h + b`` is trained on the frozen encoder's features ``h``, and its
test accuracy measures the representation. As in MindSpore's official ``linear_eval``, the
classifier is trained with Adam, with a linear warm-up and then the preset's decay.

Here the features of every training and test image are extracted once, without augmentation
(:mod:`.features`), so the classifier trains on a matrix in memory; top-1 and top-5 are counted over
every test image (not averaged per batch); the kNN accuracy (:mod:`.knn`) of the same features is
reported too. The outputs, ready to publish:

- ``simclr_linearclassifier_<name>.ckpt``: the Dense layer as ``model.weight`` and ``model.bias``
  (the official layout);
- ``simclr_encoder_<name>.ckpt``: the ``simclr`` network (``encoder.*``, ``dense1.*``,
  ``end_point.*``) without optimiser state;
- ``simclr_encoder_<name>.md`` and ``simclr_linearclassifier_<name>.md``: their cards, with sha256
  digests, valid under ``hub-plugin validate`` (see :mod:`.model_card`);
- ``evaluation.json``: the figures.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mindspore
import numpy as np
from mindspore import nn

from hub_plugin.cards.completion import publish_command
from hub_plugin.core.progress import Activity
from hub_plugin.packages.device import use_device

from .. import config as config_module
from ..config import EvalConfig
from ..cpu import use_fast_cpu_convolutions
from ..data.image_arrays import load_split
from ..networks.checkpoint import LoadReport, load_checkpoint
from ..networks.network import SimCLR
from ..networks.resnet import build_backbone
from ..pretraining.checkpoint_store import STATE_KEY
from ..pretraining.schedule import learning_rates
from .features import extract_features
from .knn import knn_accuracy
from .model_card import write_cards


class LinearClassifier(nn.Cell):
    """``logits = W h + b`` on features ``h``; the Dense layer is ``model`` as officially named."""

    def __init__(self, num_features: int, num_classes: int = 10) -> None:
        super().__init__()
        self.model = nn.Dense(num_features, num_classes)

    def construct(self, features: mindspore.Tensor) -> mindspore.Tensor:
        return self.model(features)


@dataclass
class EvalResult:
    """Linear-evaluation and kNN accuracy (percent), and the files written."""

    top1: float
    top5: float
    knn_top1: float
    train_images: int
    test_images: int
    epochs: int
    output: str
    classifier: str
    encoder: str
    cards: list[str] = field(default_factory=list)
    loaded: str = ""

    def summary(self) -> str:
        return "\n".join([
            f"linear evaluation over {self.test_images} test images: top-1 {self.top1:.2f}%, "
            f"top-5 {self.top5:.2f}% ({self.epochs} epochs on {self.train_images} training images)",
            f"kNN (k=200, T=0.1) top-1: {self.knn_top1:.2f}%",
            f"classifier: {self.classifier}",
            f"encoder: {self.encoder}",
            *(f"card: {card}" for card in self.cards),
            *([publish_command(self.output)] if self.cards else []),
        ])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def topk_accuracy(logits: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Percentage of rows whose label is among the ``k`` highest logits, over every row."""
    k = min(k, logits.shape[1])
    top = np.argpartition(-logits, k - 1, axis=1)[:, :k]
    hits = np.any(top == np.asarray(labels)[:, None], axis=1)
    return 100.0 * float(np.mean(hits)) if len(hits) else 0.0


def train_linear_classifier(
    features: np.ndarray, labels: np.ndarray, config: EvalConfig, num_classes: int = 10
) -> LinearClassifier:
    """A :class:`LinearClassifier` trained on ``features`` with Adam and the config's schedule."""
    mindspore.set_seed(config.seed)
    classifier = LinearClassifier(features.shape[1], num_classes)
    count = len(features)
    batch = min(config.batch_size, count)
    per_epoch = -(-count // batch)
    total = config.epochs * per_epoch
    start, peak, end = config.learning_rate
    rates = learning_rates(
        config.decay, total, min(total, round(config.warmup_epochs * per_epoch)),
        start=start, peak=peak, end=end,
    )
    optimizer = nn.Adam(
        classifier.trainable_params(),
        learning_rate=mindspore.Tensor(rates),
        weight_decay=config.weight_decay,
    )
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    step = nn.TrainOneStepCell(nn.WithLossCell(classifier, loss), optimizer)
    step.set_train(True)
    labels = np.asarray(labels, dtype=np.int32)
    features = np.asarray(features, dtype=np.float32)
    with Activity("linear classifier: epoch", total=config.epochs, lines=True) as shown:
        for epoch in range(config.epochs):
            order = np.random.default_rng([config.seed, epoch]).permutation(count)
            for first in range(0, count, batch):
                chosen = order[first : first + batch]
                step(mindspore.Tensor(features[chosen]), mindspore.Tensor(labels[chosen]))
            shown.advance()
    classifier.set_train(False)
    return classifier


def save_classifier(classifier: LinearClassifier, path: Path) -> None:
    """The classifier as ``model.weight`` and ``model.bias`` (the official layout), atomically."""
    entries = [
        {"name": "model.weight", "data": mindspore.Tensor(classifier.model.weight.asnumpy())},
        {"name": "model.bias", "data": mindspore.Tensor(classifier.model.bias.asnumpy())},
    ]
    _save_atomically(entries, path)


def save_encoder(network: SimCLR, path: Path) -> None:
    """The ``simclr`` network's parameters under their official names, without optimiser state."""
    entries = [
        {"name": name, "data": mindspore.Tensor(parameter.asnumpy())}
        for name, parameter in network.parameters_and_names()
    ]
    _save_atomically(entries, path)


def _save_atomically(entries: list[dict[str, Any]], path: Path) -> None:
    partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
    try:
        mindspore.save_checkpoint(entries, str(partial))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load_encoder(config: EvalConfig) -> tuple[SimCLR, LoadReport]:
    """The ``simclr`` network filled strictly from ``config.encoder`` or the official checkpoint."""
    network = SimCLR(build_backbone(config.backbone, width_multiplier=config.width_multiplier))
    source = config.encoder if config.encoder else official_checkpoint("simclr_encoder_cifar10")
    report = load_checkpoint(network, source, ignore=(STATE_KEY,))
    network.set_train(False)
    return network, report


def official_checkpoint(card: str) -> str:
    """The verified local copy of the official checkpoint of ``card`` (downloaded once)."""
    from hub_plugin.api import download

    return str(download(card)[0])


def linear_evaluation(overrides: EvalConfig | Mapping[str, Any]) -> EvalResult:
    """Run the linear evaluation the config describes; see the module docstring."""
    config = (
        overrides.check() if isinstance(overrides, EvalConfig)
        else config_module.build(EvalConfig, overrides)
    )
    if config.device == "cpu":
        use_fast_cpu_convolutions()
    use_device(config.device)
    previous_mode = mindspore.get_context("mode")
    mindspore.set_context(mode=mindspore.GRAPH_MODE)
    try:
        return _evaluate(config)
    finally:
        mindspore.set_context(mode=previous_mode)


def _evaluate(config: EvalConfig) -> EvalResult:
    train_set = load_split(config.data, "train", data_workers=config.data_workers)
    test_set = load_split(config.data, "test", data_workers=config.data_workers)
    network, report = load_encoder(config)
    options = {"augmentation": config.augmentation, "data_workers": config.data_workers}
    images = len(train_set.images) + len(test_set.images)
    with Activity(f"features of the {len(train_set.images)} training images", total=images,
                  lines=True) as shown:
        train_features = extract_features(network.encoder, train_set.images, done=shown.advance,
                                          **options)
        shown.phase(f"features of the {len(test_set.images)} test images")
        test_features = extract_features(network.encoder, test_set.images, done=shown.advance,
                                         **options)
    knn = knn_accuracy(test_features, test_set.labels, train_features, train_set.labels, 10,
                       k=config.knn_k, temperature=config.knn_temperature)
    classifier = train_linear_classifier(train_features, train_set.labels, config)
    logits = classifier(mindspore.Tensor(test_features)).asnumpy()
    top1 = topk_accuracy(logits, test_set.labels, 1)
    top5 = topk_accuracy(logits, test_set.labels, 5)

    output = Path(config.output)
    output.mkdir(parents=True, exist_ok=True)
    classifier_path = output / f"simclr_linearclassifier_{config.card_name}.ckpt"
    encoder_path = output / f"simclr_encoder_{config.card_name}.ckpt"
    save_classifier(classifier, classifier_path)
    save_encoder(network, encoder_path)
    cards = write_cards(
        output, config, encoder=encoder_path, classifier=classifier_path, top1=top1, top5=top5,
        knn_top1=knn.top1,
    )
    config_module.save(config, output / "config.yaml")
    result = EvalResult(
        top1=top1, top5=top5, knn_top1=knn.top1, train_images=len(train_set),
        test_images=len(test_set), epochs=config.epochs, output=str(output),
        classifier=str(classifier_path), encoder=str(encoder_path),
        cards=[str(card) for card in cards], loaded=report.summary(),
    )
    (output / "evaluation.json").write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return result


__all__ = [
    "EvalResult",
    "LinearClassifier",
    "linear_evaluation",
    "load_encoder",
    "save_classifier",
    "save_encoder",
    "topk_accuracy",
    "train_linear_classifier",
]
