"""Checking one parsed card (or a ``package.yaml``): the schema, then what a schema can't express.

Checks made here, because JSON Schema can't express them: ``update-time`` is a real calendar date,
``asset-sha256`` is 64 lower-case hex digits, links are https (plain http only to a loopback host),
assets are unique, ``evaluation`` reads as named metrics, ``model-name`` is present.

Under the ``mindspore-hub`` profile the verdict is MindSpore Hub's own validator's: its rules
(``$defs/mindspore-hub`` of the schema and :mod:`.mindspore_hub`) are the errors; hub-plugin's
field rules (``$defs/card-fields``) and the rules above are warnings where they find more, and a
digest prefix of 8 or more hex digits is accepted with a warning (a prefix is a weak check).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from ..validation.report import FileReport
from .asset_link import network_link_problem
from .card import Defect, ParsedCard, escape_pointer, parse_yaml
from .card_files import is_card_file
from .json_instance import front_matter_instance
from .manifest import Manifest, Position, parse_card_date, parse_evaluation, unwrap_link
from .mindspore_hub import as_warning, check_upstream, dash_value_error, upstream_instance
from .profiles import PACKAGE_SCHEMA_FILE, Profile, known_fields, load_schema, profile_validator

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX_PREFIX = re.compile(r"[0-9a-fA-F]{8,64}")
_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")



class CardChecker:
    """Runs the schema and the extra checks over one card's instance, collecting defects."""

    def __init__(self, path: str, profile: Profile, positions: Mapping[str, Position]) -> None:
        self.path = path
        self.profile = profile
        self.positions = positions
        self.defects: list[Defect] = []

    def _where(self, pointer: str) -> Position | None:
        while True:
            found = self.positions.get(pointer)
            if found is not None or not pointer:
                return found
            pointer = pointer.rsplit("/", 1)[0]

    def add(self, pointer: str, rule: str, message: str, *, ours: bool = False) -> None:
        """Report a defect; ``ours`` marks a hub-plugin rule, a warning under mindspore-hub."""
        self._report(pointer, rule, message,
                     "warning" if ours and self.profile == "mindspore-hub" else "error")

    def warn(self, pointer: str, rule: str, message: str, *, line: int | None = None) -> None:
        self._report(pointer, rule, message, "warning", line)

    def error(self, pointer: str, rule: str, message: str, *, line: int | None = None) -> None:
        """Report an error in every profile (``line``: where, when the pointer can't say)."""
        self._report(pointer, rule, message, "error", line)

    def _report(self, pointer: str, rule: str, message: str,
                severity: Literal["error", "warning"], line: int | None = None) -> None:
        position = self._where(pointer)
        if line is not None:
            position = Position(line, 1)
        self.defects.append(Defect(
            self.path,
            position.line if position else None,
            position.column if position else None,
            rule, message, pointer, severity,
        ))

    def schema(self, instance: dict[str, Any], validator: Any = None, *, ours: bool = False) -> None:
        """Validate ``instance`` against the profile's schema (or ``validator``'s); ``ours``: the
        schema is hub-plugin's field rules, whose findings are warnings under mindspore-hub."""
        validator = validator or profile_validator(self.profile)
        for error in validator.iter_errors(instance):
            path = [str(p) for p in error.absolute_path]
            pointer = "".join(f"/{escape_pointer(p)}" for p in path)
            field_name = path[-1] if path else ""
            rule = f"schema/{error.validator}"
            if error.validator == "required":
                match = _REQUIRED.match(error.message)
                missing = match["name"] if match else error.message
                self.add(pointer, rule, f"missing field '{missing}'", ours=ours)
            elif error.validator in ("unevaluatedProperties", "additionalProperties"):
                declared = error.schema.get("properties") if isinstance(error.schema, Mapping) else None
                known = frozenset(declared) if declared else known_fields()
                for key in error.instance:
                    if key not in known:
                        self.add(f"{pointer}/{escape_pointer(key)}", "schema/unknown-field",
                                 unknown_field(key, known), ours=ours)
            else:
                note = error.schema.get("x-message") if isinstance(error.schema, Mapping) else None
                if note:
                    label = f"'{field_name}'" if field_name and not field_name.isdigit() else (
                        f"item {field_name}" if field_name else "the front matter"
                    )
                    self.add(pointer, rule, f"{label} {note} (got {_show(error.instance)})",
                             ours=ours)
                else:
                    self.add(pointer, rule, error.message, ours=ours)

    def unknown_fields(self, instance: Mapping[str, Any]) -> None:
        """Under ``mindspore-hub``, which lets any field through, each field neither profile knows
        is a warning with its did-you-mean (``backbone-nmae``: did you mean 'backbone-name'?)."""
        if self.profile != "mindspore-hub":
            return  # strict's schema refuses them itself (an error each)
        known = known_fields()
        for key in instance:
            if key not in known:
                self.warn(f"/{escape_pointer(key)}", "schema/unknown-field", unknown_field(key, known))

    def extras(self, instance: Mapping[str, Any]) -> None:
        if "model-name" not in instance:
            self.add("", "model-name", "missing field 'model-name': a card needs a name", ours=True)
        date = instance.get("update-time")
        if isinstance(date, str) and date and parse_card_date(date) is None:
            self.add("/update-time", "date",
                     f"'update-time' must be a real date, YYYY-MM-DD (got {date!r})", ours=True)
        evaluation = instance.get("evaluation")
        if isinstance(evaluation, str) and parse_evaluation(evaluation) is None:
            self.add("/evaluation", "evaluation",
                     f"cannot read {evaluation!r} as metrics: write name and value, like "
                     "'acc84.88' or 'top1acc76.97 | top5acc93.44', or '-' for none", ours=True)
        repo = instance.get("repo-link")
        if isinstance(repo, str) and repo:
            self._link("/repo-link", "repo-link", repo)
            self._repo_link(repo)
        assets = instance.get("asset")
        if isinstance(assets, list):
            self._assets(assets)
        self._builds(instance)

    def _builds(self, instance: Mapping[str, Any]) -> None:
        """``network`` and ``requires`` read by their one grammar (:mod:`.network_spec`), each
        defect at the column it starts (hub-plugin's rule: a warning under mindspore-hub, whose
        validator lets any flat text through)."""
        from .network_spec import network_problem, requires_problem

        for name, problem_of in (("network", network_problem), ("requires", requires_problem)):
            value = instance.get(name)
            if not isinstance(value, str):
                continue
            problem = problem_of(value)
            if problem is None:
                continue
            offset, message = problem
            where = self.positions.get(f"/{name}")
            before = len(self.defects)
            self.add(f"/{name}", name, message, ours=True)
            if where is not None and offset and len(self.defects) > before:
                defect = self.defects[-1]
                self.defects[-1] = Defect(defect.path, where.line, where.column + offset,
                                          defect.rule, defect.message, defect.pointer,
                                          defect.severity)

    def _repo_link(self, raw: str) -> None:
        """A repo-link hub-plugin would refuse to fetch (a traversing folder, a ref that is an
        option, a local repository) is an error here in every profile, MindSpore Hub's too: it is
        an attack, not a style, so a hub's CI stops such a card."""
        from ..errors import RepoLinkError
        from .repo_link import parse_repo_link

        if link_problem(unwrap_link(raw)):
            return  # said already
        try:
            parse_repo_link(raw)
        except RepoLinkError as error:
            self.add("/repo-link", "link", error.message)

    def _link(self, pointer: str, label: str, raw: str) -> None:
        problem = link_problem(unwrap_link(raw))
        if problem:
            self.add(pointer, "link", f"'{label}' {problem} (got {raw!r})", ours=True)

    def _assets(self, assets: Sequence[Any]) -> None:
        seen_links: dict[str, int] = {}
        seen_digests: dict[str, int] = {}
        for index, asset in enumerate(assets):
            if not isinstance(asset, Mapping):
                continue
            base = f"/asset/{index}"
            link = asset.get("asset-link")
            if isinstance(link, str) and link:
                self._link(f"{base}/asset-link", "asset-link", link)
                key = unwrap_link(link)
                if key in seen_links:
                    self.add(f"{base}/asset-link", "unique-asset",
                             f"asset {index} repeats the link of asset {seen_links[key]}",
                             ours=True)
                seen_links.setdefault(key, index)
            digest = asset.get("asset-sha256")
            if isinstance(digest, str) and digest:
                self._digest(f"{base}/asset-sha256", digest)
                key = digest.lower()
                if key in seen_digests:
                    self.add(f"{base}/asset-sha256", "unique-asset",
                             f"asset {index} repeats the sha256 of asset {seen_digests[key]}",
                             ours=True)
                seen_digests.setdefault(key, index)

    def _digest(self, pointer: str, digest: str) -> None:
        if _SHA256.fullmatch(digest):
            return
        if self.profile == "mindspore-hub" and _HEX_PREFIX.fullmatch(digest):
            if len(digest) < 64:
                self.warn(pointer, "sha256",
                          f"'asset-sha256' gives only {len(digest)} hex digits: a prefix is a "
                          "weak check")
            return
        if _HEX_PREFIX.fullmatch(digest) and len(digest) < 64:
            message = (f"'asset-sha256' gives only {len(digest)} hex digits: a prefix is a weak "
                       "check, so strict needs all 64 (the mindspore-hub profile accepts it)")
        elif _HEX_PREFIX.fullmatch(digest):
            message = "'asset-sha256' must be written in lower-case hex"
        else:
            message = f"'asset-sha256' must be 64 lower-case hex digits (got {digest!r})"
        self.add(pointer, "sha256", message, ours=True)


