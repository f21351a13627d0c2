"""INT8 exports: static post-training quantization of the checked float ONNX file, and its gate.

The quantization is ONNX Runtime's own (``onnxruntime.quantization``), in three steps:

1. the opset raised to 13 (``onnx.version_converter``: per-channel QDQ needs it), then
   ``quant_pre_process``: shape inference and ONNX Runtime's graph optimisations
   (BatchNorm folded into the convolutions), so that each convolution has one weight to quantize;
2. calibration: the float model, with every tensor made an output, is run on the calibration
   images and records each activation's range [min, max] (``CalibrationMethod.MinMax``);
3. ``quantize_static`` writes the QDQ form (``QuantFormat.QDQ``: QuantizeLinear/DequantizeLinear
   pairs around the float operators, which ONNX Runtime fuses into integer kernels). The network's
   outputs stay float (:func:`output_op_types`): the last operator, the classifier's Gemm, still
   multiplies integers but writes float logits, where ONNX Runtime would otherwise round the logits
   to 8 bits on their calibrated range, a step that only adds error (measured on a trained
   ResNet-18 classifier: the largest logit change 1.28 against 0.35, top-1 agreement 95.9 % against
   96.4 %; ``bench/README.md``, "INT8 exports").

The affine scheme (Jacob et al., "Quantization and Training of Neural Networks for Efficient
Integer-Arithmetic-Only Inference", CVPR 2018, arXiv 1712.05877): a real value r is stored as the
integer q with r = S (q - Z). Weights are signed 8-bit, symmetric (Z = 0) and per output channel
c: S_c = max |W_c| / 127 (``per_channel=True``, ``QuantType.QInt8``; ``reduce_range`` uses 7 bits,
S_c = max |W_c| / 63, against the saturation of 16-bit sums in AVX2/AVX-512 kernels
without VNNI: the default on such CPUs, :func:`default_reduce_range`). Activations are unsigned
8-bit from their calibrated range: S = (max - min) / 255, Z = round(-min / S)
(``QuantType.QUInt8``: the u8 x s8 products x86 integer kernels take).

The gate (:func:`gate`), like the round trip of a float export: the INT8 file and the float file
are run on held check images (never the calibration images, :mod:`.calibration`); the share whose
top-1 class agrees and the largest absolute logit difference are reported, and an agreement below
``min_agreement`` (:data:`~.results.MIN_AGREEMENT`, 99%) deletes the file and raises
:class:`~hub_plugin.errors.QuantizationMismatch`.

ONNX Runtime is imported inside the functions only: ``import hub_plugin`` stays light.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.extras import require
from ..errors import ExportError, QuantizationMismatch
from .calibration import ImageSet
from .exported_model import ExportedModel
from .results import MIN_AGREEMENT, RELATIVE_TOLERANCE, QuantizationCheck, RoundTrip

SCHEME = "int8-static-qdq"
"""What the card calls this quantization: static ranges, QDQ format, int8 per-channel weights."""
QDQ_OPSET = 13
"""The ONNX opset the quantized file is written in (per-channel DequantizeLinear needs 13)."""
CALIBRATION_BATCH = 32
"""Images per calibration call when the file's batch is free."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _feeds(model: ExportedModel, images: NDArray[np.float32]) -> Iterator[NDArray[np.float32]]:
    """``images`` in the batches the float file takes (a fixed batch: the last slice padded by
    repeating its first image, so the ranges see only real images)."""
    fixed = model.batch_size
    step = fixed or CALIBRATION_BATCH
    for first in range(0, images.shape[0], step):
        part = images[first : first + step]
        if fixed is not None and part.shape[0] < fixed:
            part = np.concatenate([part, np.repeat(part[:1], fixed - part.shape[0], axis=0)])
        yield np.ascontiguousarray(part, dtype=np.float32)


VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")
"""CPU flags of x86 integer dot-product instructions that add u8 x s8 products without saturating."""


