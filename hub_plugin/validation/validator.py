"""Validating files and folders of model cards (and model packages' ``package.yaml``).

The work is done by :mod:`hub_plugin.cards.checks` (one card against a profile of the schema in
:mod:`hub_plugin.cards.profiles`); this module finds the files, reads them safely and gathers the
:class:`~.report.ValidationReport`. Every defect of a file is reported, each as
``path:line:column: rule: message``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..cards.card import Defect, parse_card
from ..cards.checks import check_card, check_package_settings
from ..cards.manifest import Manifest
from ..cards.mindspore_hub import cn_card_verdict, cn_sibling
from ..cards.profiles import PROFILES, Profile
from ..errors import CardError, NoCardsFound, UsageError
from .report import FileReport, ValidationReport
from .selection import PACKAGE_FILE as PACKAGE_FILE
from .selection import describe_search, select_cards


def validate_file(path: str | Path, profile: Profile = "strict") -> FileReport:
    """Read and validate one card (or ``package.yaml``); an unreadable file is an error of its
    report. Under mindspore-hub a ``*_cn.md`` card has its English sibling's verdict, as MindSpore
    Hub's validator checks that one instead (:func:`~..cards.mindspore_hub.cn_card_verdict`)."""
    report = _validate_one(path, profile)
    sibling = cn_sibling(path) if profile == "mindspore-hub" else None
    if sibling is not None and Path(path).name != PACKAGE_FILE:
        theirs = _validate_one(sibling, profile) if sibling.is_file() else None
        cn_card_verdict(report, sibling, theirs)
    return report


def _validate_one(path: str | Path, profile: Profile) -> FileReport:
    shown = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(1024 * 1024 + 1)
    except OSError as error:
        return FileReport(shown, errors=[Defect(shown, None, None, "read",
                                                error.strerror or str(error))])
    if Path(path).name == PACKAGE_FILE:
        return check_package_settings(shown, data)
    return check_card(parse_card(shown, data), profile)


def validate_paths(
    paths: Iterable[str | os.PathLike[str]], profile: Profile = "strict", *,
    include: Sequence[str] = (), exclude: Sequence[str] = (), allow_empty: bool = True,
) -> ValidationReport:
    """Validate every card in ``paths`` (files, or folders searched recursively); the Markdown a
    hub's layout says is no card is listed in the report's ``skipped``. With ``allow_empty``
    false, finding no card raises :class:`~hub_plugin.errors.NoCardsFound`, naming what was
    searched (the CLI's default: an empty gate is no pass)."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    paths = list(paths)
    selection = select_cards(paths, include=include, exclude=exclude)
    if not selection.files and not allow_empty:
        raise NoCardsFound(describe_search(paths, selection, include=include, exclude=exclude))
    return ValidationReport([validate_file(p, profile) for p in selection.files], profile,
                            skipped=selection.skipped, hub_layouts=selection.hub_layouts)


def read_manifest(path: str | Path, profile: Profile = "strict") -> Manifest:
    """Read a card into its manifest; raises :class:`CardError` with every defect if invalid."""
    report = validate_file(path, profile)
    if report.manifest is None:  # invalid, or a _cn card valid only by its English sibling
        raise CardError(str(path), report.errors or report.warnings)
    return report.manifest