def unknown_field(key: str, known: frozenset[str]) -> str:
    """The message for a field the schema does not know, with the closest known one."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown field '{key}'{hint}"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def link_problem(link: str) -> str | None:
    """Why a link is not acceptable in a card, or ``None``: https, or http to a loopback host
    (the one rule, :func:`~..cards.asset_link.network_link_problem`, that downloads apply too)."""
    return network_link_problem(link)





def check_card(parsed: ParsedCard, profile: Profile = "strict") -> FileReport:
    """Validate a parsed card; the report carries the manifest when the card is valid, or, under
    mindspore-hub, when hub-plugin can read it (:func:`_readable`): a card only MindSpore Hub's own
    closed lists or counts refuse still loads."""
    report = FileReport(parsed.path)
    defects = list(parsed.defects)
    instance: dict[str, Any] | None = None
    positions: dict[str, Position] = {}
    if parsed.front_matter is not None:
        instance, positions = front_matter_instance(parsed.front_matter)
        checker = CardChecker(parsed.path, profile, positions)
        upstream = upstream_instance(parsed) if profile == "mindspore-hub" else None
        if upstream is not None:
            checker.schema(upstream)
            check_upstream(checker, parsed, upstream)
            checker.schema(instance, profile_validator("card-fields"), ours=True)
        else:
            checker.schema(instance)
        checker.unknown_fields(instance)
        checker.extras(instance)
        defects.extend(checker.defects)
    readable = _readable(defects)
    if profile == "mindspore-hub":
        defects = _upstream_verdict(defects)
    defects.sort(key=lambda d: (d.line or 0, d.column or 0))
    report.errors = [d for d in defects if d.severity == "error"]
    report.warnings = [d for d in defects if d.severity == "warning"]
    report.fields, report.positions = instance, positions
    if instance is not None and readable:
        report.manifest = Manifest(
            name=Path(parsed.path).stem, path=parsed.path, fields=instance,
            positions=positions, body=parsed.body,
        )
    return report


def _readable(defects: list[Defect]) -> bool:
    """Whether hub-plugin can build a manifest: no error but MindSpore Hub's own rules beyond the
    schema (``mindspore-hub/...``: closed lists, ':' and '---' counts, which gate a hub's pull
    requests, not loading), no repeated key, and none of hub-plugin's field rules broken (under
    mindspore-hub they are warnings, yet the manifest's readers rely on them)."""
    return not any(
        (d.severity == "error" and not d.rule.startswith("mindspore-hub/"))
        or d.rule == "duplicate-key"
        or (d.rule.startswith("schema/") and d.rule != "schema/unknown-field")
        for d in defects
    )


