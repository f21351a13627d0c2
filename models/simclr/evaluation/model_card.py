"""Cards for a trained SimCLR encoder and its linear classifier, ready to publish to a hub.

The pair mirrors the official cards (``simclr_encoder_cifar10`` and
``simclr_linearclassifier_cifar10``): one card per checkpoint, each with the checkpoint's sha256,
the accuracy measured by the linear evaluation, and the settings needed to rebuild the network
(``hub-plugin load`` builds ``simclr`` for the encoder card and ``simclr_classifier`` for the
classifier card, which needs both checkpoints): each card's ``network`` field names the network
and its arguments, and the classifier's ``requires`` names the encoder card published beside it
(:mod:`hub_plugin.cards.network_spec`). The asset links are where the files are to be
published (``asset_base_url``); the cards are valid under ``hub-plugin validate`` as written.

This module decides the fields; the text is written by hub-plugin's one card writer
(:func:`hub_plugin.core.yamlio.card_text`), which quotes what needs quoting (an ``author`` given on
the command line is one value, whatever it holds).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from hub_plugin.cards.profiles import text_fields
from hub_plugin.core.hashing import hash_file
from hub_plugin.core.yamlio import card_text

from ..config import EvalConfig

REPO_LINK = "<https://gitee.com/mindspore/models/tree/r1.8/official/cv/simclr>"

_BODY = """\
## What this is

{body}

Network: {backbone} (width multiplier {width}) with the CIFAR stem, as built by
`models/simclr/hubconf.py` (`create_network("{network}", backbone="{backbone}",
width_multiplier={width})`). Linear evaluation on CIFAR-10's test set: top-1 {top1:.2f}%,
top-5 {top5:.2f}%; weighted kNN (k=200, T=0.1) top-1 {knn:.2f}%.

## Reference

Ting Chen, Simon Kornblith, Mohammad Norouzi, Geoffrey Hinton. A Simple Framework for Contrastive
Learning of Visual Representations. ICML 2020. arXiv:2002.05709.
"""


def network_field(network: str, config: EvalConfig, **extra: Any) -> str:
    """The ``network`` field: what builds the network the card's weights belong to (issue 28), so
    that ``hub-plugin load`` of the card, by path or by UID, builds it with no ``--arg``."""
    from hub_plugin.cards.network_spec import NetworkSpec

    arguments = {"backbone": config.backbone, "width_multiplier": float(config.width_multiplier),
                 "cifar_stem": True, **extra}
    return NetworkSpec("simclr", network, arguments).text()


def _fields(config: EvalConfig, *, used_for: str, summary: str, link: str, digest: str,
            evaluation: str, network: str, requires: str | None) -> dict[str, Any]:
    """The front matter of one card, in the official cards' order, then what builds it."""
    built: dict[str, Any] = {"network": network}
    if requires:
        built["requires"] = requires
    return {
        "model-name": "simclr",
        "backbone-name": config.backbone,
        "module-type": "cv",
        "fine-tunable": True,
        "model-version": "1.0",
        "train-dataset": "cifar10",
        "evaluation": evaluation,
        "author": config.author,
        "update-time": _dt.date.today().isoformat(),
        "repo-link": REPO_LINK,
        "user-id": config.author.replace(" ", "_"),
        "used-for": used_for,
        "mindspore-version": _mindspore_version(),
        "asset": [{"file-format": "ckpt", "asset-link": f"<{link}>", "asset-sha256": digest}],
        "license": "Apache2.0",
        "summary": summary,
        **built,
    }


def _mindspore_version() -> str:
    import mindspore

    return ".".join(mindspore.__version__.split(".")[:2])


def write_cards(
    folder: Path,
    config: EvalConfig,
    *,
    encoder: Path,
    classifier: Path,
    top1: float,
    top5: float,
    knn_top1: float,
) -> list[Path]:
    """Write ``simclr_encoder_<name>.md`` and ``simclr_linearclassifier_<name>.md`` into ``folder``."""
    base = config.asset_base_url.rstrip("/")
    evaluation = f"top1acc{top1:.2f} | top5acc{top5:.2f}"
    cards = [
        (
            f"simclr_encoder_{config.card_name}",
            encoder,
            {
                "title": "SimCLR encoder (CIFAR-10), trained with hub-plugin",
                "network": "simclr",
                "built_by": network_field("simclr", config, projection_dimension=128),
                "requires": None,
                "used_for": "extract-feature/transfer-learning",
                "summary": "SimCLR encoder and projection head pre-trained on CIFAR-10",
                "body": "The SimCLR pre-training network (encoder plus projection head) as trained by "
                "`hub-plugin train simclr`; use its encoder's features h downstream.",
            },
        ),
        (
            f"simclr_linearclassifier_{config.card_name}",
            classifier,
            {
                "title": "SimCLR linear classifier (CIFAR-10), trained with hub-plugin",
                "network": "simclr_classifier",
                "built_by": network_field("simclr_classifier", config, num_classes=10),
                "requires": f"simclr_encoder_{config.card_name}",
                "used_for": "inference",
                "summary": "linear classifier on frozen SimCLR features for CIFAR-10",
                "body": "A linear classifier (`model.weight`, `model.bias`) trained by `hub-plugin eval "
                f"simclr` on the frozen features of `simclr_encoder_{config.card_name}`, whose "
                "checkpoint it needs as well.",
            },
        ),
    ]
    written = []
    for stem, checkpoint, specific in cards:
        fields = _fields(config, used_for=specific["used_for"], summary=specific["summary"],
                         link=f"{base}/{checkpoint.name}", digest=hash_file(checkpoint).sha256,
                         evaluation=evaluation, network=specific["built_by"],
                         requires=specific["requires"])
        body = _BODY.format(body=specific["body"], backbone=config.backbone,
                            width=config.width_multiplier, network=specific["network"], top1=top1,
                            top5=top5, knn=knn_top1)
        path = folder / f"{stem}.md"
        text = card_text(fields, body, title=specific["title"], text_fields=text_fields())
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["write_cards"]
