"""What runs the classifier for ``predict``: MindSpore on the network, or an exported file.

- No ``--model`` and the ``mindspore`` runtime (the default): the classifier built from its
  checkpoints (:func:`~.classifier.build_classifier`), run by MindSpore on ``--device``.
- ``--model FILE``: an exported classifier (``hub-plugin export``), run by
  :class:`hub_plugin.exports.exported_model.ExportedModel` with its format's runtime (``.onnx``:
  ONNX Runtime, ``.mindir``: MindSpore's ``nn.GraphCell``); ``--runtime``, if given, must agree.
- No ``--model`` and ``--runtime onnxruntime``: the classifier built from its checkpoints is
  exported to ONNX in a temporary folder for the batch it will be fed, checked by the same round
  trip as ``hub-plugin export`` (a few seconds), and served by ONNX Runtime.

Every path returns the same thing: a function from a float32 batch (N, 3, 32, 32), preprocessed as
:class:`~..data.transforms.EvaluationTransform` does, to the logits (N, 10).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hub_plugin.core.extras import require
from hub_plugin.exports.exported_model import ExportedModel
from hub_plugin.exports.round_trip import export_checked
from hub_plugin.packages.device import use_device

from ..config import PredictConfig
from ..cpu import use_fast_cpu_convolutions
from .classifier import build_classifier

Logits = Callable[[NDArray[np.float32]], NDArray[Any]]


def _mindspore_network(config: PredictConfig) -> Any:
    """The checkpoints' classifier on ``config.device``, in inference mode."""
    if config.device == "cpu":
        use_fast_cpu_convolutions()
    use_device(config.device)
    return build_classifier(config)


def require_runtime(config: PredictConfig) -> None:
    """Fail at once, with the ``pip install`` to run, when the runtime asked for is not installed."""
    model = str(config.model or "")
    if config.runtime == "onnxruntime" or model.lower().endswith(".onnx"):
        require("onnxruntime", "hub-plugin predict --runtime onnxruntime", "onnx")


def classifier_logits(config: PredictConfig, batch_size: int) -> Logits:
    """The function that gives the classifier's logits, by the rules of the module docstring.

    ``batch_size`` is the batch the caller will feed (an ONNX export is made for it).
    """
    if config.model is not None:
        if config.device == "cpu":
            use_fast_cpu_convolutions()
        runtime: Any = config.runtime
        return ExportedModel.open(config.model, runtime=runtime).run
    network = _mindspore_network(config)
    if config.runtime != "onnxruntime":
        import mindspore

        def run(batch: NDArray[np.float32]) -> NDArray[Any]:
            result: NDArray[Any] = network(mindspore.Tensor(batch)).asnumpy()
            return result

        return run
    with tempfile.TemporaryDirectory(prefix="hub-plugin-predict-") as folder:
        path, _ = export_checked(network, (batch_size, 3, 32, 32), Path(folder) / "classifier.onnx", "onnx")
        model = ExportedModel.open(path)  # the session holds the model; the file may go
    return model.run


__all__ = ["Logits", "classifier_logits", "require_runtime"]
