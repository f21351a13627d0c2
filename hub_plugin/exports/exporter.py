"""``export``: a hub model's network, with its verified weights, to a checked MINDIR or ONNX file.

:func:`export_model` builds the network exactly as ``load`` does
(:func:`~hub_plugin.packages.loading.build`: the card, the trust check, the verified checkpoints, the
device), puts it in inference mode, exports it for its input shape (``LoadedModel.input_shape``,
worked out by :func:`hub_plugin.packages.input_shape.model_input_shape`; ``batch_size`` replaces the
batch), checks the file by a round trip (:mod:`.round_trip`) and writes a card for it beside the file
(:mod:`.card`).

Files, in ``output``: ``<card>.mindir`` or ``<card>.onnx`` (``<card>.dynamic.onnx`` with a free
batch, ``.int8.onnx`` quantized: :func:`export_file_name`), and the card ``<card>_<format>.md``
(``_onnx_dynamic.md``, ``_onnx_int8.md``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..cards.manifest import Manifest
from ..core.extras import require
from ..errors import AscendRequired, UsageError
from ..packages.input_shape import with_batch
from ..packages.loading import LoadedModel, LoadRequest
from .results import (
    CALIBRATION_SIZE,
    CHECK_SIZE,
    FORMATS,
    MIN_AGREEMENT,
    QUANTIZATIONS,
    RELATIVE_TOLERANCE,
    SUFFIXES,
    ExportFormat,
    Quantization,
    QuantizationCheck,
    RoundTrip,
)


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_model` wrote and how the file was checked.

    ``check`` is ``None`` for AIR (no runtime here to run it); ``card`` is the export card's
    manifest, read back from ``card_path``.
    """

    path: Path
    card_path: Path
    card: Manifest
    check: RoundTrip | None
    file_format: str
    input_shape: tuple[int, ...]
    sha256: str
    network_name: str
    network_arguments: Mapping[str, Any] = field(default_factory=dict)
    dynamic_batch: bool = False  # an ONNX file whose batch dimension is free
    quantization: QuantizationCheck | None = None  # an INT8 file: how it was made, its gate's figures

    def summary(self) -> str:
        batch = ", any batch" if self.dynamic_batch else ""
        kind = f"{self.file_format}, int8" if self.quantization else self.file_format
        lines = [f"{self.path} ({kind}, input {list(self.input_shape)}{batch}, sha256 {self.sha256})"]
        lines.append(self.check.summary() if self.check else "not checked: no runtime for AIR files here")
        if self.quantization is not None:
            lines.append(self.quantization.summary())
        lines.append(f"card: {self.card_path}")
        return "\n".join(lines)


def _device_target(device: str | None) -> str:
    """MindSpore's target for ``device``, or the one MindSpore would use by default."""
    from ..packages.device import target_of

    if device is not None:
        return target_of(device)
    import mindspore

    return str(mindspore.get_context("device_target"))


def _command(file_format: str) -> str:
    return f"hub-plugin export --format {file_format}"


