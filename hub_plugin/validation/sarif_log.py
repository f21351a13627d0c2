"""A validation report as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

One run; the tool's driver lists one rule per rule id that occurs, with its description from
:mod:`hub_plugin.cards.rules`; one result per defect, with its level (``error``, ``warning``,
``note``), message and location: the file as a URI relative to the folder ``validate`` ran in
(``%SRCROOT%``), and the line and column when the defect has them. The tests check the log
against the OASIS SARIF 2.1.0 JSON Schema.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..cards.rules import describe
from .report import ValidationReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str, root: Path) -> tuple[str, bool]:
    """``path`` as a URI: relative to ``root`` when inside it (``True``), else absolute ``file:``."""
    resolved = Path(path).resolve()
    try:
        return quote(resolved.relative_to(root).as_posix()), True
    except ValueError:
        return resolved.as_uri(), False


def sarif_log(report: ValidationReport, root: str | os.PathLike[str] | None = None,
              properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """The SARIF log of ``report``; ``root`` is the folder relative URIs start from (the cwd)."""
    base = Path(root or os.getcwd()).resolve()
    rule_ids: list[str] = []
    first_level: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    for file in report.files:
        uri, relative = artifact_uri(file.path, base)
        for defect in file.defects():
            if defect.rule not in rule_ids:
                rule_ids.append(defect.rule)
                first_level[defect.rule] = defect.severity
            location: dict[str, Any] = {"uri": uri}
            if relative:
                location["uriBaseId"] = "%SRCROOT%"
            physical: dict[str, Any] = {"artifactLocation": location}
            if defect.line is not None:
                physical["region"] = {"startLine": defect.line, "startColumn": defect.column or 1}
            results.append({
                "ruleId": defect.rule,
                "ruleIndex": rule_ids.index(defect.rule),
                "level": defect.severity,
                "message": {"text": defect.message},
                "locations": [{"physicalLocation": physical}],
            })
    rules = [
        {"id": rule, "shortDescription": {"text": describe(rule)},
         "defaultConfiguration": {"level": first_level[rule]}}
        for rule in rule_ids
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "hub-plugin", "version": __version__, "rules": rules,
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
        "results": results,
        "properties": {"profile": report.profile, **report.summary(), **(properties or {})},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