def default_reduce_range(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether to quantize the weights to 7 bits: yes on an x86 CPU without VNNI (AVX2 or AVX-512
    alone), whose u8 x s8 kernels (``vpmaddubsw``) add pairs of products into 16 bits and saturate
    with 8-bit weights (ONNX Runtime's quantization guide recommends ``reduce_range`` there); no
    where VNNI is present or the CPU is not x86. Measured on this project's AVX2 machine: the
    features of a ResNet-18 moved half as far from the float ones with 7-bit weights."""
    try:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("flags")), None)
    except OSError:
        return False
    if flags is None or "avx2" not in flags:
        return False
    return not any(flag in flags for flag in VNNI_FLAGS)


def _upgrade_opset(source: Path, destination: Path) -> None:
    """Write ``source`` at ONNX opset :data:`QDQ_OPSET` at least: MindSpore writes opset 11, whose
    DequantizeLinear has no ``axis`` (per-channel scales came with opset 13)."""
    import onnx
    from onnx import version_converter

    model = onnx.load(str(source))
    current = max((entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")),
                  default=0)
    if current < QDQ_OPSET:
        model = version_converter.convert_version(model, QDQ_OPSET)
    onnx.save(model, str(destination))


def output_op_types(path: Path) -> list[str]:
    """The operator types of the nodes that write the graph's outputs in the ONNX file ``path``,
    for ``quantize_static``'s ``OpTypesToExcludeOutputQuantization``: those nodes' outputs are not
    quantized where nothing quantized reads them, so the outputs stay float and every other tensor
    (the same operator type inside the network included, whose readers quantize it) is unchanged."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    outputs = {output.name for output in graph.output}
    return sorted({node.op_type for node in graph.node if outputs.intersection(node.output)})


def quantize_int8(
    float_path: Path, destination: Path, calibration: ImageSet, *, reduce_range: bool | None = None
) -> Path:
    """Write the INT8 (QDQ) form of the ONNX file ``float_path`` to ``destination``, its
    activation ranges calibrated on ``calibration`` (see the module docstring); ``reduce_range``
    ``None``: :func:`default_reduce_range`."""
    if reduce_range is None:
        reduce_range = default_reduce_range()
    require("onnxruntime", "hub-plugin export --quantize int8", "onnx")
    require("onnx", "hub-plugin export --quantize int8", "onnx")
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    model = ExportedModel.open(float_path)
    input_name = model.input_name
    batches = list(_feeds(model, calibration.images))

    class _Reader(CalibrationDataReader):  # type: ignore[misc]  # ONNX Runtime ships no types
        def __init__(self) -> None:
            self._next = iter(batches)

        def get_next(self) -> dict[str, NDArray[np.float32]] | None:
            batch = next(self._next, None)
            return None if batch is None else {input_name: batch}

        def rewind(self) -> None:
            self._next = iter(batches)

    with tempfile.TemporaryDirectory(prefix="hub-plugin-quantize-") as folder:
        upgraded, prepared = Path(folder) / "opset.onnx", Path(folder) / "prepared.onnx"
        try:
            _upgrade_opset(float_path, upgraded)
            # ONNX's own shape inference suffices for these static graphs (no sympy needed)
            quant_pre_process(str(upgraded), str(prepared), skip_symbolic_shape=True)
            quantize_static(
                str(prepared), str(destination), _Reader(), quant_format=QuantFormat.QDQ,
                per_channel=True, reduce_range=reduce_range, activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                extra_options={"OpTypesToExcludeOutputQuantization": output_op_types(prepared)},
            )
        except Exception as error:  # ONNX Runtime's and onnx's own untyped errors
            destination.unlink(missing_ok=True)
            raise ExportError(
                f"ONNX Runtime could not quantize {float_path.name}: {_first_line(error)}"
            ) from None
    if not destination.is_file():
        raise ExportError(f"quantize_static wrote no {destination.name}")
    return destination


def agreement(expected: NDArray[Any], actual: NDArray[Any]) -> tuple[float, float]:
    """``(top-1 agreement, largest absolute logit difference)`` of ``actual`` against ``expected``,
    both (N, classes); a shape mismatch or a non-finite logit agrees on nothing."""
    if expected.shape != actual.shape or expected.ndim != 2 or expected.shape[0] == 0:
        return 0.0, float("inf")
    if not np.isfinite(actual).all():
        return 0.0, float("inf")
    same = float(np.mean(np.argmax(expected, axis=1) == np.argmax(actual, axis=1)))
    largest = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
    return same, largest


def gate(
    quantized: Path,
    float_path: Path,
    calibration: ImageSet,
    check: ImageSet,
    *,
    min_agreement: float = MIN_AGREEMENT,
    reduce_range: bool = False,
    shown: Path | None = None,
) -> QuantizationCheck:
    """Run both files on ``check``; the figures, or (the INT8 file deleted)
    :class:`QuantizationMismatch` when the agreement is below ``min_agreement``."""
    try:
        expected = ExportedModel.open(float_path).run(check.images)
        actual = ExportedModel.open(quantized).run(check.images)
    except BaseException:
        quantized.unlink(missing_ok=True)
        raise
    same, largest = agreement(expected, actual)
    result = QuantizationCheck(
        scheme=SCHEME, calibration=calibration.source, calibration_size=len(calibration),
        check=check.source, check_size=len(check), agreement=same, max_logit_difference=largest,
        min_agreement=min_agreement, reduce_range=reduce_range,
    )
    if not result.passed:
        quantized.unlink(missing_ok=True)
        raise QuantizationMismatch(shown or quantized, result)
    return result


def export_quantized(
    network: Any,
    shape: tuple[int, ...],
    destination: Path,
    calibration: ImageSet,
    check: ImageSet,
    *,
    min_agreement: float = MIN_AGREEMENT,
    tolerance: float = RELATIVE_TOLERANCE,
    dynamic_batch: bool = False,
    reduce_range: bool | None = None,
    full_batch_check: bool = False,
    phase: Callable[[str], None] | None = None,
) -> tuple[Path, RoundTrip, QuantizationCheck]:
    """Export ``network`` to a float ONNX file checked by its round trip (in a temporary folder),
    quantize it, gate it, and only then move the INT8 file to ``destination``.

    Returns the path, the float file's round trip and the gate's figures. ``reduce_range``
    ``None``: :func:`default_reduce_range`. ``full_batch_check`` and ``phase``: as
    :func:`.round_trip.export_checked` takes them; ``phase`` also hears of the quantizing.
    """
    if reduce_range is None:
        reduce_range = default_reduce_range()
    from .round_trip import export_checked

    with tempfile.TemporaryDirectory(prefix="hub-plugin-int8-") as folder:
        float_path, round_trip = export_checked(
            network, shape, Path(folder) / "float.onnx", "onnx", tolerance=tolerance,
            dynamic_batch=dynamic_batch, full_batch_check=full_batch_check, phase=phase,
        )
        assert round_trip is not None  # ONNX files are always checked
        partial = destination.with_name(f".{destination.stem}.{os.getpid()}.partial.onnx")
        if phase is not None:
            phase(f"quantizing to INT8 ({len(calibration)} calibration images), then the gate")
        quantize_int8(float_path, partial, calibration, reduce_range=reduce_range)
        try:
            figures = gate(partial, float_path, calibration, check, min_agreement=min_agreement,
                           reduce_range=reduce_range, shown=destination)
            os.replace(partial, destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return destination, round_trip, figures


__all__ = [
    "SCHEME", "VNNI_FLAGS", "agreement", "default_reduce_range", "export_quantized", "gate",
    "output_op_types", "quantize_int8",
]
