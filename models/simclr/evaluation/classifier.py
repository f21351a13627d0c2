"""The SimCLR classifier (encoder plus linear layer) built from its two checkpoints.

Used by prediction (:mod:`.predict`, through :mod:`.classifier_runtime`) and by the inference
benchmark: :func:`build_classifier` fills it strictly, from the hub's official checkpoints with
``pretrained`` or from the files the config names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import PredictConfig

if TYPE_CHECKING:
    from ..networks.network import SimCLRClassifier


def build_classifier(config: PredictConfig) -> SimCLRClassifier:
    """The classifier filled strictly from the encoder and classifier checkpoints."""
    from ..networks.checkpoint import load_checkpoint
    from ..networks.network import SimCLRClassifier
    from ..networks.resnet import build_backbone
    from ..pretraining.checkpoint_store import STATE_KEY

    network = SimCLRClassifier(build_backbone(config.backbone, width_multiplier=config.width_multiplier))
    if config.pretrained:
        from .linear_eval import official_checkpoint

        sources = [official_checkpoint("simclr_encoder_cifar10"),
                   official_checkpoint("simclr_linearclassifier_cifar10")]
    else:
        sources = [str(config.encoder), str(config.classifier)]
    load_checkpoint(network, *sources, ignore=(STATE_KEY,))
    network.set_train(False)
    return network


__all__ = ["build_classifier"]
