"""Every finding of a run as Markdown for the job's page on GitHub (``$GITHUB_STEP_SUMMARY``).

GitHub shows at most 10 annotations of each kind per step, so a run over a whole hub loses most of
its findings in annotations alone. With ``--format github``, ``validate`` also appends this to the
file ``GITHUB_STEP_SUMMARY`` names (when the variable is set): the summary line, then one table of
every finding, grouped by card, the cards with errors first (then those with warnings, then notes),
and within a card errors, then warnings, then notes, by line. GitHub takes at most 1 MiB per
step's summary; past :data:`LIMIT` characters the rest is counted, not listed.

Paths and rules are code spans, messages plain cells, both made by the console
(:func:`~hub_plugin.core.console.markdown_code`, :func:`~hub_plugin.core.console.markdown_cell`):
HTML and Markdown from a pull request's cards and file names are shown as written, never live
(issue 27, hole 11).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..cards.card import Defect
from ..core.console import markdown_cell, markdown_code
from .output import summary_line
from .report import FileReport, ValidationReport

VARIABLE = "GITHUB_STEP_SUMMARY"
LIMIT = 900_000
_ORDER = {"error": 0, "warning": 1, "note": 2}
_ICON = {"error": "error", "warning": "warning", "note": "note"}


def _rank(file: FileReport) -> int:
    return min((_ORDER[d.severity] for d in file.defects()), default=3)


def step_summary(report: ValidationReport, *, deleted: Sequence[Path] = (),
                 changed_since: str | None = None) -> str:
    """The Markdown of ``report`` for the step summary."""
    lines = ["## hub-plugin validate", "", markdown_cell(summary_line(report, changed_since)), ""]
    files = sorted((f for f in report.files if f.defects()), key=_rank)  # stable: file order kept
    rows: list[str] = []
    for file in files:
        ordered = sorted(file.defects(), key=lambda d: (_ORDER[d.severity], d.line or 0, d.column or 0))
        rows.extend(_row(defect) for defect in ordered)
    rows.extend(f"| {markdown_code(s.path)} | | note | skipped | {markdown_cell(s.reason)} |"
                for s in report.skipped)
    rows.extend(f"| {markdown_code(p)} | | note | deleted | deleted since "
                f"{markdown_cell(changed_since or '')}, not checked |" for p in deleted)
    if rows:
        lines += ["| card | line | severity | rule | message |", "| --- | --- | --- | --- | --- |"]
        size = sum(len(line) + 1 for line in lines)
        for index, row in enumerate(rows):
            if size + len(row) > LIMIT:
                lines.append("")
                lines.append(f"... and {len(rows) - index} more findings (GitHub's summary is limited "
                             "to 1 MiB): run `hub-plugin validate` to see them all")
                break
            lines.append(row)
            size += len(row) + 1
    else:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"


def _row(defect: Defect) -> str:
    where = "" if defect.line is None else f"{defect.line}:{defect.column or 1}"
    return (f"| {markdown_code(defect.path)} | {where} | {_ICON[defect.severity]} | "
            f"{markdown_code(defect.rule)} | {markdown_cell(defect.message)} |")


def write_step_summary(report: ValidationReport, *, deleted: Sequence[Path] = (),
                       changed_since: str | None = None) -> bool:
    """Append the summary to ``$GITHUB_STEP_SUMMARY`` when it is set; whether it was written.
    Raises :class:`OSError` when the file cannot be written."""
    target = os.environ.get(VARIABLE, "").strip()
    if not target:
        return False
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(step_summary(report, deleted=deleted, changed_since=changed_since))
    return True
