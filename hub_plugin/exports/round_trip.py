"""Writing a network to a MINDIR, ONNX or AIR file, and the round trip that checks the file.

:func:`write_export` calls ``mindspore.export`` (``mindspore.onnx.export`` for ONNX) for one
example input. :func:`check_export` runs the
file with the runtime that will serve it (a MINDIR through ``mindspore.load`` and ``nn.GraphCell``,
an ONNX file through ONNX Runtime, both by :class:`~.exported_model.ExportedModel`) on the same
seeded batch as the network, and compares the first outputs:

- ``max_abs`` = max |file - network|, over every element;
- ``max_rel`` = max_abs / max |network|, the error relative to the output's scale (an elementwise
  ratio would blow up on the near-zero logits every classifier has).

Above :data:`RELATIVE_TOLERANCE` (1e-4, about a thousand float32 roundings of the output's largest
value: kernels that add in another order land near 1e-6, a wrong weight or operator near 1) the file
is deleted and :class:`ExportMismatch` names the figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ExportError, ExportMismatch, UsageError
from .results import FORMATS, RELATIVE_TOLERANCE, SUFFIXES, ExportFormat, RoundTrip

"""The largest ``max_rel`` an export may show and be kept (float32 networks)."""
CHECK_SEED = 0
"""The seed of the check's batch: uniform pixels in [0, 255), as ``hub-plugin load`` feeds."""


def check_batch(shape: tuple[int, ...], seed: int = CHECK_SEED) -> NDArray[np.float32]:
    """The seeded batch the check feeds both the network and the file."""
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(np.float32)


def first_output(output: Any) -> NDArray[Any]:
    """A network's first output as a NumPy array (a tuple or list of tensors gives its first)."""
    if isinstance(output, tuple | list):
        output = output[0]
    result: NDArray[Any] = output.asnumpy() if hasattr(output, "asnumpy") else np.asarray(output)
    return result


def differences(actual: NDArray[Any], expected: NDArray[Any]) -> tuple[float, float]:
    """``(max_abs, max_rel)`` as the module defines them; a shape mismatch is infinitely wrong."""
    if actual.shape != expected.shape:
        return float("inf"), float("inf")
    delta = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    max_abs = float(delta.max()) if delta.size else 0.0
    scale = float(np.abs(expected.astype(np.float64)).max()) if expected.size else 0.0
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    if not np.isfinite(actual).all():
        return float("inf"), float("inf")
    return max_abs, max_rel


def write_export(
    network: Any, example: NDArray[np.float32], stem: Path, file_format: ExportFormat,
    *, dynamic_batch: bool = False,
) -> Path:
    """Write ``network`` for inputs shaped like ``example`` to ``stem`` + the format's suffix.

    ONNX goes through ``mindspore.onnx.export`` (``mindspore.export`` to ONNX is deprecated in
    MindSpore 2.10), whose ``dynamic_axes`` leave the batch free when ``dynamic_batch``: the file
    then takes any number of images in one call. MINDIR and AIR go through ``mindspore.export``.
    """
    import mindspore

    if dynamic_batch and file_format != "onnx":
        raise UsageError(f"a dynamic batch is for ONNX exports; a {file_format.upper()} file records "
                         "its batch (nn.GraphCell runs a MINDIR at any batch anyway)")
    path = stem.with_name(stem.name + SUFFIXES[file_format])
    tensor = mindspore.Tensor(example)
    try:
        if file_format == "onnx":
            from mindspore import onnx

            outputs = network(tensor[:1])  # only to count the outputs: one image is enough
            count = len(outputs) if isinstance(outputs, tuple | list) else 1
            output_names = [f"output{i}" for i in range(count)]
            axes = ({name: {0: "batch"} for name in ["input", *output_names]} if dynamic_batch else None)
            onnx.export(network, tensor, file_name=str(path), input_names=["input"],
                        output_names=output_names, dynamic_axes=axes)
            if dynamic_batch:
                free_output_batch(path)
        else:
            mindspore.export(network, tensor, file_name=str(stem), file_format=file_format.upper())
    except (RuntimeError, ValueError, TypeError) as error:
        path.unlink(missing_ok=True)
        text = str(error).strip()
        first = text.splitlines()[0] if text else type(error).__name__
        raise ExportError(f"mindspore.export to {file_format.upper()} failed: {first}") from None
    if not path.is_file():
        raise ExportError(f"mindspore.export wrote no {path.name}")
    return path


