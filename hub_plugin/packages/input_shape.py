"""The input shape of a card's network, worked out here only: :func:`model_input_shape`.

It is the first of: what a serving package's ``serve_hub_card`` answers for a hub card
(:mod:`.hub_cards`), the ``input-shape`` of the package's ``serves`` rule, the package's
``package.yaml`` ``input-shape`` for the card, the card's own ``input-shape``, and the image size of
the config handed to zoo code (:mod:`hub_plugin.zoo.config_choice`, channels first, a batch of 1).

``package.yaml`` writes it as a list (``input-shape: [1, 3, 32, 32]``, batch first); MindSpore Hub's
cards write it as a list or as text (``"[1, 3, 224, 224]"``, ``1x3x224x224``), and those of the real
hub mostly per sample, without the batch (``[3, 300, 300]``: read as ``[1, 3, 300, 300]``). ``load`` runs its
dummy forward pass with it and ``export`` exports the network for it (with the batch replaced by
``--batch-size`` when one is given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..registry.routes import Route
    from ..zoo.config_choice import ZooConfig


def parse_shape(value: Any) -> tuple[int, ...] | None:
    """A shape from a list of integers or from text such as ``[1, 3, 32, 32]`` or ``1x3x32x32``."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = value.strip("[]() ").replace("x", ",").split(",")
        try:
            value = [int(part) for part in parts if part.strip()]
        except ValueError:
            raise UsageError(f"input-shape {value!r} is not a list of integers") from None
    shape = tuple(int(dimension) for dimension in value)
    if not shape or any(dimension < 1 for dimension in shape):
        raise UsageError(f"input-shape {list(shape)} must be positive integers, batch first")
    return shape


def declared_input_shape(
    package_settings: Mapping[str, Any], card_fields: Mapping[str, Any]
) -> tuple[int, ...] | None:
    """The package's ``input-shape`` for the card, else the card's own, else ``None``."""
    shape = parse_shape(package_settings.get("input-shape"))
    return shape if shape is not None else card_input_shape(card_fields.get("input-shape"))


def card_input_shape(value: Any) -> tuple[int, ...] | None:
    """A card's ``input-shape``, batch first: MindSpore Hub's cards that give one mostly write it per
    sample (``[3, 300, 300]``, channels first), so a shape of three dimensions gets a batch of 1."""
    shape = parse_shape(value)
    if shape is not None and len(shape) == 3:
        return (1, *shape)
    return shape


def model_input_shape(
    route: Route, card_fields: Mapping[str, Any], *, served: Sequence[int] | None = None,
    zoo_config: ZooConfig | None = None,
) -> tuple[int, ...] | None:
    """The input shape (batch first) of the network ``route`` builds for the card with
    ``card_fields``, or ``None`` when nothing declares one (see the module docstring): the one
    answer that ``LoadedModel.input_shape``, ``load``'s forward pass and ``export`` use."""
    for given in (served, route.rule.input_shape if route.rule is not None else None):
        shape = parse_shape(given)
        if shape is not None:
            return shape
    shape = declared_input_shape(route.settings, card_fields)
    if shape is not None:
        return shape
    if zoo_config is not None and zoo_config.image_size is not None:
        return (1, zoo_config.channels, *zoo_config.image_size)
    return None


def with_batch(shape: tuple[int, ...], batch_size: int | None) -> tuple[int, ...]:
    """``shape`` with its first (batch) dimension replaced by ``batch_size`` when one is given."""
    if batch_size is None:
        return shape
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {batch_size}")
    return (batch_size, *shape[1:])


__all__ = ["card_input_shape", "declared_input_shape", "model_input_shape", "parse_shape", "with_batch"]
