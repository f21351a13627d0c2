"""``--format github``: annotations with the errors first, and every finding in the step summary
(``$GITHUB_STEP_SUMMARY``), grouped by card; ``--sarif-output`` writes the SARIF log of the same run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, replace_field, write_card

from hub_plugin.cli import main

WARNED = card_text(VALID_FRONT_MATTER.replace(DIGEST, DIGEST[:8]))  # mindspore-hub: a warning
BROKEN = card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes"))


@pytest.fixture
def cards(tmp_path: Path) -> Path:
    folder = tmp_path / "cards"
    write_card(folder, "a_warned", WARNED)
    for index in range(12):  # more errors than GitHub shows annotations of one kind
        write_card(folder, f"b_broken{index:02d}", BROKEN.replace("| top5", "|| top5"))
    write_card(folder, "c_good", card_text())
    write_card(folder, "d_both", card_text(replace_field(
        VALID_FRONT_MATTER.replace(DIGEST, DIGEST[:8]), "module-type", "module-type: cooking")))
    return folder


def test_annotations_put_every_error_before_any_warning(capsys, cards: Path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert main(["validate", "--profile", "mindspore-hub", "--format", "github", str(cards)]) == 1
    kinds = [line.split(" ", 1)[0] for line in capsys.readouterr().out.splitlines()[:-1]]
    assert kinds.count("::error") == 13 and kinds.count("::warning") >= 2
    assert kinds == sorted(kinds, key=lambda k: ("::error", "::warning", "::notice").index(k))


def test_the_step_summary_holds_every_finding_grouped_by_card_errors_first(
    capsys, cards: Path, tmp_path: Path, monkeypatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["validate", "--profile", "mindspore-hub", "--format", "github", str(cards)]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    text = summary.read_text()
    assert text.startswith("# an earlier step\n## hub-plugin validate\n")  # appended, never replaced
    assert "15 files checked (mindspore-hub): 2 valid, 13 invalid" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(annotations)  # every finding, not GitHub's first ten of each kind
    cards_in_order = list(dict.fromkeys(row.split("`")[1] for row in rows))
    assert Path(cards_in_order[-1]).name == "a_warned.md"  # the card with only a warning comes last
    assert Path(cards_in_order[0]).name == "b_broken00.md"
    d_both = [row.split(" | ")[2] for row in rows if "d_both.md" in row]
    assert d_both == sorted(d_both, key=["error", "warning", "note"].index) and d_both[0] == "error"
    assert all(row.count(" | ") == 4 for row in rows)  # a '|' inside a message is escaped


def test_no_step_summary_without_the_variable_or_for_other_formats(capsys, cards, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    main(["validate", "--format", "text", str(cards)])
    assert not summary.exists()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-folder" / "summary.md"))
    assert main(["validate", "--format", "github", str(cards)]) == 1  # the verdict stands
    assert "cannot write the step summary" in capsys.readouterr().err


def test_sarif_output_writes_the_log_of_the_same_run(capsys, cards: Path, tmp_path: Path) -> None:
    log_file = tmp_path / "cards.sarif"
    assert main(["validate", "--profile", "mindspore-hub", "--format", "github",
                 "--sarif-output", str(log_file), str(cards)]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    (run,) = json.loads(log_file.read_text())["runs"]
    assert len(run["results"]) == len(annotations)
    assert {r["level"] for r in run["results"]} == {"error", "warning"}
