"""MindSpore Hub entry points of the SimCLR model package: ``create_network(name, **kwargs)``.

Networks (each entry's docstring says what it returns):

- ``simclr``: encoder plus projection head, the official pre-training network (the encoder card);
- ``simclr_encoder``: the encoder alone, returning the features ``h``;
- ``simclr_classifier``: encoder plus a linear head, returning logits (the linear-classifier card).

Keyword arguments, with the official values as defaults: ``backbone`` (``resnet18``, ``resnet34``,
``resnet50``; default ``resnet50``), ``width_multiplier`` (1), ``projection_dimension`` (128, for
``simclr``), ``cifar_stem`` (True), ``num_classes`` (10, for ``simclr_classifier``).

Importing this module does not import MindSpore; building a network does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .networks.network import SimCLR, SimCLRClassifier, SimCLREncoder


def simclr(
    *,
    backbone: str = "resnet50",
    width_multiplier: float = 1,
    projection_dimension: int = 128,
    cifar_stem: bool = True,
) -> SimCLR:
    """SimCLR pre-training network: ResNet encoder plus projection head Dense-ReLU-Dense.

    Input: images (N, 3, 32, 32) float32. Output: projections z (N, projection_dimension), the
    vectors the NT-Xent loss compares; ``network.features(x)`` gives the 2048-d features h.
    The official encoder checkpoint (simclr_encoder_cifar10) fills it.
    """
    from .networks.network import SimCLR
    from .networks.resnet import build_backbone

    encoder = build_backbone(backbone, width_multiplier=width_multiplier, cifar_stem=cifar_stem)
    return SimCLR(encoder, projection_dimension=projection_dimension)


def simclr_encoder(
    *, backbone: str = "resnet50", width_multiplier: float = 1, cifar_stem: bool = True
) -> SimCLREncoder:
    """SimCLR encoder alone: images (N, 3, 32, 32) to features h (N, 2048 for ResNet-50).

    The representation to use downstream (kNN, linear probes, fine-tuning). The official encoder
    checkpoint fills it; its projection head is ignored.
    """
    from .networks.network import SimCLREncoder
    from .networks.resnet import build_backbone

    return SimCLREncoder(build_backbone(backbone, width_multiplier=width_multiplier, cifar_stem=cifar_stem))


def simclr_classifier(
    *,
    backbone: str = "resnet50",
    width_multiplier: float = 1,
    cifar_stem: bool = True,
    num_classes: int = 10,
) -> SimCLRClassifier:
    """SimCLR linear classifier: the encoder plus a linear layer, images to class logits.

    Input: images (N, 3, 32, 32) float32 (raw 0-255 pixels, as the official recipe trains on).
    Output: logits (N, num_classes), CIFAR-10's classes in order. Needs both official checkpoints:
    the encoder's (simclr_encoder_cifar10) and the linear classifier's
    (simclr_linearclassifier_cifar10).
    """
    from .networks.network import SimCLRClassifier
    from .networks.resnet import build_backbone

    encoder = build_backbone(backbone, width_multiplier=width_multiplier, cifar_stem=cifar_stem)
    return SimCLRClassifier(encoder, num_classes=num_classes)


NETWORKS: dict[str, Callable[..., Any]] = {
    "simclr": simclr,
    "simclr_encoder": simclr_encoder,
    "simclr_classifier": simclr_classifier,
}
"""The networks ``create_network`` builds, by name."""


def create_network(name: str, *args: Any, **kwargs: Any) -> Any:
    """Build the network ``name`` (``simclr``, ``simclr_encoder`` or ``simclr_classifier``).

    MindSpore Hub's entry point. Keyword arguments go to the entry: ``backbone``,
    ``width_multiplier``, ``cifar_stem``, and ``projection_dimension`` (simclr) or ``num_classes``
    (simclr_classifier). Positional arguments are not accepted: every setting has a name. An
    unknown name raises ``UnknownName`` listing the known ones.
    """
    try:
        entry = NETWORKS[name]
    except KeyError:
        from .errors import UnknownName

        raise UnknownName("network", name, list(NETWORKS)) from None
    if args:
        raise TypeError(f"create_network({name!r}) takes keyword arguments only, got {len(args)} positional")
    return entry(**kwargs)


def load_pretrained(network: Any, checkpoints: list[Any]) -> Any:
    """Fill a network built by ``create_network`` from the cards' checkpoints, strictly.

    hub-plugin's ``load`` calls this with the verified checkpoint files of the card and of the
    cards it requires (the classifier needs the encoder's and the linear classifier's). Optimizer
    state and, for the encoder-only and classifier networks, the projection head are ignored;
    anything else that does not fit raises ``CheckpointMismatch``. Returns a ``LoadReport``.
    """
    from .networks.checkpoint import load_checkpoint

    return load_checkpoint(network, *checkpoints)


__all__ = ["NETWORKS", "create_network", "load_pretrained", "simclr", "simclr_classifier", "simclr_encoder"]


# --- Tasks: hub-plugin train | eval | predict simclr -------------------------------------------


def _settings(config: Any, overrides: dict[str, Any]) -> Any:
    """A typed config, or a mapping of overrides, with ``overrides`` applied on top."""
    if config is None:
        return overrides
    if hasattr(config, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.replace(config, **overrides) if overrides else config
    return {**dict(config), **overrides}


def train(config: Any = None, /, **overrides: Any) -> Any:
    """SimCLR pre-training on CIFAR-10, resumable, on one device or data-parallel under msrun.

    ``config``: a ``TrainConfig`` (``config.py``) or a mapping of overrides of the preset
    (``preset``: ``official``, MindSpore's recipe, or ``paper``); keyword arguments override
    further. Writes ``config.yaml``, ``train.log``, ``metrics.jsonl`` and ``checkpoints/`` to
    ``output``. Returns a ``TrainResult``. Example: ``train(data="cifar10", backbone="resnet18",
    width_multiplier=0.25, epochs=10, output="run")``.
    """
    from .pretraining.training import pretrain

    return pretrain(_settings(config, overrides))


def evaluate(config: Any = None, /, **overrides: Any) -> Any:
    """Linear evaluation of a SimCLR encoder on CIFAR-10, plus its kNN accuracy.

    Extracts the frozen encoder's features once (no augmentation), trains a linear classifier with
    Adam and the preset's warm-up and decay, reports top-1 and top-5 over every test image, and
    writes the classifier (``model.weight``, ``model.bias``), the encoder and a card for each.
    ``config``: an ``EvalConfig`` or a mapping of overrides (``data``, ``encoder`` or
    ``pretrained``, ...). Returns an ``EvalResult``.
    """
    from .evaluation.linear_eval import linear_evaluation

    return linear_evaluation(_settings(config, overrides))


def predict(config: Any = None, /, **overrides: Any) -> Any:
    """CIFAR-10 classes, with probabilities, for images (PNG or JPEG, any size).

    ``config``: a ``PredictConfig`` or a mapping (``images``, ``encoder`` and ``classifier``
    checkpoints or ``pretrained``, ``top_k``). An image that is missing or unreadable gets an
    error of its own; the others are still answered. Returns a ``PredictionReport``.
    """
    from .evaluation.predict import predict_images

    return predict_images(_settings(config, overrides))


def card_task_options(task: str, network: str, arguments: dict[str, Any],
                      checkpoints: list[Any]) -> dict[str, Any]:
    """hub-plugin's hook: ``predict``'s options for a card whose ``network`` field names this
    package (``hub-plugin predict UID IMAGE...``, e.g. a classifier ``eval`` wrote and ``publish``
    put on a hub): the classifier's backbone and width, the encoder's checkpoint (the card it
    requires) and the classifier's (its own), already verified."""
    from .errors import ConfigError

    if task != "predict" or network != "simclr_classifier" or len(checkpoints) != 2:
        raise ConfigError(f"{task} needs a simclr_classifier card that requires its encoder card "
                          f"(got the network {network} with {len(checkpoints)} checkpoint(s))")
    options = {"encoder": str(checkpoints[0]), "classifier": str(checkpoints[1])}
    for name in ("backbone", "width_multiplier"):
        if name in arguments:
            options[name] = arguments[name]
    return options


def add_arguments(task: str, parser: Any) -> None:
    """hub-plugin's hook: add the command-line options of ``task`` to an argparse parser."""
    from .arguments import add_arguments as add_task_arguments

    add_task_arguments(task, parser)


def check_arguments(task: str, overrides: dict[str, Any]) -> None:
    """hub-plugin's hook: raise a clear error when the options of ``task`` cannot work (a bad
    setting, a missing dataset, a resume that does not match), before any worker is started."""
    from .arguments import check_arguments as check_task_arguments

    check_task_arguments(task, overrides)


__all__ += ["add_arguments", "card_task_options", "check_arguments", "evaluate", "predict", "train"]


# --- Calibration images: hub-plugin export --quantize int8 --------------------------------------


def calibration_images(
    role: str = "calibration", *, folder: Any = None, count: int = 128, skip: int = 0
) -> Any:
    """Network inputs (N, 3, 32, 32) float32, preprocessed as ``predict`` does, for an INT8 export.

    ``role``: ``calibration`` or ``check``. ``folder``: PNG or JPEG images at any depth (e.g. the
    CIFAR-10 JPEG folders) or a CIFAR-10 binary or Python release, taken in a seeded order after the
    first ``skip``; ``None``: the package's preset, seeded synthetic colour fields (a seed per role).
    See ``data/calibration_images.py``.
    """
    from .data.calibration_images import calibration_images as images

    return images(role, folder=folder, count=count, skip=skip)  # type: ignore[arg-type]


__all__ += ["calibration_images"]
