"""The model-card JSON Schema and its two profiles, compiled once each.

``schemas/model-card.schema.json`` is the one source of the field rules: ``$defs/card-fields``
holds every field with hub-plugin's rule for it. It has two profiles:

* ``strict`` (the default): hub-plugin's rules (``card-fields`` and hub-plugin's own requirements);
* ``mindspore-hub``: MindSpore Hub's own validator's verdict (``$defs/mindspore-hub`` for what a
  schema can say, :mod:`.mindspore_hub` for the rest, with its closed lists in
  ``schemas/mindspore-hub-validator.json``); what ``card-fields`` finds beyond it is a warning.

:func:`compile_profile` inlines a profile's references into one object so that validating is fast;
a test checks that the compiled form accepts exactly what the schema as written accepts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from ..core.resources import schemas_dir

Profile = Literal["strict", "mindspore-hub"]
PROFILES: tuple[Profile, ...] = ("strict", "mindspore-hub")
SCHEMA_FILE = "model-card.schema.json"
PACKAGE_SCHEMA_FILE = "model-package.schema.json"
UPSTREAM_LISTS_FILE = "mindspore-hub-validator.json"
FIELDS = "card-fields"


@cache
def load_schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    """A schema of ``schemas/`` (by default the model-card schema), read once."""
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key == "required":
            merged[key] = list(dict.fromkeys([*merged.get(key, []), *value]))
        elif key == "properties":
            properties = dict(merged.get(key, {}))
            for name, sub in value.items():
                properties[name] = _merge(properties.get(name, {}), sub)
            merged[key] = properties
        else:
            merged[key] = value
    return merged


def compile_profile(schema: Mapping[str, Any], profile: str) -> dict[str, Any]:
    """The profile's (or another ``$defs`` entry's) schema with local ``$ref``s inlined and
    ``allOf`` merged into one object.

    The result accepts exactly what ``{"$ref": "#/$defs/<profile>"}`` accepts (``unevaluated
    Properties: false`` over merged properties is ``additionalProperties: false``), and validates
    several times faster: no reference lookups, no annotation tracking. A test checks the two agree.
    """

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            target = inline(_resolve(schema, node))
            return _merge(target, {k: inline(v) for k, v in node.items() if k != "$ref"})
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "allOf":
                continue
            result[key] = inline(value)
        for part in node.get("allOf", []):
            result = _merge(inline(part), result)
        if result.pop("unevaluatedProperties", True) is False:
            result["additionalProperties"] = False
        return result

    compiled: dict[str, Any] = inline(schema["$defs"][profile])
    compiled["$schema"] = schema["$schema"]
    return compiled


@cache
def profile_validator(profile: Profile | Literal["card-fields"]) -> Any:
    """A JSON Schema validator for ``profile`` (or for ``card-fields``, hub-plugin's field rules
    alone), built once."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(compile_profile(load_schema(), profile))


@cache
def upstream_lists() -> dict[str, frozenset[str]]:
    """MindSpore Hub's validator's closed lists (``train-dataset``, ``module-type``, ``used-for``,
    ``file-format``, and the fields that may hold a ':'), from ``schemas/`` (its ``$comment`` names
    upstream's files and commit)."""
    data = load_schema(UPSTREAM_LISTS_FILE)
    return {key: frozenset(value) for key, value in data.items() if isinstance(value, list)}


def _resolve(schema: Mapping[str, Any], subschema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = subschema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = schema["$defs"][ref[len("#/$defs/") :]]
        return resolved
    return subschema


@cache
def text_fields() -> tuple[frozenset[str], frozenset[str]]:
    """The card fields and asset fields whose only declared type is ``string``.

    Their values are taken as written, never guessed by YAML: ``1.10`` stays the text ``1.10``.
    """
    schema = load_schema()
    defs = schema["$defs"]

    def strings(properties: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(
            name for name, sub in properties.items() if _resolve(schema, sub).get("type") == "string"
        )

    return strings(defs[FIELDS]["properties"]), strings(defs["hub-asset"]["properties"])


@cache
def known_fields() -> frozenset[str]:
    """Every field the schema declares (for the did-you-mean hint)."""
    defs = load_schema()["$defs"]
    return frozenset(defs[FIELDS]["properties"]) | frozenset(defs["strict"]["properties"])
