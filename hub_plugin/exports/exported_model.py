"""Running an exported network: a MINDIR or ONNX file, NumPy batches in, NumPy arrays out.

:class:`ExportedModel` is the one entry point, used by ``hub-plugin predict --model FILE`` and by
the round-trip check of ``hub-plugin export``::

    from hub_plugin.exports.exported_model import ExportedModel

    model = ExportedModel.open("simclr_classifier.onnx")          # ONNX Runtime
    logits = model.run(images)                                    # (N, 3, 32, 32) float32 -> (N, 10)

Two runtimes:

- ``onnxruntime`` runs ``.onnx`` files (the ``onnx`` extra: ``pip install 'hub-plugin[onnx]'``).
  The session runs operators one after another (``ORT_SEQUENTIAL``) with every graph optimisation
  (``ORT_ENABLE_ALL``: BatchNorm folded into the convolutions, NCHWc layouts), on the CPU.
  ``threads`` sets its intra-op threads (default: ONNX Runtime's, one per physical core);
  ``spin=False`` stops idle worker threads from spinning, which gives the cores back to other work
  between calls at some cost in latency. ``bench/bench_inference.py`` measures the choices.
- ``mindspore`` runs ``.mindir`` files through ``mindspore.load`` and ``nn.GraphCell``.

The batch dimension: an ONNX file is exported with its batch fixed unless ``export
--dynamic-batch`` left it free (then any batch is one call). A model whose input declares a fixed
batch ``B`` is fed in slices of ``B`` images, the last one padded with zeros and the padding's
outputs dropped; any batch size works, and a batch of ``B`` costs one call. A MINDIR records the
batch it was exported with, but ``nn.GraphCell`` re-infers the shapes of the graph for each new
input, so it runs any batch as one call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from ..core.extras import require
from ..errors import (  # moved to errors.py (issue 26); importable here too
    ModelFileError as ModelFileError,
)
from ..errors import UsageError

Runtime = Literal["onnxruntime", "mindspore"]
RUNTIMES: tuple[Runtime, ...] = ("mindspore", "onnxruntime")
FORMAT_OF_SUFFIX = {".onnx": "onnx", ".mindir": "mindir"}
RUNTIME_OF_FORMAT: dict[str, Runtime] = {"onnx": "onnxruntime", "mindir": "mindspore"}


class _Backend(Protocol):
    """What a runtime offers :class:`ExportedModel`: the declared input shape and one call."""

    input_shape: tuple[int | None, ...]

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]: ...


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class _OnnxRuntimeBackend:
    """An ONNX Runtime ``InferenceSession`` on the CPU, with the settings the module describes."""

    def __init__(self, path: Path, threads: int | None, spin: bool) -> None:
        require("onnxruntime", "running an ONNX model", "onnx")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is not None:
            if threads < 1:
                raise UsageError(f"threads must be at least 1, got {threads}")
            options.intra_op_num_threads = threads
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: its warnings are not the user's business
        try:
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # ONNX Runtime raises its own untyped errors
            raise ModelFileError(f"{path}: ONNX Runtime cannot open it: {_first_line(error)}") from None
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise ModelFileError(f"{path}: the model takes {len(inputs)} inputs; one (the images) expected")
        self.path = path
        self.input_name: str = inputs[0].name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inputs[0].shape)

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]:
        try:
            outputs = self.session.run(None, {self.input_name: batch})
        except Exception as error:  # a batch of the wrong shape, most often
            raise ModelFileError(
                f"{self.path}: cannot run a batch of shape {list(batch.shape)} "
                f"(the file takes {list(self.input_shape)}): {_first_line(error)}"
            ) from None
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
            raise ModelFileError(f"{path}: MindSpore cannot load it: {_first_line(error)}") from None
        self.cell.set_train(False)
        self.path = path
        self._tensor = mindspore.Tensor

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[Any]:
        try:
            result: NDArray[Any] = self.cell(self._tensor(batch)).asnumpy()
        except (RuntimeError, ValueError, TypeError) as error:
            raise ModelFileError(
                f"{self.path}: cannot run a batch of shape {list(batch.shape)}: {_first_line(error)}"
            ) from None
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
        cls,
        path: str | os.PathLike[str],
        *,
        runtime: Runtime | None = None,
        threads: int | None = None,
        spin: bool = True,
    ) -> ExportedModel:
        """Open ``path`` (``.onnx`` or ``.mindir``) with ``runtime`` (default: the format's own).

        ``threads`` and ``spin`` tune ONNX Runtime (see the module docstring). Raises
        :class:`ModelFileError` for a missing or unreadable file,
        :class:`~hub_plugin.errors.UsageError` for a runtime that cannot run the format, and
        :class:`~hub_plugin.errors.MissingDependency` when the runtime is not installed.
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
            _OnnxRuntimeBackend(file, threads, spin) if chosen == "onnxruntime" else _MindirBackend(file)
        )
        return cls(file, model_format, chosen, backend.input_shape, backend)

    @property
    def batch_size(self) -> int | None:
        """The fixed batch of the file's input, or ``None`` when any batch runs as one call."""
        first = self.input_shape[0] if self.input_shape else None
        return first if isinstance(first, int) and self.format == "onnx" else None

    @property
    def input_name(self) -> str:
        """The name of the file's input (an ONNX file's own; ``input`` for a MINDIR)."""
        return str(getattr(self._backend, "input_name", "input"))

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


__all__ = ["RUNTIMES", "ExportedModel", "ModelFileError", "Runtime"]
