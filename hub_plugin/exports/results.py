"""The formats, typed results and errors of ``export``: the round trip's figures and what can go wrong.

Kept apart from :mod:`.round_trip` (which needs NumPy and MindSpore) so that ``import hub_plugin``
and the CLI's parser can offer them without importing either (the light install has neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import (  # moved to errors.py (issue 26); importable here too
    AscendRequired as AscendRequired,
)
from ..errors import (
    ExportError as ExportError,
)
from ..errors import (
    ExportMismatch as ExportMismatch,
)
from ..errors import (
    QuantizationMismatch as QuantizationMismatch,
)

ExportFormat = Literal["mindir", "onnx", "air"]
FORMATS: tuple[ExportFormat, ...] = ("mindir", "onnx", "air")
SUFFIXES: dict[str, str] = {"mindir": ".mindir", "onnx": ".onnx", "air": ".air"}
#: The largest difference an export may show, relative to the output's largest value (float32).
RELATIVE_TOLERANCE = 1e-4
Quantization = Literal["int8"]
QUANTIZATIONS: tuple[Quantization, ...] = ("int8",)
#: The smallest top-1 agreement with the float export an INT8 file may show and be kept.
MIN_AGREEMENT = 0.99
#: Images the INT8 export calibrates on, and images its gate checks, unless told otherwise.
CALIBRATION_SIZE = 128
CHECK_SIZE = 256


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


@dataclass(frozen=True)
class QuantizationCheck:
    """How an INT8 file was made and what its accuracy gate found against the float export.

    ``agreement``: the share of the check images whose top-1 class is the same in both files;
    ``max_logit_difference``: max |int8 - float| over every logit of the check images.
    ``calibration`` and ``check`` say where the images came from (a folder, or the package's preset).
    """

    scheme: str
    calibration: str
    calibration_size: int
    check: str
    check_size: int
    agreement: float
    max_logit_difference: float
    min_agreement: float
    reduce_range: bool = False

    @property
    def passed(self) -> bool:
        return self.agreement >= self.min_agreement

    def summary(self) -> str:
        """One line: the figures of the gate and the sets it used."""
        verdict = "at or above" if self.passed else "BELOW"
        return (
            f"INT8 against the float export on {self.check_size} check images ({self.check}): "
            f"top-1 agreement {self.agreement:.2%} ({verdict} the minimum {self.min_agreement:.2%}), "
            f"largest logit difference {self.max_logit_difference:.3g}; calibrated on "
            f"{self.calibration_size} images ({self.calibration})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme, "calibration": self.calibration,
            "calibration-size": self.calibration_size, "check": self.check,
            "check-size": self.check_size, "top1-agreement": self.agreement,
            "max-logit-difference": self.max_logit_difference, "min-agreement": self.min_agreement,
            "reduce-range": self.reduce_range, "passed": self.passed,
        }


__all__ = [
    "CALIBRATION_SIZE", "CHECK_SIZE", "MIN_AGREEMENT", "QUANTIZATIONS", "AscendRequired",
    "ExportError", "ExportMismatch", "Quantization", "QuantizationCheck", "QuantizationMismatch",
    "RoundTrip",
]