@dataclass(frozen=True)
class ExportRequest:
    """What to export to and how it is checked (the network is a
    :class:`~hub_plugin.packages.loading.LoadRequest`).

    ``batch_size`` replaces the declared input shape's batch; ``dynamic_batch`` leaves it free in an
    ONNX file. ``quantize="int8"`` (ONNX only) writes ``<card>.int8.onnx`` instead of the float
    file: ONNX Runtime's static quantization (:mod:`.quantize`), calibrated on ``calibration_size``
    images of the folder ``calibration`` (default: the package's preset) and kept only if its top-1
    agreement with the float export on ``check_size`` distinct images (of ``check_images``, default
    the calibration's source) is at least ``min_agreement``. ``reduce_range``: 7-bit weights
    (default: on x86 CPUs without VNNI, :func:`.quantize.default_reduce_range`).
    ``full_batch_check``: the round trip runs the whole batch, not :data:`.round_trip.CHECK_BATCH`
    images (issue 28 item 6: a batch of 64 run op by op took minutes).
    """

    format: ExportFormat
    output: str | os.PathLike[str] = "."
    batch_size: int | None = None
    dynamic_batch: bool = False
    tolerance: float = RELATIVE_TOLERANCE
    asset_base_url: str | None = None
    quantize: Quantization | None = None
    calibration: str | os.PathLike[str] | None = None
    calibration_size: int = CALIBRATION_SIZE
    check_images: str | os.PathLike[str] | None = None
    check_size: int = CHECK_SIZE
    min_agreement: float = MIN_AGREEMENT
    reduce_range: bool | None = None
    full_batch_check: bool = False

    def check(self, device: str | None) -> None:
        """Refuse what cannot work before anything is built or fetched: one line each."""
        if self.format not in FORMATS:
            raise UsageError(f"unknown export format {self.format!r}",
                             hint=f"choose one of {', '.join(FORMATS)}")
        if not self.tolerance >= 0:
            raise UsageError(f"the tolerance must be a number 0 or above, got {self.tolerance}")
        if self.batch_size is not None and self.batch_size < 1:
            raise UsageError(f"--batch-size must be at least 1, got {self.batch_size}")
        if self.dynamic_batch and self.format != "onnx":
            raise UsageError(f"--dynamic-batch is for ONNX exports (a {self.format.upper()} file "
                             "records its batch)")
        if self.quantize is not None:
            if self.quantize not in QUANTIZATIONS:
                raise UsageError(f"unknown quantization {self.quantize!r}",
                                 hint=f"choose {', '.join(QUANTIZATIONS)}")
            if self.format != "onnx":
                raise UsageError(f"--quantize is for ONNX exports, not {self.format.upper()}",
                                 hint="add --format onnx")
            if not 0 <= self.min_agreement <= 1:
                raise UsageError(f"--min-agreement must be between 0 and 1, got {self.min_agreement}")
        elif self.calibration is not None or self.check_images is not None:
            raise UsageError("--calibration and --check-images are for INT8 exports",
                             hint="add --quantize int8")
        require("mindspore", _command(self.format), "mindspore")
        if self.format == "onnx":
            require("onnxruntime", _command(self.format), "onnx")
        if self.quantize is not None:
            require("onnx", f"{_command(self.format)} --quantize {self.quantize}", "onnx")
        elif self.dynamic_batch:  # the outputs' batch is freed with the onnx package
            require("onnx", f"{_command(self.format)} --dynamic-batch", "onnx")
        if self.format == "air" and _device_target(device) != "Ascend":
            raise AscendRequired(device or _device_target(None).lower())
        folder = Path(self.output)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--output {folder} is not a folder")


def export_requests(name: str, **keywords: Any) -> tuple[LoadRequest, ExportRequest]:
    """The Python API's spelling of an export: :class:`ExportRequest`'s fields by keyword, and
    the rest as :func:`~hub_plugin.packages.loading.load_model` takes them
    (:meth:`LoadRequest.from_keywords`)."""
    own = {f.name for f in fields(ExportRequest)}
    export = ExportRequest(**{k: v for k, v in keywords.items() if k in own})
    return LoadRequest.from_keywords(name, **{k: v for k, v in keywords.items() if k not in own}), export


def export_model(request: LoadRequest, export: ExportRequest) -> ExportResult:
    """Export the network ``request`` builds (as ``load`` builds it:
    :func:`~hub_plugin.packages.loading.build`) to ``export.format`` (``mindir``, ``onnx`` or
    ``air``) for its input shape.

    Raises :class:`~hub_plugin.errors.ExportMismatch` (file deleted) when the round trip differs by more
    than ``tolerance`` (relative), :class:`~hub_plugin.errors.AscendRequired` for AIR elsewhere than on
    Ascend, :class:`~hub_plugin.errors.MissingDependency` without MindSpore (or ONNX Runtime for ONNX),
    :class:`~hub_plugin.errors.QuantizationMismatch` (file deleted) for an INT8 file below the gate, and
    the errors of ``load``.
    """
    export.check(request.device)
    from ..core.progress import Activity  # each phase: a spinner on a terminal, lines in a pipe
    from ..packages import loading

    name = request.name
    with Activity(f"export of {name}: building the network", lines=True) as activity:
        loaded = loading.build(request)
        manifest = loaded.manifest
        if loaded.input_shape is None:
            where = loaded.package.path / "package.yaml" if loaded.package is not None else manifest.path
            raise UsageError(
                f"the card {manifest.name!r} declares no input shape, so there is nothing to export for",
                hint=f"add input-shape (batch first) for it to {where}",
            )
        shape = with_batch(loaded.input_shape, export.batch_size)
        network = loaded.network
        network.set_train(False)
        folder = Path(export.output)
        folder.mkdir(parents=True, exist_ok=True)
        arguments = dict(request.arguments)

        def phase(description: str) -> None:
            activity.phase(f"export of {name}: {description}")

        if export.quantize is not None:
            activity.phase(f"export of {name}: reading the calibration images")
            sets = _calibration_sets(loaded, shape, export)
            from .quantize import export_quantized

            destination = folder / export_file_name(manifest.name, export)
            int8_path, float_check, figures = export_quantized(
                network, shape, destination, *sets, min_agreement=export.min_agreement,
                tolerance=export.tolerance, dynamic_batch=export.dynamic_batch,
                reduce_range=export.reduce_range, full_batch_check=export.full_batch_check,
                phase=phase,
            )
            return _with_card(loaded, int8_path, float_check, export.format, shape, arguments,
                              export.asset_base_url, request.pretrained, export.dynamic_batch,
                              figures)
        destination = folder / export_file_name(manifest.name, export)
        from .round_trip import export_checked  # NumPy and MindSpore: only once they are needed

        path, check = export_checked(network, shape, destination, export.format,
                                     tolerance=export.tolerance, dynamic_batch=export.dynamic_batch,
                                     full_batch_check=export.full_batch_check, phase=phase)
    return _with_card(loaded, path, check, export.format, shape, arguments, export.asset_base_url,
                      request.pretrained, export.dynamic_batch)


