"""MindSpore Hub's own card validator, offline: what gives a card its verdict under the
``mindspore-hub`` profile.

Upstream is ``ValidMarkdown`` of mindspore-ai/hub (``mindspore_hub/_utils/check.py``, run over a
hub's cards by ``mshub_res/tools/md_validator.py``), with its network checks off. It reads the
front matter with PyYAML (YAML 1.1: ``yes`` is a boolean, ``2022-09-01`` a date) and refuses a card
for the first of these it meets; hub-plugin reports each of them, in its own words:

* the whole card has exactly two lines starting with ``---`` (upstream toggles between front matter
  and body at each one, so a body line such as a ``----`` rule breaks the card for it);
* its required fields are present, ``fine-tunable`` and ``allow-cache-ckpt`` are booleans,
  ``accuracy`` a number, each asset has ``file-format``, ``asset-link`` and ``asset-sha256``
  (``$defs/mindspore-hub`` of the card schema says these);
* ``module-type`` has at most one ``-`` and its first part (in lower case) is in a closed list;
  ``used-for`` split on ``/``, each part (lower case) in a closed list; each asset's
  ``file-format`` (lower case) in a closed list;
* ``train-dataset``, when given, split on ``_``, each part in a closed list as written
  (``COCO2017`` is not ``coco2017``);
* no value but ``repo-link``'s, ``asset``'s and ``evaluation``'s holds a ``:`` (as Python prints
  it: a mapping always does);
* ``evaluation: -`` is read as ``no``; any other ``key: -`` is a YAML error to it; an empty
  ``repo-link`` is not checked;
* a ``*_cn.md`` card is never read: upstream checks its English sibling (``*.md``) instead, so the
  Chinese card has the sibling's verdict (:func:`cn_card_verdict`).

The closed lists are ``schemas/mindspore-hub-validator.json`` (its ``$comment`` names upstream's
files and commit). Where hub-plugin knowingly decides otherwise (a ``_cn`` card whose own content is
broken, a body ``---`` that upstream counts as a fence, a key given twice) the card keeps
upstream's verdict and a warning says what hub-plugin would decide and why.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.yamlio import to_python
from .card import Defect, ParsedCard, escape_pointer
from .profiles import upstream_lists

if TYPE_CHECKING:
    from ..validation.report import FileReport
    from .checks import CardChecker

#: Rule ids of upstream's rules beyond the schema's (each described in :mod:`.rules`).
TRAIN_DATASET = "mindspore-hub/train-dataset"
MODULE_TYPE = "mindspore-hub/module-type"
USED_FOR = "mindspore-hub/used-for"
FILE_FORMAT = "mindspore-hub/file-format"
COLON = "mindspore-hub/colon"
DASHES = "mindspore-hub/dashes"
CN_CARD = "mindspore-hub/cn-card"
YAML_DASH = "mindspore-hub/yaml-dash"
DIFFERS = "mindspore-hub/differs"

#: Errors hub-plugin keeps whatever upstream says: a card it refuses to read for safety, or a
#: repo-link it refuses to fetch (an attack, not a style).
SAFETY_RULES = frozenset({"size", "encoding", "depth", "tag", "alias", "link"})

_CN = re.compile(r"(?P<stem>.+)_cn$")


def upstream_instance(parsed: ParsedCard) -> dict[str, Any] | None:
    """The front matter as upstream's PyYAML reads it (YAML 1.1 types; ``evaluation: -`` is
    ``no``); ``None`` when hub-plugin could not read it."""
    if parsed.front_matter is None:
        return None
    try:
        data = to_python(parsed.front_matter)
    except ValueError:  # a key that is a list or mapping: reported by the card reader already
        return None
    if not isinstance(data, dict):
        return None
    if data.get("evaluation") == "-":
        data["evaluation"] = False
    return data


def check_upstream(checker: CardChecker, parsed: ParsedCard, data: Mapping[str, Any]) -> None:
    """Add upstream's rules beyond the schema as errors of ``checker``."""
    lists = upstream_lists()
    _dashes(checker, parsed)
    module_type = data.get("module-type")
    if "module-type" in data:
        if not isinstance(module_type, str):
            checker.error("/module-type", MODULE_TYPE, f"'module-type' must be text (got {module_type!r})")
        elif module_type.count("-") > 1:
            checker.error("/module-type", MODULE_TYPE,
                          f"'module-type' may hold one '-' at most, type-detail (got {module_type!r})")
        elif module_type.split("-", 1)[0].lower() not in lists["module-type"]:
            checker.error("/module-type", MODULE_TYPE,
                          f"'module-type' must start with one of {_listed(lists['module-type'])} "
                          f"(got {module_type!r})")
    if "used-for" in data:
        used_for = data["used-for"]
        if not isinstance(used_for, str):
            checker.error("/used-for", USED_FOR, f"'used-for' must be text (got {used_for!r})")
        else:
            for part in used_for.split("/"):
                if part.lower() not in lists["used-for"]:
                    checker.error("/used-for", USED_FOR,
                                  f"'used-for' part {part!r} is not one of "
                                  f"{_listed(lists['used-for'])}, several joined by '/'")
    dataset = data.get("train-dataset")
    if dataset:
        if not isinstance(dataset, str):
            checker.error("/train-dataset", TRAIN_DATASET,
                          f"'train-dataset' must be text (got {dataset!r})")
        else:
            for part in dataset.split("_"):
                if part not in lists["train-dataset"]:
                    checker.error("/train-dataset", TRAIN_DATASET, _dataset_message(dataset, part))
    assets = data.get("asset")
    if isinstance(assets, list):
        for index, asset in enumerate(assets):
            form = asset.get("file-format") if isinstance(asset, Mapping) else None
            if form is not None and (not isinstance(form, str)
                                     or form.lower() not in lists["file-format"]):
                checker.error(f"/asset/{index}/file-format", FILE_FORMAT,
                              f"'file-format' must be one of {_listed(lists['file-format'])} "
                              f"(got {form!r})")
    for key, value in data.items():
        if key not in lists["colon-allowed"] and ":" in str(value):
            shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
            checker.error(f"/{escape_pointer(str(key))}", COLON,
                          f"'{key}' holds a ':' ({shown}): MindSpore Hub's validator refuses one in "
                          "any field but repo-link, asset and evaluation")


