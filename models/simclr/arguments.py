"""The command-line options of SimCLR's ``train``, ``eval`` and ``predict``.

``hub-plugin`` builds each command's parser from its generic options (``--device``, ``--format``,
and for ``train`` the msrun launch options) and calls :func:`add_arguments`, the hubconf hook, for
the package's own. Every option defaults to ``argparse.SUPPRESS``: only what a person typed becomes
an override of the preset (see :mod:`.config`), and ``--resume`` can tell a changed setting from
an unchanged one.
"""

from __future__ import annotations

import argparse
from typing import Any

from .config import BACKBONES, DECAYS, MODES, OPTIMIZERS, PRESET_NAMES, RUNTIMES

_SUPPRESS = argparse.SUPPRESS


def _network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", choices=PRESET_NAMES, default=_SUPPRESS,
                        help="the recipe: official (MindSpore's, the default) or paper")
    parser.add_argument("--backbone", choices=BACKBONES, default=_SUPPRESS,
                        help="the ResNet encoder (default resnet50)")
    parser.add_argument("--width-multiplier", dest="width_multiplier", type=float, default=_SUPPRESS,
                        metavar="W", help="scales every ResNet width (default 1)")
    parser.add_argument("--augmentation", choices=PRESET_NAMES, default=_SUPPRESS,
                        help="the augmentation preset (default: the recipe's)")


def _train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=_SUPPRESS, metavar="PATH",
                        help="CIFAR-10: cifar-10-batches-bin/, cifar-10-batches-py/ or train|test/<class>/")
    parser.add_argument("--output", default=_SUPPRESS, metavar="DIR",
                        help="the run's folder: config, log, metrics, checkpoints (default simclr-train)")
    _network_options(parser)
    parser.add_argument("--projection-dimension", dest="projection_dimension", type=int,
                        default=_SUPPRESS, metavar="D", help="width of the projection z (128)")
    parser.add_argument("--epochs", type=int, default=_SUPPRESS, metavar="N")
    parser.add_argument("--steps", type=int, default=_SUPPRESS, metavar="N",
                        help="optimizer steps in all (wins over --epochs)")
    parser.add_argument("--batch-size", dest="batch_size", type=int, default=_SUPPRESS, metavar="N",
                        help="images per step and worker (official 128)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=_SUPPRESS)
    parser.add_argument("--learning-rate", dest="learning_rate", type=float, nargs=3,
                        default=_SUPPRESS, metavar=("START", "PEAK", "END"),
                        help="the schedule's rates (official: 1e-5 9e-5 1e-7)")
    parser.add_argument("--warmup-epochs", dest="warmup_epochs", type=float, default=_SUPPRESS)
    parser.add_argument("--decay", choices=DECAYS, default=_SUPPRESS)
    parser.add_argument("--weight-decay", dest="weight_decay", type=float, default=_SUPPRESS)
    parser.add_argument("--temperature", type=float, default=_SUPPRESS, help="NT-Xent's tau (0.5)")
    parser.add_argument("--seed", type=int, default=_SUPPRESS)
    parser.add_argument("--checkpoint-every", dest="checkpoint_every", type=int, default=_SUPPRESS,
                        metavar="STEPS", help="write a checkpoint every STEPS steps (and at the end)")
    parser.add_argument("--keep-checkpoints", dest="keep_checkpoints", type=int, default=_SUPPRESS,
                        metavar="K", help="keep the last K checkpoints (3)")
    parser.add_argument("--log-every", dest="log_every", type=int, default=_SUPPRESS, metavar="STEPS")
    parser.add_argument("--knn-every", dest="knn_every", type=int, default=_SUPPRESS, metavar="EPOCHS",
                        help="run the kNN monitor every EPOCHS epochs (0: off, the default)")
    parser.add_argument("--knn-samples", dest="knn_samples", type=int, default=_SUPPRESS, metavar="N",
                        help="bank and test images the kNN monitor uses (0: all)")
    parser.add_argument("--data-workers", dest="data_workers", type=int, default=_SUPPRESS,
                        metavar="N", help="threads of the augmentation pipeline")
    parser.add_argument("--mode", choices=MODES, default=_SUPPRESS,
                        help="graph (compiled, the default) or pynative")
    parser.add_argument("--resume", action="store_true", default=_SUPPRESS,
                        help="continue from the newest good checkpoint in --output")


def _eval_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=_SUPPRESS, metavar="PATH", help="CIFAR-10 (train and test)")
    parser.add_argument("--encoder", default=_SUPPRESS, metavar="CKPT",
                        help="the simclr network's checkpoint (a training checkpoint or the official one)")
    parser.add_argument("--pretrained", action="store_true", default=_SUPPRESS,
                        help="use the hub's official encoder checkpoint")
    parser.add_argument("--output", default=_SUPPRESS, metavar="DIR",
                        help="where the classifier, the encoder and their cards go (simclr-eval)")
    _network_options(parser)
    parser.add_argument("--epochs", type=int, default=_SUPPRESS, metavar="N",
                        help="epochs of the linear classifier (100)")
    parser.add_argument("--batch-size", dest="batch_size", type=int, default=_SUPPRESS, metavar="N")
    parser.add_argument("--learning-rate", dest="learning_rate", type=float, nargs=3,
                        default=_SUPPRESS, metavar=("START", "PEAK", "END"))
    parser.add_argument("--seed", type=int, default=_SUPPRESS)
    parser.add_argument("--data-workers", dest="data_workers", type=int, default=_SUPPRESS, metavar="N")
    parser.add_argument("--card-name", dest="card_name", default=_SUPPRESS, metavar="NAME",
                        help="cards are simclr_encoder_NAME.md and simclr_linearclassifier_NAME.md")
    parser.add_argument("--asset-base-url", dest="asset_base_url", default=_SUPPRESS, metavar="URL",
                        help="where the checkpoints will be published (the cards' asset links)")
    parser.add_argument("--author", default=_SUPPRESS)