def free_output_batch(path: Path, name: str = "batch") -> None:
    """Declare the batch (first) dimension of every output of the ONNX file ``path`` free, as
    ``name``: ``mindspore.onnx.export`` frees the input's batch from ``dynamic_axes`` but writes the
    outputs with the example's batch (``{1,10}``), and ONNX Runtime then warns on every call with
    another batch (bench/README.md, "On a GPU"; issue 28 item 6). Uses the ``onnx`` package (the
    onnx extra) and rewrites the file in place."""
    import onnx

    model = onnx.load(str(path))
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        if len(dims):
            dims[0].Clear()
            dims[0].dim_param = name
    onnx.save(model, str(path))


def check_export(
    path: Path,
    expected: NDArray[Any],
    batch: NDArray[np.float32],
    *,
    tolerance: float = RELATIVE_TOLERANCE,
    seed: int = CHECK_SEED,
    shown: Path | None = None,
) -> RoundTrip:
    """Run the file at ``path`` on ``batch`` and compare with ``expected`` (the network's output).

    Returns the :class:`RoundTrip`; when it fails, deletes the file and raises
    :class:`ExportMismatch` (naming ``shown``, default ``path``). A file its runtime cannot open
    is deleted too, and its error raised.
    """
    from .exported_model import ExportedModel

    try:
        model = ExportedModel.open(path)
        actual = model.run(batch)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    max_abs, max_rel = differences(actual, expected)
    check = RoundTrip(model.runtime, tuple(batch.shape), seed, max_abs, max_rel, tolerance)
    if not check.passed:
        path.unlink(missing_ok=True)
        raise ExportMismatch(shown or path, check)
    return check


#: The round trip's batch by default (issue 28 item 6): the network runs the check's batch op by
#: op, which for a batch of 64 took 7 to 9 minutes against 28 s for the whole export at batch 1;
#: a fixed-batch file is fed it padded to its own batch (:class:`~.exported_model.ExportedModel`).
CHECK_BATCH = 2


def export_checked(
    network: Any,
    shape: tuple[int, ...],
    destination: Path,
    file_format: ExportFormat,
    *,
    tolerance: float = RELATIVE_TOLERANCE,
    dynamic_batch: bool = False,
    full_batch_check: bool = False,
    phase: Callable[[str], None] | None = None,
) -> tuple[Path, RoundTrip | None]:
    """Export ``network`` (already in inference mode) for ``shape`` to ``destination``, checked.

    The file is written under a temporary name beside ``destination``, checked, and only then
    renamed to ``destination`` (a failed check leaves an earlier file there untouched). AIR files
    have no runtime here, so they come back unchecked (``None``). The check runs a batch of
    :data:`CHECK_BATCH` images (fewer when ``shape``'s batch is smaller), or ``shape``'s whole
    batch with ``full_batch_check``. A ``dynamic_batch`` ONNX file is checked twice: at that
    batch and at a batch two images larger, so a free batch axis is shown to work, not assumed;
    the first check is returned. ``phase`` is told each phase as it starts (writing, round trip).
    """
    import mindspore

    say = phase or (lambda _: None)
    checked = shape if full_batch_check else (min(shape[0], CHECK_BATCH), *shape[1:])
    stem = destination.with_name(f".{destination.stem}.{os.getpid()}.partial")
    say(f"writing {destination.name} (input {list(shape)})")
    written = write_export(network, check_batch(shape), stem, file_format, dynamic_batch=dynamic_batch)
    try:
        check = None
        if file_format != "air":
            say(f"round trip of {destination.name} on {checked[0]} image(s)")
            batch = check_batch(checked)
            expected = first_output(network(mindspore.Tensor(batch)))
            check = check_export(written, expected, batch, tolerance=tolerance, shown=destination)
        if dynamic_batch:
            other = check_batch((checked[0] + 2, *checked[1:]))
            check_export(written, first_output(network(mindspore.Tensor(other))), other,
                         tolerance=tolerance, shown=destination)
        os.replace(written, destination)
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    return destination, check


__all__ = [
    "CHECK_BATCH", "CHECK_SEED", "FORMATS", "RELATIVE_TOLERANCE", "SUFFIXES", "ExportFormat", "check_batch",
    "check_export", "differences", "export_checked", "first_output", "free_output_batch",
    "write_export",
]