def export_file_name(card: str, export: ExportRequest) -> str:
    """The file an export writes: ``<card>.mindir``, ``<card>.onnx``, ``<card>.int8.onnx``, and
    ``<card>.dynamic.onnx`` (``.dynamic.int8.onnx``) for a free batch, so that a dynamic-batch
    export never replaces the fixed-batch file of the same card (issue 28 item 6)."""
    parts = [card]
    if export.dynamic_batch:
        parts.append("dynamic")
    if export.quantize is not None:
        parts.append(export.quantize)
    return ".".join(parts) + SUFFIXES[export.format]


def _calibration_sets(loaded: LoadedModel, shape: tuple[int, ...], export: ExportRequest) -> Any:
    """The package's calibration and check images (:mod:`.calibration`)."""
    if loaded.package is None or loaded.hubconf is None:
        raise UsageError(
            f"{loaded.manifest.name!r} is built by model zoo code, which offers no calibration images",
            hint="INT8 exports are for cards of a model package (hubconf.calibration_images)",
        )
    from .calibration import calibration_sets

    return calibration_sets(
        loaded.hubconf, loaded.package.name, shape, calibration=_path(export.calibration),
        calibration_size=export.calibration_size, check=_path(export.check_images),
        check_size=export.check_size,
    )


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


def _built_by(loaded: LoadedModel) -> str | None:
    """The export card's ``network`` field (issue 28): the package and network that built what
    was exported, with its arguments; ``None`` for zoo code or an argument the field cannot hold."""
    from ..cards.network_spec import NetworkSpec

    if loaded.package is None:
        return None
    try:
        arguments: Any = loaded.arguments  # checked by the writer: ValueError for what it can't hold
        return NetworkSpec(loaded.package.name, loaded.network_name, arguments).text()
    except ValueError:
        return None


def _with_card(
    loaded: LoadedModel,
    path: Path,
    check: RoundTrip | None,
    file_format: str,
    shape: tuple[int, ...],
    arguments: dict[str, Any],
    asset_base_url: str | None,
    pretrained: bool,
    dynamic_batch: bool,
    quantization: QuantizationCheck | None = None,
) -> ExportResult:
    """Write the export's card beside ``path``; the result of the whole export."""
    import mindspore

    from ..core.hashing import hash_file
    from .card import ExportDescription, write_export_card

    hashed = hash_file(path)
    digest = hashed.sha256
    description = ExportDescription(
        source=loaded.manifest, network_name=loaded.network_name,
        package=loaded.package.name if loaded.package is not None else loaded.manifest.name,
        network_arguments=arguments, file=path, file_format=file_format, sha256=digest,
        input_shape=shape, check=check, pretrained=pretrained, dynamic_batch=dynamic_batch,
        mindspore_version=".".join(mindspore.__version__.split(".")[:2]), quantization=quantization,
        size=hashed.size, built_by=_built_by(loaded),
    )
    variant = ("_dynamic" if dynamic_batch else "") + (
        f"_{quantization.scheme.split('-')[0]}" if quantization is not None else "")
    card_path = path.with_name(f"{loaded.manifest.name}_{file_format}{variant}.md")
    card = write_export_card(description, card_path, asset_base_url=asset_base_url)
    return ExportResult(
        path=path, card_path=card_path, card=card, check=check, file_format=file_format,
        input_shape=shape, sha256=digest, network_name=loaded.network_name, network_arguments=arguments,
        dynamic_batch=dynamic_batch, quantization=quantization,
    )


__all__ = ["ExportRequest", "ExportResult", "export_file_name", "export_model", "export_requests"]