def _predict_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG or JPEG files, any size")
    parser.add_argument("--encoder", default=_SUPPRESS, metavar="CKPT",
                        help="the simclr network's checkpoint")
    parser.add_argument("--classifier", default=_SUPPRESS, metavar="CKPT",
                        help="the linear classifier's checkpoint (model.weight, model.bias)")
    parser.add_argument("--pretrained", action="store_true", default=_SUPPRESS,
                        help="use the hub's official encoder and classifier checkpoints")
    _network_options(parser)
    parser.add_argument("--top-k", dest="top_k", type=int, default=_SUPPRESS, metavar="K",
                        help="classes shown per image (5)")
    parser.add_argument("--model", default=_SUPPRESS, metavar="FILE",
                        help="an exported classifier (.onnx or .mindir, from 'hub-plugin export') "
                        "instead of checkpoints")
    parser.add_argument("--runtime", choices=RUNTIMES, default=_SUPPRESS,
                        help="what runs the classifier: mindspore (default; a .mindir --model through "
                        "nn.GraphCell) or onnxruntime (a .onnx --model, or the checkpoints' network "
                        "exported to ONNX first; needs the onnx extra)")


_OPTIONS = {"train": _train_options, "evaluate": _eval_options, "predict": _predict_options}


def add_arguments(task: str, parser: argparse.ArgumentParser) -> None:
    """Add the options of ``task`` (``train``, ``evaluate``, ``predict``) to ``parser``."""
    _OPTIONS[task](parser)


def check_arguments(task: str, overrides: dict[str, Any]) -> None:
    """Raise the typed error that running ``task`` with ``overrides`` would raise at its start:
    a bad setting (:class:`~.errors.ConfigError`), a resume that does not match
    (:class:`~.errors.ResumeError`), a missing dataset (:class:`~.errors.DatasetError`)."""
    from . import config as config_module

    if task == "train":
        from .data.datasets import locate_cifar10
        from .pretraining.training import resolve_config

        locate_cifar10(resolve_config(overrides).data)
    elif task == "evaluate":
        from .data.datasets import locate_cifar10

        locate_cifar10(config_module.build(config_module.EvalConfig, overrides).data)


__all__ = ["add_arguments", "check_arguments"]
