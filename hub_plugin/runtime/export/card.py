"""The model card ``hub-plugin export`` writes beside an exported file.

It describes the export as a hub card describes a checkpoint, so that the file can be published with
the README's publishing steps: the source card's descriptive fields (model, backbone, task, dataset,
evaluation, author, licence, ...) as written there, the date and MindSpore version of the export,
one asset (``file-format: mindir`` or ``onnx``, the link where it is to be published, the full
sha256) and the ``input-shape`` it was exported for. The body names the source card, the network
and its arguments, and the round trip's figures. It is checked under both validation profiles
(``strict`` and ``mindspore-hub``) before :func:`write_export_card` returns.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...registry.cards.manifest import Manifest
from ...registry.validation.validator import read_manifest
from .results import QuantizationCheck, RoundTrip

COPIED_FIELDS = (
    "model-name", "backbone-name", "module-type", "fine-tunable", "model-version", "train-dataset",
    "evaluation", "author", "repo-link", "user-id", "used-for",
)
"""Front-matter fields the export card takes from its source card, as written there."""
DEFAULT_ASSET_BASE_URL = "https://download.example.com/models"
"""Where the exported file is to be published, unless ``asset_base_url`` says (then ``/PACKAGE/``)."""


@dataclass(frozen=True)
class ExportDescription:
    """What the card says about one export: where it came from and how it was checked."""

    source: Manifest
    package: str
    network_name: str
    network_arguments: Mapping[str, Any]
    file: Path
    file_format: str
    sha256: str
    input_shape: tuple[int, ...]
    check: RoundTrip | None
    mindspore_version: str
    pretrained: bool = True
    dynamic_batch: bool = False
    quantization: QuantizationCheck | None = None


def _scalar(value: Any) -> str:
    """A front-matter value as YAML text (quoted only where YAML needs it)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return value  # a Markdown autolink, as hub cards write links
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.strip().removesuffix("...").strip()


def card_text(description: ExportDescription, *, asset_base_url: str | None = None) -> str:
    """The card, as text."""
    source = description.source
    fields = source.to_card_dict()
    base = (asset_base_url or f"{DEFAULT_ASSET_BASE_URL}/{description.package}").rstrip("/")
    if not description.pretrained:
        fields["evaluation"] = "-"  # random weights: the source's figures do not hold
    front: list[tuple[str, str]] = [
        (key, _scalar(fields[key])) for key in COPIED_FIELDS if fields.get(key) is not None
    ]
    front += [
        ("update-time", _dt.date.today().isoformat()),
        ("mindspore-version", _scalar(description.mindspore_version)),
    ]
    kind = description.file_format.upper() + (" INT8" if description.quantization else "")
    lines = [f"# {source.name}, exported to {kind}", "", "---", ""]
    lines += [f"{key}: {value}\n" for key, value in front]
    lines += [
        "asset:", "", "-",
        f"    file-format: {description.file_format}",
        f"    asset-link: <{base}/{description.file.name}>",
        f"    asset-sha256: {description.sha256}", "",
        f"input-shape: {list(description.input_shape)}", "",
        *_quantization_fields(description.quantization),
        f"license: {_scalar(fields.get('license') or 'Apache2.0')}", "",
        f"summary: {_scalar(fields.get('summary') or source.name)}", "",
        "---", "",
    ]
    lines += _body(description)
    return "\n".join(lines)


def _quantization_fields(quantization: QuantizationCheck | None) -> list[str]:
    """The ``quantization`` block of the front matter (nothing for a float export)."""
    if quantization is None:
        return []
    fields = {
        "scheme": quantization.scheme, "weights": "int8, per channel, symmetric",
        "activations": "uint8, per tensor, calibrated ranges (MinMax)",
        "reduce-range": quantization.reduce_range, "calibration-size": quantization.calibration_size,
        "check-size": quantization.check_size, "top1-agreement": round(quantization.agreement, 6),
        "max-logit-difference": float(f"{quantization.max_logit_difference:.4g}"),
        "min-agreement": quantization.min_agreement,
    }
    return ["quantization:", *(f"    {key}: {_scalar(value)}" for key, value in fields.items()), ""]


def _body(description: ExportDescription) -> list[str]:
    source = description.source
    arguments = ", ".join(f"{key}={value!r}" for key, value in description.network_arguments.items())
    call = f'create_network("{description.network_name}"{", " + arguments if arguments else ""})'
    digests = ", ".join(f"`{asset.sha256}`" for asset in source.assets) or "none"
    weights = (
        f"its assets (sha256 {digests})" if description.pretrained
        else "none: exported with random weights (--no-pretrained)"
    )
    free = "; the batch dimension is free: any number of images at once" if description.dynamic_batch else ""
    lines = [
        "## What this is", "",
        f"The network of the card `{source.uid or source.name}`, exported by "
        f"`hub-plugin export` to {description.file_format.upper()} with MindSpore "
        f"{description.mindspore_version}, in inference mode, for inputs of shape "
        f"{list(description.input_shape)} (batch first{free}).", "",
        f"- Source card: `{source.uid or source.name}`; weights: {weights}.",
        f"- Network: `{call}` from the model package `{description.package}`.",
        f"- File: `{description.file.name}`, sha256 `{description.sha256}`.",
    ]
    if description.check is not None:
        check = description.check
        lines.append(
            f"- Checked by a round trip through {check.runtime} on a seeded batch "
            f"{list(check.input_shape)} (seed {check.seed}): largest difference "
            f"{check.max_abs:.3g} absolute, {check.max_rel:.3g} relative (tolerance {check.tolerance:g})."
        )
    else:
        lines.append("- Not checked by a round trip: hub-plugin has no runtime for this format.")
    if description.quantization is not None:
        gate = description.quantization
        lines += [
            f"- Quantized to INT8 by ONNX Runtime's static quantization (`{gate.scheme}`: QDQ format, "
            "int8 per-channel weights, uint8 activations) after that round trip, calibrated on "
            f"{gate.calibration_size} images ({gate.calibration}).",
            f"- Accuracy gate against the float export on {gate.check_size} other images "
            f"({gate.check}): top-1 agreement {gate.agreement:.2%} (minimum {gate.min_agreement:.2%}), "
            f"largest logit difference {gate.max_logit_difference:.3g}.",
        ]
    lines += [
        "", "## Running it", "",
        f"`hub-plugin predict {description.package} IMAGE... --model {description.file.name}`, or in "
        "Python `hub_plugin.runtime.export.exported_model.ExportedModel.open(path).run(batch)`.", "",
    ]
    return lines


def write_export_card(
    description: ExportDescription, path: Path, *, asset_base_url: str | None = None
) -> Manifest:
    """Write the card to ``path`` and return its manifest, read back under the strict profile
    after checking it under ``mindspore-hub`` too (a :class:`~hub_plugin.errors.CardError` here is
    a bug of this module, never the user's)."""
    path.write_text(card_text(description, asset_base_url=asset_base_url), encoding="utf-8")
    read_manifest(path, "mindspore-hub")
    return read_manifest(path, "strict")


__all__ = ["COPIED_FIELDS", "DEFAULT_ASSET_BASE_URL", "ExportDescription", "card_text", "write_export_card"]