def _dashes(checker: CardChecker, parsed: ParsedCard) -> None:
    lines = parsed.dash_lines
    if len(lines) == 2:
        return
    listed = ", ".join(str(n) for n in lines) or "none"
    checker.error("", DASHES,
                  f"MindSpore Hub's validator needs exactly two lines starting with '---' in the "
                  f"whole card, its front matter's fences; this card has {len(lines)} "
                  f"(lines {listed})", line=lines[2] if len(lines) > 2 else None)
    if len(lines) > 2 and parsed.front_matter is not None:
        checker.warn("", DIFFERS,
                     f"hub-plugin reads the front matter between lines {lines[0]} and {lines[1]} "
                     f"and line {lines[2]} as part of the body, so it would accept this card; "
                     "MindSpore Hub's validator takes that line as a third fence (indent it by "
                     "a space, or write the rule as '***')", line=lines[2])


def _dataset_message(dataset: str, part: str) -> str:
    names = upstream_lists()["train-dataset"]
    close = difflib.get_close_matches(part, sorted(names), n=1)
    if not close:
        close = [n for n in sorted(names) if n.lower() == part.lower()][:1]
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = f"part {part!r} of {dataset!r}" if part != dataset else repr(dataset)
    return (f"'train-dataset' {where} is not a dataset name of MindSpore Hub's closed list "
            f"(its validator splits the value on '_' and looks up each part as written{hint})")


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def dash_value_error(defect: Defect) -> Defect:
    """``key: -``, which hub-plugin reads as the text ``-`` with a warning: upstream rewrites only
    ``evaluation: -`` (to ``no``); any other is a YAML error to its PyYAML, so the card's error."""
    if defect.rule != "yaml-dash" or defect.pointer == "/evaluation":
        return defect
    key = defect.pointer[1:]
    return replace(defect, rule=YAML_DASH, severity="error", message=(
        f"MindSpore Hub's validator cannot read '{key}: -' (YAML: a list entry is not allowed "
        f"there; it rewrites only 'evaluation: -'): write '{key}: \"-\"'"))


def as_warning(defect: Defect, why: str) -> Defect:
    """A defect hub-plugin finds that upstream's verdict overrides, kept as a warning."""
    return replace(defect, severity="warning", message=f"{defect.message} ({why})")


def cn_sibling(path: str | Path) -> Path | None:
    """The English card upstream checks instead of ``path``, for a ``*_cn.md`` card."""
    path = Path(path)
    match = _CN.fullmatch(path.stem)
    return path.with_name(f"{match['stem']}{path.suffix}") if match else None


def cn_card_verdict(own: FileReport, sibling: Path, theirs: FileReport | None) -> None:
    """Give a ``_cn`` card upstream's verdict: its English sibling's (``theirs``; ``None`` when the
    sibling is missing). The card's own findings stay, as warnings, except the safety errors; its
    manifest stays as its own content allows (hub-plugin loads what it reads)."""
    kept = [d for d in own.errors if d.rule in SAFETY_RULES]
    why = "hub-plugin's reading of this card; MindSpore Hub's validator never reads a _cn card"
    own.warnings = sorted(
        own.warnings + [as_warning(d, why) for d in own.errors if d.rule not in SAFETY_RULES],
        key=lambda d: (d.line or 0, d.column or 0))
    own.errors = kept
    if theirs is None:
        own.warnings.insert(0, Defect(own.path, 1, 1, CN_CARD,
                                      f"MindSpore Hub's validator checks the English card "
                                      f"{sibling.name} instead of this one, and there is none"))
    elif not theirs.valid:
        first = theirs.errors[0]
        own.errors.insert(0, Defect(own.path, 1, 1, CN_CARD,
                                    f"MindSpore Hub's validator checks the English card "
                                    f"{sibling.name} instead of this one, and refuses it: "
                                    f"{first.rule}: {first.message}"))


__all__ = [
    "CN_CARD", "COLON", "DASHES", "DIFFERS", "FILE_FORMAT", "MODULE_TYPE", "SAFETY_RULES",
    "TRAIN_DATASET", "USED_FOR", "YAML_DASH", "as_warning", "check_upstream", "cn_card_verdict",
    "cn_sibling", "dash_value_error", "upstream_instance",
]
