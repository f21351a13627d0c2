"""Validating model cards: the JSON Schema, the checks a schema can't express, and the report.

``schemas/model-card.schema.json`` is the one source of the field rules; it has two profiles:

* ``strict`` (the default): hub-plugin's rules. Every check below is an error.
* ``mindspore-hub``: what MindSpore Hub's own validator accepts offline. The schema's
  ``$defs/mindspore-hub`` holds its rules; the checks below that it does not make are warnings, and a
  digest prefix of 8 or more hex digits is accepted (with a warning: a prefix is a weak check).

Checks made here, because JSON Schema can't express them: ``update-time`` is a real calendar date,
``asset-sha256`` is 64 lower-case hex digits, links are https (plain http only to a loopback host),
assets are unique, ``evaluation`` reads as named metrics, ``model-name`` is present.

Every defect of a file is reported, each as ``path:line:column: rule: message``.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from .card import Defect, Node, ParsedCard, parse_card, parse_yaml
from .errors import CardError, UsageError
from .manifest import Manifest, Position, parse_card_date, parse_evaluation, unwrap_link
from .resources import schemas_dir

Profile = Literal["strict", "mindspore-hub"]
PROFILES: tuple[Profile, ...] = ("strict", "mindspore-hub")
SCHEMA_FILE = "model-card.schema.json"
PACKAGE_SCHEMA_FILE = "model-package.schema.json"
PACKAGE_FILE = "package.yaml"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX_PREFIX = re.compile(r"[0-9a-fA-F]{8,64}")
_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")


# --- the schema -------------------------------------------------------------------------------


@cache
def load_schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    """A schema of ``schemas/`` (by default the model-card schema), read once."""
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key == "required":
            merged[key] = list(dict.fromkeys([*merged.get(key, []), *value]))
        elif key == "properties":
            properties = dict(merged.get(key, {}))
            for name, sub in value.items():
                properties[name] = _merge(properties.get(name, {}), sub)
            merged[key] = properties
        else:
            merged[key] = value
    return merged


def compile_profile(schema: Mapping[str, Any], profile: Profile) -> dict[str, Any]:
    """The profile's schema with local ``$ref``s inlined and ``allOf`` merged into one object.

    The result accepts exactly what ``{"$ref": "#/$defs/<profile>"}`` accepts (``unevaluated
    Properties: false`` over merged properties is ``additionalProperties: false``), and validates
    several times faster: no reference lookups, no annotation tracking. A test checks the two agree.
    """

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            target = inline(_resolve(schema, node))
            return _merge(target, {k: inline(v) for k, v in node.items() if k != "$ref"})
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "allOf":
                continue
            result[key] = inline(value)
        for part in node.get("allOf", []):
            result = _merge(inline(part), result)
        if result.pop("unevaluatedProperties", True) is False:
            result["additionalProperties"] = False
        return result

    compiled: dict[str, Any] = inline(schema["$defs"][profile])
    compiled["$schema"] = schema["$schema"]
    return compiled


@cache
def _validator(profile: Profile) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(compile_profile(load_schema(), profile))


def _resolve(schema: Mapping[str, Any], subschema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = subschema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = schema["$defs"][ref[len("#/$defs/") :]]
        return resolved
    return subschema


@cache
def _text_fields() -> tuple[frozenset[str], frozenset[str]]:
    """The card fields and asset fields whose only declared type is ``string``.

    Their values are taken as written, never guessed by YAML: ``1.10`` stays the text ``1.10``.
    """
    schema = load_schema()
    defs = schema["$defs"]

    def strings(properties: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(
            name for name, sub in properties.items() if _resolve(schema, sub).get("type") == "string"
        )

    return strings(defs["mindspore-hub"]["properties"]), strings(defs["hub-asset"]["properties"])


@cache
def known_fields() -> frozenset[str]:
    defs = load_schema()["$defs"]
    return frozenset(defs["mindspore-hub"]["properties"]) | frozenset(defs["strict"]["properties"])


# --- from nodes to a JSON instance ------------------------------------------------------------

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def guess_scalar(text: str) -> Any:
    """Type a plain scalar as YAML 1.2's core schema does (``yes`` and ``on`` stay text)."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _instance(
    root: Node, text_fields: tuple[frozenset[str], frozenset[str]] | None = None
) -> tuple[dict[str, Any], dict[str, Position]]:
    """The front matter as JSON data, and the position of every value by JSON pointer.

    ``text_fields``: the top-level and asset fields taken as written (default: the card schema's).
    """
    card_text, asset_text = text_fields if text_fields is not None else _text_fields()
    positions: dict[str, Position] = {"": Position(root.line, root.column)}

    def convert(node: Node, pointer: str, as_text: bool, text_keys: frozenset[str]) -> Any:
        positions[pointer] = Position(node.line, node.column)
        if node.kind == "scalar":
            return node.text() if as_text or not node.plain else guess_scalar(node.text())
        if node.kind == "sequence":
            return [
                convert(child, f"{pointer}/{i}", False, asset_text)
                for i, child in enumerate(node.children())
            ]
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key.kind != "scalar":
                continue
            name = key.text()
            result[name] = convert(value, f"{pointer}/{_escape(name)}", name in text_keys,
                                   frozenset())
        return result

    instance: dict[str, Any] = {}
    for key, value in root.items():
        if key.kind != "scalar":
            continue
        name = key.text()
        instance[name] = convert(value, f"/{_escape(name)}", name in card_text, frozenset())
    return instance, positions


