"""From a card's positioned YAML nodes to the JSON instance the schema checks.

Plain scalars are typed as YAML 1.2's core schema does, except the fields the schema declares as
text, which are kept as written (``model-version: 1.10`` stays ``"1.10"``). Each value's position is
kept by JSON pointer, so every defect can be reported at its line and column.
"""

from __future__ import annotations

from typing import Any

from ..core.yamlio import core_scalar
from .card import Node, escape_pointer
from .manifest import Position
from .profiles import text_fields as schema_text_fields

guess_scalar = core_scalar
"""Type a plain scalar as YAML 1.2's core schema does (``yes`` and ``on`` stay text); the one
definition is :func:`hub_plugin.core.yamlio.core_scalar`."""


def front_matter_instance(
    root: Node, text_fields: tuple[frozenset[str], frozenset[str]] | None = None
) -> tuple[dict[str, Any], dict[str, Position]]:
    """The front matter as JSON data, and the position of every value by JSON pointer.

    ``text_fields``: the top-level and asset fields taken as written (default: the card schema's).
    """
    card_text, asset_text = text_fields if text_fields is not None else schema_text_fields()
    positions: dict[str, Position] = {"": Position(root.line, root.column)}

    def convert(node: Node, pointer: str, as_text: bool, text_keys: frozenset[str]) -> Any:
        positions[pointer] = Position(node.line, node.column)
        if node.kind == "scalar":
            return node.text() if as_text or not node.plain else guess_scalar(node.text())
        if node.kind == "sequence":
            return [
                convert(child, f"{pointer}/{i}", False, asset_text)
                for i, child in enumerate(node.children())
            ]
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key.kind != "scalar":
                continue
            name = key.text()
            result[name] = convert(value, f"{pointer}/{escape_pointer(name)}", name in text_keys,
                                   frozenset())
        return result

    instance: dict[str, Any] = {}
    for key, value in root.items():
        if key.kind != "scalar":
            continue
        name = key.text()
        instance[name] = convert(value, f"/{escape_pointer(name)}", name in card_text, frozenset())
    return instance, positions
