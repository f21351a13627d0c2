"""How ``hub-plugin validate`` prints a report: ``text``, ``json``, ``github`` or ``sarif``.

``json`` and ``sarif`` are data formats, written exactly (their own escaping applies); ``text``
lines and ``github`` annotations hold card text and file names, shown as data through the
console (:mod:`hub_plugin.core.console`: control characters visible, credentials redacted, the
workflow-command escaping).

Every format carries every finding: errors, warnings and notes (a size a server announced, the
full digest of an asset), the files skipped as no cards, and the cards skipped because
``--changed-since`` found them deleted. ``github`` puts the errors first (GitHub shows only the
first annotations of each step); :mod:`.step_summary` writes every finding to the job's page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.console import annotation_data, annotation_property, shown

if TYPE_CHECKING:  # the CLI reads FORMATS when it builds its parser: nothing heavier at import
    from .report import ValidationReport

FORMATS = ("text", "json", "github", "sarif")


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


def sarif_text(report: ValidationReport, *, deleted: Sequence[Path] = (),
               changed_since: str | None = None) -> str:
    """The report as a SARIF 2.1.0 log (``--format sarif`` and ``--sarif-output``)."""
    extra: dict[str, object] = {}
    if changed_since is not None:
        extra = {"changedSince": changed_since, "deleted": [str(path) for path in deleted]}
    if report.skipped:
        extra["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
    from .sarif_log import sarif_log

    return json.dumps(sarif_log(report, properties=extra), indent=2, ensure_ascii=False)


def render(report: ValidationReport, output_format: str, *, deleted: Sequence[Path] = (),
           changed_since: str | None = None) -> str:
    """The report in ``output_format``, ready to print."""
    gone = [str(path) for path in deleted]
    if output_format == "json":
        data = report.to_json()
        if changed_since is not None:
            data["changed_since"] = {"ref": changed_since, "deleted": gone}
        return json.dumps(data, indent=2, ensure_ascii=False)
    if output_format == "sarif":
        return sarif_text(report, deleted=deleted, changed_since=changed_since)
    lines = []
    defects = [d for file in report.files for d in file.defects()]
    if output_format == "github":  # GitHub shows only the first few annotations of each kind
        defects.sort(key=lambda d: _SEVERITY_ORDER[d.severity])
    for defect in defects:
        if output_format == "github":
            props = f"file={annotation_property(defect.path)}"
            if defect.line is not None:
                props += f",line={defect.line},col={defect.column or 1}"
            props += f",title={annotation_property(defect.rule)}"
            lines.append(f"::{_GITHUB_LEVEL[defect.severity]} {props}::{annotation_data(defect.message)}")
        else:
            suffix = "" if defect.severity == "error" else f" ({defect.severity})"
            lines.append(shown(f"{defect}{suffix}", multiline=True))
    for skipped in report.skipped:
        if output_format == "github":
            lines.append(f"::notice file={annotation_property(skipped.path)},title=skipped::"
                         f"{annotation_data(skipped.reason)}")
        else:
            lines.append(shown(f"{skipped.path}: skipped: {skipped.reason}"))
    for path in gone:
        if output_format == "github":
            lines.append(f"::notice file={annotation_property(path)},title=deleted::"
                         f"deleted since {annotation_data(changed_since or '')}, not checked")
        else:
            lines.append(shown(f"{path}: deleted since {changed_since}, not checked"))
    lines.append(shown(summary_line(report, changed_since)))
    return "\n".join(lines)


def summary_line(report: ValidationReport, changed_since: str | None = None) -> str:
    """``3 files checked (strict): 2 valid, 1 invalid``, with what else the run says."""
    summary = report.summary()
    since = f", changed since {changed_since}" if changed_since is not None else ""
    layout = "".join(f", cards of {folder}/" for folder in dict.fromkeys(report.hub_layouts))
    skipped = f"; {len(report.skipped)} skipped, not cards" if report.skipped else ""
    return (f"{summary['files']} file{'s' if summary['files'] != 1 else ''} checked "
            f"({report.profile}{since}{layout}): {summary['valid']} valid, {summary['invalid']} invalid"
            f"{skipped}")
