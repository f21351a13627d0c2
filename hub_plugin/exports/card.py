"""The model card ``hub-plugin export`` writes beside an exported file.

It describes the export as a hub card describes a checkpoint, so that the file can be published with
the README's publishing steps: the source card's descriptive fields (model, backbone, task, dataset,
evaluation, author, licence, ...) as written there, the date and MindSpore version of the export,
one asset (``file-format: mindir`` or ``onnx``, the link where it is to be published, the full
sha256) and the ``input-shape`` it was exported for. The body names the source card, the network
and its arguments, and the round trip's figures.

This module decides which fields the card holds; the text is written by hub-plugin's one card
writer, :func:`hub_plugin.core.yamlio.card_text`, which quotes every value that needs it, so that a
source card's value (a multi-line ``author`` holding ``asset:`` lines and a ``---``) stays one value
and can never add a field or an asset (issue 27, hole 3). Before :func:`write_export_card` returns,
the card is read back through the card parser, checked under both validation profiles (``strict``
and ``mindspore-hub``), and checked to describe the file written: one asset, its link, its format,
and the sha256 and size of the file as it is on disk.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cards.manifest import Manifest
from ..cards.profiles import text_fields
from ..core.yamlio import card_text as write_card_text
from ..validation.validator import read_manifest
from .results import ExportError, QuantizationCheck, RoundTrip

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
    size: int | None = None  # of the file, in bytes, when it was hashed
    built_by: str | None = None  # the ``network`` field: what built the exported network


def asset_link(description: ExportDescription, asset_base_url: str | None = None) -> str:
    """Where the card says the exported file is to be published."""
    base = (asset_base_url or f"{DEFAULT_ASSET_BASE_URL}/{description.package}").rstrip("/")
    return f"{base}/{description.file.name}"


def card_fields(description: ExportDescription, *, asset_base_url: str | None = None) -> dict[str, Any]:
    """The card's front matter, in order: the source's descriptive fields, the export's own."""
    source = description.source
    copied = source.to_card_dict()
    if not description.pretrained:
        copied["evaluation"] = "-"  # random weights: the source's figures do not hold
    fields: dict[str, Any] = {
        key: copied[key] for key in COPIED_FIELDS if copied.get(key) is not None
    }
    fields["update-time"] = _dt.date.today().isoformat()
    fields["mindspore-version"] = description.mindspore_version
    fields["asset"] = [{
        "file-format": description.file_format,
        "asset-link": f"<{asset_link(description, asset_base_url)}>",
        "asset-sha256": description.sha256,
    }]
    fields["input-shape"] = list(description.input_shape)
    if description.quantization is not None:
        fields["quantization"] = _quantization_fields(description.quantization)
    fields["license"] = copied.get("license") or "Apache2.0"
    fields["summary"] = copied.get("summary") or source.name
    if description.built_by is not None:
        fields["network"] = description.built_by
    return fields


def card_text(description: ExportDescription, *, asset_base_url: str | None = None) -> str:
    """The card, as text (written by the one card writer)."""
    kind = description.file_format.upper() + (" INT8" if description.quantization else "")
    return write_card_text(card_fields(description, asset_base_url=asset_base_url),
                           "\n".join(_body(description)),
                           title=f"{description.source.name}, exported to {kind}",
                           text_fields=text_fields())


def _quantization_fields(quantization: QuantizationCheck) -> dict[str, Any]:
    """The ``quantization`` mapping of the front matter."""
    return {
        "scheme": quantization.scheme, "weights": "int8, per channel, symmetric",
        "activations": "uint8, per tensor, calibrated ranges (MinMax)",
        "reduce-range": quantization.reduce_range, "calibration-size": quantization.calibration_size,
        "check-size": quantization.check_size, "top1-agreement": round(quantization.agreement, 6),
        "max-logit-difference": float(f"{quantization.max_logit_difference:.4g}"),
        "min-agreement": quantization.min_agreement,
    }


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
        "Python `hub_plugin.exports.exported_model.ExportedModel.open(path).run(batch)`.", "",
    ]
    return lines


def write_export_card(
    description: ExportDescription, path: Path, *, asset_base_url: str | None = None
) -> Manifest:
    """Write the card to ``path`` and return its manifest, read back under the strict profile
    after checking it under ``mindspore-hub`` too (a :class:`~hub_plugin.errors.CardError` here is
    a bug of this module, never the user's), and checked to describe the file written
    (:func:`check_card_describes`)."""
    path.write_text(card_text(description, asset_base_url=asset_base_url), encoding="utf-8")
    read_manifest(path, "mindspore-hub")
    manifest = read_manifest(path, "strict")
    check_card_describes(manifest, description, asset_link(description, asset_base_url))
    return manifest


def check_card_describes(manifest: Manifest, description: ExportDescription, link: str) -> None:
    """Raise :class:`~hub_plugin.errors.ExportError` (one line) unless the card read back names exactly one
    asset, the exported file: its link, its format, its sha256, and the file on disk still has that
    sha256 (and the size it had when it was hashed)."""
    from ..core.hashing import hash_file

    problem = None
    assets = manifest.assets
    on_disk = hash_file(description.file) if description.file.is_file() else None
    if len(assets) != 1:
        problem = f"it names {len(assets)} assets, not the one file written"
    elif assets[0].link != link:
        problem = f"its asset link is {assets[0].link!r}, not {link!r}"
    elif assets[0].file_format != description.file_format:
        problem = f"its file-format is {assets[0].file_format!r}, not {description.file_format!r}"
    elif assets[0].sha256 != description.sha256:
        problem = f"its sha256 is {assets[0].sha256}, not the file's {description.sha256}"
    elif on_disk is None:
        problem = "the file is gone"
    elif on_disk.sha256 != description.sha256 or (
            description.size is not None and on_disk.size != description.size):
        problem = (f"the file changed after it was hashed (now sha256 {on_disk.sha256}, "
                   f"{on_disk.size} bytes)")
    if problem is not None:
        raise ExportError(f"{manifest.path}: the card written does not describe "
                          f"{description.file.name}: {problem}")


__all__ = [
    "COPIED_FIELDS", "DEFAULT_ASSET_BASE_URL", "ExportDescription", "asset_link", "card_fields", "card_text",
    "check_card_describes", "write_export_card",
]
