"""The formats, typed results and errors of ``export``: the round trip's figures and what can go wrong.

Kept apart from :mod:`.round_trip` (which needs NumPy and MindSpore) so that ``import hub_plugin``
and the CLI's parser can offer them without importing either (the light install has neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...errors import HubPluginError

ExportFormat = Literal["mindir", "onnx", "air"]
FORMATS: tuple[ExportFormat, ...] = ("mindir", "onnx", "air")
SUFFIXES: dict[str, str] = {"mindir": ".mindir", "onnx": ".onnx", "air": ".air"}
#: The largest difference an export may show, relative to the output's largest value (float32).
RELATIVE_TOLERANCE = 1e-4


class ExportError(HubPluginError):
    """``mindspore.export`` could not write the network (an operator the format lacks, ...)."""


class AscendRequired(HubPluginError):
    """AIR files are written by MindSpore's Ascend backend only."""

    exit_code = 2

    def __init__(self, device: str) -> None:
        super().__init__(
            f"AIR export needs an Ascend device (MindSpore writes AIR only there); this one is {device}",
            hint="use --format mindir or --format onnx here, or --device ascend on an Ascend machine",
        )


@dataclass(frozen=True)
class RoundTrip:
    """What the check of one export found: the file's output against the network's."""

    runtime: str
    input_shape: tuple[int, ...]
    seed: int
    max_abs: float
    max_rel: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return self.max_rel <= self.tolerance

    def summary(self) -> str:
        """One line: the runtime, the batch and the figures."""
        verdict = "within" if self.passed else "ABOVE"
        return (
            f"round trip through {self.runtime} on a seeded batch {list(self.input_shape)}: "
            f"largest difference {self.max_abs:.3g} absolute, {self.max_rel:.3g} relative "
            f"({verdict} the tolerance {self.tolerance:g})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime, "input-shape": list(self.input_shape), "seed": self.seed,
            "max-abs": self.max_abs, "max-rel": self.max_rel, "tolerance": self.tolerance,
            "passed": self.passed,
        }


class ExportMismatch(HubPluginError):
    """The exported file does not reproduce the network; the file has been deleted."""

    def __init__(self, path: Path, check: RoundTrip) -> None:
        self.path = path
        self.check = check
        super().__init__(
            f"{path.name}: the export does not reproduce the network: largest difference "
            f"{check.max_abs:.3g} absolute, {check.max_rel:.3g} relative, above the tolerance "
            f"{check.tolerance:g} ({check.runtime}, seeded batch {list(check.input_shape)})",
            hint="the file was deleted",
        )


__all__ = ["AscendRequired", "ExportError", "ExportMismatch", "RoundTrip"]
