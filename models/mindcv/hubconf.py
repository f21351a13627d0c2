"""hub-plugin entry points of the mindcv library package: MindSpore Hub's mindcv cards as networks.

MindSpore Hub's cards for MindSpore 2.3 and 2.5 link mindcv's config folders
(``https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/resnet``): the network is the
library's own, ``mindcv.create_model(name, num_classes=...)``. ``package.yaml`` says which cards this
package serves; for each, hub-plugin calls :func:`serve_hub_card` with the card's fields, then
``create_network("mindcv_model", model_name=..., num_classes=...)``, then fills the network strictly
by parameter name from the card's checkpoint (a mismatch names the installed mindcv version and the
one the card links).

What :func:`serve_hub_card` reads from the card:

- ``model-name``: the mindcv model, mapped where the hub spells it differently
  (:data:`MODEL_NAMES`: ``bit_resnet50`` is mindcv's ``BiT_resnet50``);
- ``train-dataset``: the class count of the head (:data:`DATASET_CLASSES`: ImageNet is 1000);
- the input size: mindcv's default config of the model (``input_size``, 224 for most;
  :data:`INPUT_SIZES` where it gives none and the network wants another).

This module is also the example of a third-party library package (see the README's hub section):
a ``package.yaml`` with ``serves``, and a hubconf with a network function, ``create_network`` and
``serve_hub_card``. Importing it does not import mindcv or MindSpore; building a network does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub_plugin.errors import HubPluginError

#: Hub card model names that mindcv spells differently.
MODEL_NAMES = {
    "bit_resnet50": "BiT_resnet50",
    "vit_b32_224": "vit_b_32_224",
    "vit_l32_224": "vit_l_32_224",
}

#: The class count of a card's ``train-dataset`` (lower-cased, without spaces).
DATASET_CLASSES = {
    "imagenet": 1000, "imagenet2012": 1000, "imagenet-1k": 1000, "imagenet1k": 1000,
    "cifar10": 10, "cifar-10": 10, "cifar100": 100, "cifar-100": 100,
}

#: The input size (channels, height, width) where mindcv's default config gives none.
DEFAULT_INPUT_SIZE = (3, 224, 224)

#: Networks built for another size than the default whose mindcv config says nothing (mindcv
#: 0.3.0: SwinTransformerV2's image_size is 256; at 224 its window reshape fails).
INPUT_SIZES = {"swinv2_tiny_window8": (3, 256, 256)}


class UnservedCard(HubPluginError):
    """The card's fields do not say what to build (an unknown model or dataset)."""


def library_name(card_model_name: str) -> str:
    """The mindcv model name of a hub card's ``model-name``."""
    name = card_model_name.strip().lower()
    return MODEL_NAMES.get(name, name)


def class_count(train_dataset: Any) -> int:
    """The head's class count for a card's ``train-dataset`` (the first, if it lists several)."""
    first = str(train_dataset or "").split("|")[0].strip().lower().replace(" ", "")
    if first not in DATASET_CLASSES:
        raise UnservedCard(
            f"no class count known for the dataset {train_dataset!r}: pass num_classes "
            f"(--arg num_classes=N); known: {', '.join(sorted(DATASET_CLASSES))}"
        )
    return DATASET_CLASSES[first]


def mindcv_model(*, model_name: str, num_classes: int = 1000, **kwargs: Any) -> Any:
    """The mindcv network ``model_name`` with a head of ``num_classes``, without weights.

    Input: images (N, 3, H, W) float32, H and W the model's ``input_size`` (224 for most).
    Output: logits (N, num_classes). Other keyword arguments go to ``mindcv.create_model``.
    """
    import mindcv

    if not mindcv.is_model(model_name):
        close = mindcv.list_models(f"{model_name.split('_')[0]}*")[:5]
        raise UnservedCard(f"mindcv {_version()} has no model {model_name!r}"
                           + (f" (it has {', '.join(close)})" if close else ""))
    return mindcv.create_model(model_name, num_classes=num_classes, pretrained=False, **kwargs)


def input_size(model_name: str) -> tuple[int, ...]:
    """The input size (channels, height, width) of mindcv's default config for the model."""
    from mindcv.models.registry import get_pretrained_cfg

    size = get_pretrained_cfg(model_name).get("input_size") or INPUT_SIZES.get(model_name)
    return tuple(int(d) for d in size) if size else DEFAULT_INPUT_SIZE


def serve_hub_card(network: str, card: Mapping[str, Any]) -> dict[str, Any]:
    """What to build for the hub card ``card`` (its fields): ``create_network``'s keyword
    arguments and the input shape (batch first). See the module docstring."""
    name = library_name(str(card.get("model-name", "")))
    return {
        "arguments": {"model_name": name, "num_classes": class_count(card.get("train-dataset"))},
        "input-shape": [1, *input_size(name)],
    }


NETWORKS: dict[str, Callable[..., Any]] = {"mindcv_model": mindcv_model}
"""The networks ``create_network`` builds, by name."""


def create_network(name: str, *args: Any, **kwargs: Any) -> Any:
    """Build the network ``name`` (``mindcv_model``) with keyword arguments only."""
    if name not in NETWORKS:
        raise UnservedCard(f"unknown network {name!r}; known: {', '.join(NETWORKS)}")
    if args:
        raise TypeError(f"create_network({name!r}) takes keyword arguments only")
    return NETWORKS[name](**kwargs)


def _version() -> str:
    from importlib.metadata import version

    return version("mindcv")


__all__ = ["DATASET_CLASSES", "MODEL_NAMES", "class_count", "create_network", "input_size",
           "library_name", "mindcv_model", "serve_hub_card"]