# --- the report -------------------------------------------------------------------------------


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


# --- the checks -------------------------------------------------------------------------------


class _Checker:
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

    def warn(self, pointer: str, rule: str, message: str) -> None:
        self._report(pointer, rule, message, "warning")

    def _report(self, pointer: str, rule: str, message: str,
                severity: Literal["error", "warning"]) -> None:
        position = self._where(pointer)
        self.defects.append(Defect(
            self.path,
            position.line if position else None,
            position.column if position else None,
            rule, message, pointer, severity,
        ))

    def schema(self, instance: dict[str, Any], validator: Any = None) -> None:
        validator = validator or _validator(self.profile)
        for error in validator.iter_errors(instance):
            path = [str(p) for p in error.absolute_path]
            pointer = "".join(f"/{_escape(p)}" for p in path)
            field_name = path[-1] if path else ""
            rule = f"schema/{error.validator}"
            if error.validator == "required":
                match = _REQUIRED.match(error.message)
                missing = match["name"] if match else error.message
                self.add(pointer, rule, f"missing field '{missing}'")
            elif error.validator in ("unevaluatedProperties", "additionalProperties"):
                declared = error.schema.get("properties") if isinstance(error.schema, Mapping) else None
                known = frozenset(declared) if declared else known_fields()
                for key in error.instance:
                    if key in known:
                        continue
                    close = difflib.get_close_matches(key, sorted(known), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    self.add(f"{pointer}/{_escape(key)}", "schema/unknown-field",
                             f"unknown field '{key}'{hint}")
            else:
                note = error.schema.get("x-message") if isinstance(error.schema, Mapping) else None
                if note:
                    label = f"'{field_name}'" if field_name and not field_name.isdigit() else (
                        f"item {field_name}" if field_name else "the front matter"
                    )
                    self.add(pointer, rule, f"{label} {note} (got {_show(error.instance)})")
                else:
                    self.add(pointer, rule, error.message)

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
        assets = instance.get("asset")
        if isinstance(assets, list):
            self._assets(assets)

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


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_problem(link: str) -> str | None:
    """Why a link is not acceptable in a card, or ``None``: https, or http to a loopback host."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return "is not a valid link"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        return None if _is_loopback(parts.hostname) else (
            "must use https (plain http only to a loopback host)"
        )
    return "must be an https link"


# --- entry points -----------------------------------------------------------------------------


def check_card(parsed: ParsedCard, profile: Profile = "strict") -> FileReport:
    """Validate a parsed card; the report carries the manifest when the card is valid."""
    report = FileReport(parsed.path)
    defects = list(parsed.defects)
    instance: dict[str, Any] | None = None
    positions: dict[str, Position] = {}
    if parsed.front_matter is not None:
        instance, positions = _instance(parsed.front_matter)
        checker = _Checker(parsed.path, profile, positions)
        checker.schema(instance)
        checker.extras(instance)
        defects.extend(checker.defects)
    defects.sort(key=lambda d: (d.line or 0, d.column or 0))
    report.errors = [d for d in defects if d.severity == "error"]
    report.warnings = [d for d in defects if d.severity == "warning"]
    if instance is not None and report.valid:
        report.manifest = Manifest(
            name=Path(parsed.path).stem, path=parsed.path, fields=instance,
            positions=positions, body=parsed.body,
        )
    return report


def check_package_settings(path: str, data: bytes) -> FileReport:
    """Validate a model package's ``package.yaml`` against its schema and its folder.

    Beyond the schema: the default card, every card named and every card required exist in the
    folder, and every network is a public function of the folder's ``hubconf.py``.
    """
    from jsonschema import Draft202012Validator

    from .hubconf_reader import read_entries

    report = FileReport(path)
    root, defects = parse_yaml(path, data)
    if root is not None:
        instance, positions = _instance(root, (frozenset(), frozenset()))
        checker = _Checker(path, "strict", positions)
        checker.schema(instance, Draft202012Validator(load_schema(PACKAGE_SCHEMA_FILE)))
        if not checker.defects:
            folder = Path(path).parent
            cards = {p.stem for p in folder.iterdir() if is_card_file(p)}
            networks = {e.name for e in read_entries(folder / "hubconf.py")}

            def card_exists(pointer: str, name: str) -> None:
                if name not in cards:
                    close = difflib.get_close_matches(name, sorted(cards), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    checker.add(pointer, "package/card", f"no card {name!r} in {folder}{hint}")

            if "default-card" in instance:
                card_exists("/default-card", instance["default-card"])
            for card, settings in (instance.get("cards") or {}).items():
                card_exists(f"/cards/{_escape(card)}", card)
                if settings["network"] not in networks:
                    checker.add(f"/cards/{_escape(card)}/network", "package/network",
                                f"hubconf.py has no network function {settings['network']!r} "
                                f"(it has: {', '.join(sorted(networks)) or 'none'})")
                for index, required in enumerate(settings.get("requires", [])):
                    card_exists(f"/cards/{_escape(card)}/requires/{index}", required)
        defects.extend(checker.defects)
    report.errors = [d for d in defects if d.severity == "error"]
    report.warnings = [d for d in defects if d.severity == "warning"]
    return report


def validate_file(path: str | Path, profile: Profile = "strict") -> FileReport:
    """Read and validate one card (or ``package.yaml``); an unreadable file is an error of its
    report."""
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


def is_card_file(path: Path) -> bool:
    """Markdown files, except READMEs."""
    return path.suffix.lower() == ".md" and not path.name.lower().startswith("readme")


def card_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named by ``paths``: files as given, folders searched recursively for cards and
    model packages' ``package.yaml``.

    Raises :class:`UsageError` for a path that does not exist.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*")
                       if (is_card_file(p) or p.name == PACKAGE_FILE) and p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
            )
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"no such file or folder: {given}")
    return found


def validate_paths(
    paths: Iterable[str | os.PathLike[str]], profile: Profile = "strict"
) -> ValidationReport:
    """Validate every card in ``paths`` (files, or folders searched recursively)."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return ValidationReport([validate_file(p, profile) for p in card_files(paths)], profile)


def read_manifest(path: str | Path, profile: Profile = "strict") -> Manifest:
    """Read a card into its manifest; raises :class:`CardError` with every defect if invalid."""
    report = validate_file(path, profile)
    if report.manifest is None:
        raise CardError(str(path), report.errors)
    return report.manifest
