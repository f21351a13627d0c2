"""The reports of a validation run: one per file, and one for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .card import Defect
from .manifest import Manifest
from .schema_profiles import Profile


@dataclass
class FileReport:
    """The verdict on one card: its errors and warnings, and its manifest when it is valid."""

    path: str
    errors: list[Defect] = field(default_factory=list)
    warnings: list[Defect] = field(default_factory=list)
    manifest: Manifest | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "valid": self.valid,
            "errors": [d.to_json() for d in self.errors],
            "warnings": [d.to_json() for d in self.warnings],
        }


@dataclass
class ValidationReport:
    """The verdicts on every card of a ``validate`` run."""

    files: list[FileReport]
    profile: Profile = "strict"

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    def summary(self) -> dict[str, int]:
        valid = sum(f.valid for f in self.files)
        return {"files": len(self.files), "valid": valid, "invalid": len(self.files) - valid}

    def to_json(self) -> dict[str, Any]:
        return {"files": [f.to_json() for f in self.files], "summary": self.summary()}
