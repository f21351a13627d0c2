"""Running an exported network: a MINDIR or ONNX file, NumPy batches in, NumPy arrays out.

:class:`ExportedModel` is the one entry point, used by ``hub-plugin predict --model FILE`` and by
the round-trip check of ``hub-plugin export``::

    from hub_plugin.runtime.exported_model import ExportedModel

    model = ExportedModel.open("simclr_classifier.onnx")          # ONNX Runtime, tuned threads
    logits = model.run(images)                                    # (N, 3, 32, 32) float32 -> (N, 10)

Two runtimes:

- ``onnxruntime`` runs ``.onnx`` files (the ``onnx`` extra: ``pip install 'hub-plugin[onnx]'``).
  The session runs operators one after another (``ORT_SEQUENTIAL``), with every graph optimisation
  (``ORT_ENABLE_ALL``), ``threads`` intra-op threads (default: the machine's cores) and its worker
  threads not spinning while idle, which on a small shared machine keeps them from stealing the
  cores that preprocessing needs; ``threads=0`` keeps ONNX Runtime's own defaults.
- ``mindspore`` runs ``.mindir`` files through ``mindspore.load`` and ``nn.GraphCell``.

The batch dimension: MindSpore 2.10 exports ONNX with the batch fixed (its exporter refuses dynamic
shapes), so a model whose input declares a fixed batch ``B`` is fed in slices of ``B`` images, the
last one padded with zeros and the padding's outputs dropped; any batch size works, and a batch of
``B`` costs one call. A MINDIR records the batch it was exported with, but ``nn.GraphCell``
re-infers the shapes of the graph for each new input, so it runs any batch as one call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from ..errors import HubPluginError, UsageError
from .extras import require

Runtime = Literal["onnxruntime", "mindspore"]
RUNTIMES: tuple[Runtime, ...] = ("mindspore", "onnxruntime")
FORMAT_OF_SUFFIX = {".onnx": "onnx", ".mindir": "mindir"}
RUNTIME_OF_FORMAT: dict[str, Runtime] = {"onnx": "onnxruntime", "mindir": "mindspore"}


class ModelFileError(HubPluginError):
    """An exported model file is missing, of an unknown kind, or its runtime cannot open it."""


class _Backend(Protocol):
    """What a runtime offers :class:`ExportedModel`: the declared input shape and one call."""

    input_shape: tuple[int | None, ...]

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]: ...


def default_threads() -> int:
    """The intra-op threads that suit inference here: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _OnnxRuntimeBackend:
    """An ONNX Runtime ``InferenceSession`` on the CPU, with the settings the module describes."""

    def __init__(self, path: Path, threads: int | None) -> None:
        require("onnxruntime", "running an ONNX model", "onnx")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads != 0:
            options.intra_op_num_threads = threads or default_threads()
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: its warnings are not the user's business
        try:
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # ONNX Runtime raises its own untyped errors
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelFileError(f"{path}: ONNX Runtime cannot open it: {first}") from None
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise ModelFileError(f"{path}: the model takes {len(inputs)} inputs; one (the images) expected")
        self.input_name: str = inputs[0].name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inputs[0].shape)

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]:
        outputs = self.session.run(None, {self.input_name: batch})
        result: NDArray[Any] = np.asarray(outputs[0])
        return result


class _MindirBackend:
    """A MINDIR file loaded by ``mindspore.load`` and run by ``nn.GraphCell``."""

    input_shape: tuple[int | None, ...] = ()

    def __init__(self, path: Path) -> None:
        require("mindspore", "running a MINDIR model", "mindspore")
        import mindspore
        from mindspore import nn

        try:
            self.cell = nn.GraphCell(mindspore.load(str(path)))
        except Exception as error:  # MindSpore raises RuntimeError/ValueError with C++ stacks
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelFileError(f"{path}: MindSpore cannot load it: {first}") from None
        self.cell.set_train(False)
        self._tensor = mindspore.Tensor

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]:
        result: NDArray[Any] = self.cell(self._tensor(batch)).asnumpy()
        return result


@dataclass
class ExportedModel:
    """An exported network opened for inference; :meth:`open` makes one, :meth:`run` uses it.

    Attributes:
        path: the model file.
        format: ``onnx`` or ``mindir`` (from the file's suffix).
        runtime: ``onnxruntime`` or ``mindspore``.
        input_shape: the input the file declares, ``None`` for a dimension it leaves open (a MINDIR
            declares nothing GraphCell enforces: ``()``).
        batch_size: the fixed batch the file takes, or ``None`` when any batch runs as one call.
    """

    path: Path
    format: str
    runtime: Runtime
    input_shape: tuple[int | None, ...]
    _backend: _Backend

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, runtime: Runtime | None = None, threads: int | None = None
    ) -> ExportedModel:
        """Open ``path`` (``.onnx`` or ``.mindir``) with ``runtime`` (default: the format's own).

        ``threads`` sets ONNX Runtime's intra-op threads (default: the cores here; 0: ONNX
        Runtime's defaults). Raises :class:`ModelFileError` for a missing or unreadable file,
        :class:`~hub_plugin.errors.UsageError` for a runtime that cannot run the format, and
        :class:`~hub_plugin.runtime.extras.MissingDependency` when the runtime is not installed.
        """
        file = Path(path)
        model_format = FORMAT_OF_SUFFIX.get(file.suffix.lower())
        if model_format is None:
            raise UsageError(
                f"{file}: not an exported model", hint="expected a .onnx or .mindir file"
            )
        if not file.is_file():
            raise ModelFileError(f"{file}: no such model file")
        own = RUNTIME_OF_FORMAT[model_format]
        chosen = runtime or own
        if chosen != own:
            raise UsageError(
                f"{file}: a {model_format.upper()} file runs with --runtime {own}, not {chosen}"
            )
        backend: _Backend = (
            _OnnxRuntimeBackend(file, threads) if chosen == "onnxruntime" else _MindirBackend(file)
        )
        return cls(file, model_format, chosen, backend.input_shape, backend)

    @property
    def batch_size(self) -> int | None:
        """The fixed batch of the file's input, or ``None`` when any batch runs as one call."""
        first = self.input_shape[0] if self.input_shape else None
        return first if isinstance(first, int) and self.format == "onnx" else None

    def run(self, batch: NDArray[Any]) -> NDArray[Any]:
        """The network's output for ``batch`` (first dimension the images), as one array.

        ``batch`` is converted to contiguous float32. A fixed-batch model gets it in slices of its
        batch, the last padded with zeros; the padding's rows are not returned.
        """
        images = np.ascontiguousarray(batch, dtype=np.float32)
        fixed = self.batch_size
        if fixed is None or images.shape[0] == fixed:
            return self._backend(images)
        if images.shape[0] == 0:
            raise UsageError("an empty batch: give at least one image")
        parts = []
        for first in range(0, images.shape[0], fixed):
            part = images[first : first + fixed]
            count = part.shape[0]
            if count < fixed:
                padding = np.zeros((fixed - count, *part.shape[1:]), dtype=np.float32)
                part = np.concatenate([part, padding])
            parts.append(self._backend(part)[:count])
        return np.concatenate(parts)

    __call__ = run


__all__ = ["RUNTIMES", "ExportedModel", "ModelFileError", "Runtime", "default_threads"]