def _upstream_verdict(defects: list[Defect]) -> list[Defect]:
    """Under mindspore-hub: a key given twice is a warning (upstream's YAML keeps the last), a
    ``key: -`` other than ``evaluation: -`` is upstream's error, and a warning of hub-plugin's
    rules where upstream's rules already give an error is dropped."""
    kept = [
        as_warning(d, "MindSpore Hub's validator keeps the last; hub-plugin would refuse the card")
        if d.rule == "duplicate-key" else dash_value_error(d)
        for d in defects
    ]
    said = {(d.pointer, d.message if not d.pointer else "") for d in kept if d.severity == "error"}
    return [d for d in kept if d.severity == "error" or not d.rule.startswith("schema/")
            or (d.pointer, d.message if not d.pointer else "") not in said]


def check_package_settings(path: str, data: bytes) -> FileReport:
    """Validate a model package's ``package.yaml`` against its schema and its folder.

    Beyond the schema: the default card, every card named, required or serving hub cards exist in
    the folder, and every network is a network of the folder's ``hubconf.py`` by the contract's rule
    (:mod:`hub_plugin.packages.contract`: its ``NETWORKS`` table, or its public functions that are
    not hooks).
    """
    from jsonschema import Draft202012Validator

    from ..packages.hubconf_reader import read_networks

    report = FileReport(path)
    root, defects = parse_yaml(path, data)
    if root is not None:
        instance, positions = front_matter_instance(root, (frozenset(), frozenset()))
        checker = CardChecker(path, "strict", positions)
        checker.schema(instance, Draft202012Validator(load_schema(PACKAGE_SCHEMA_FILE)))
        if not checker.defects:
            folder = Path(path).parent
            cards = {p.stem for p in folder.iterdir() if is_card_file(p)}
            networks = {e.name for e in read_networks(folder / "hubconf.py")}

            def card_exists(pointer: str, name: str) -> None:
                if name not in cards:
                    close = difflib.get_close_matches(name, sorted(cards), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    checker.add(pointer, "package/card", f"no card {name!r} in {folder}{hint}")

            if "default-card" in instance:
                card_exists("/default-card", instance["default-card"])
            for card, settings in (instance.get("cards") or {}).items():
                card_exists(f"/cards/{escape_pointer(card)}", card)
                if settings["network"] not in networks:
                    checker.add(f"/cards/{escape_pointer(card)}/network", "package/network",
                                f"hubconf.py has no network function {settings['network']!r} "
                                f"(it has: {', '.join(sorted(networks)) or 'none'})")
                for index, required in enumerate(settings.get("requires", [])):
                    card_exists(f"/cards/{escape_pointer(card)}/requires/{index}", required)
            if "parameters" in instance:
                _check_parameter_lists(checker, folder, instance)
            for index, rule in enumerate(instance.get("serves") or []):
                if "card" in rule:
                    card_exists(f"/serves/{index}/card", rule["card"])
                if "network" in rule and rule["network"] not in networks:
                    checker.add(f"/serves/{index}/network", "package/network",
                                f"hubconf.py has no network function {rule['network']!r} "
                                f"(it has: {', '.join(sorted(networks)) or 'none'})")
        defects.extend(checker.defects)
    report.errors = [d for d in defects if d.severity == "error"]
    report.warnings = [d for d in defects if d.severity == "warning"]
    return report


def _check_parameter_lists(checker: CardChecker, folder: Path, instance: dict[str, Any]) -> None:
    """``parameters`` (issue 29): each card's list exists, reads as a parameter list and names the
    card's network (:mod:`hub_plugin.checkpoints.weights`)."""
    from ..checkpoints.weights import parameter_list_path, read_parameter_list
    from ..errors import ParameterListError

    pattern = instance["parameters"]
    for card, settings in (instance.get("cards") or {}).items():
        path = parameter_list_path(folder, pattern, card)
        if not path.is_file():  # a warning: validate --check-weights builds the network instead
            checker.warn("/parameters", "package/parameters",
                         f"card {card!r} has no parameter list {path.relative_to(folder)}: "
                         f"generate it (bench/parameter_lists.py)")
            continue
        try:
            listed = read_parameter_list(path)
        except ParameterListError as error:
            checker.add("/parameters", "package/parameters", f"card {card!r}: {error.message}")
            continue
        if listed.network != settings["network"]:
            checker.add("/parameters", "package/parameters",
                        f"{path.name} lists the parameters of {listed.network!r}, but the card "
                        f"{card!r} is built by {settings['network']!r}")
