"""The reports of a validation run: one per file, and one for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..cards.card import Defect
from ..cards.manifest import Manifest, Position
from ..cards.profiles import Profile


@dataclass
class FileReport:
    """The verdict on one card: its errors, warnings and notes, and its manifest when it is valid.

    ``fields`` and ``positions`` are the front matter as data and where each value is (by JSON
    pointer), kept for invalid cards too, so that later checks (links, assets) can still place
    what they find. ``notes`` are findings that are not defects (a size a server announced, the
    full digest of an asset whose card gives a prefix).
    """

    path: str
    errors: list[Defect] = field(default_factory=list)
    warnings: list[Defect] = field(default_factory=list)
    manifest: Manifest | None = None
    notes: list[Defect] = field(default_factory=list)
    fields: dict[str, Any] | None = None
    positions: dict[str, Position] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def defects(self) -> list[Defect]:
        """Errors, warnings and notes together, in the order of their position in the file."""
        return sorted(self.errors + self.warnings + self.notes,
                      key=lambda d: (d.line or 0, d.column or 0))

    def add(self, defect: Defect) -> None:
        """File a defect found after the text checks, by its severity."""
        {"error": self.errors, "warning": self.warnings, "note": self.notes}[defect.severity].append(defect)
        if defect.severity == "error":
            self.manifest = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "valid": self.valid,
            "errors": [d.to_json() for d in self.errors],
            "warnings": [d.to_json() for d in self.warnings],
            "notes": [d.to_json() for d in self.notes],
        }


@dataclass
class ValidationReport:
    """The verdicts on every card of a ``validate`` run."""

    files: list[FileReport]
    profile: Profile = "strict"
    #: Files left out because they are no cards (Markdown without front matter outside a hub's
    #: card folder), each with why: ``.path`` and ``.reason``.
    skipped: list[Any] = field(default_factory=list)
    #: The hub card folders the paths were recognised by (``mshub_res/assets``).
    hub_layouts: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    def summary(self) -> dict[str, int]:
        valid = sum(f.valid for f in self.files)
        return {"files": len(self.files), "valid": valid, "invalid": len(self.files) - valid}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"files": [f.to_json() for f in self.files], "summary": self.summary()}
        if self.skipped:
            data["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        return data
