"""``--format github``: annotations with the errors first, and every finding in the step summary
(``$GITHUB_STEP_SUMMARY``), grouped by card; ``--sarif-output`` writes the SARIF log of the same run."""

from __future__ import annotations

import json
import re
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


def test_pull_request_text_never_becomes_html_or_markup_in_the_step_summary(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    """Issue 27, hole 11: ``<h1>``/``<img>`` in a card value and a backtick (and a ``|``) in a
    file name reach ``$GITHUB_STEP_SUMMARY`` as text, not as HTML or Markdown; the annotations
    of the same run carry no control character."""
    folder = tmp_path / "cards"
    hostile = '"`x`[y](z)\\e[2J<h1>Approved</h1><img src=x>"'
    write_card(folder, "a`b|c<img src=x>", card_text(replace_field(
        VALID_FRONT_MATTER, "module-type", f"module-type: {hostile}")))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["validate", "--profile", "mindspore-hub", "--format", "github", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "<h1>" in out  # annotations: escaped for the runner, text kept
    text = summary.read_text()
    outside_code_spans = re.sub(r"``.*?``", "", text)  # inside one, CommonMark shows "<" as is
    assert "<" not in outside_code_spans and ">" not in outside_code_spans
    assert "\\`x\\`\\[y\\](z)\\\\x1b\\[2J&lt;h1&gt;Approved&lt;/h1&gt;&lt;img src=x&gt;" in text
    assert "\x1b" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ")][2:]
    assert rows and all(row.replace("\\|", "").count(" | ") == 4 for row in rows)
    assert all(row.startswith("| ``") and "a`b\\|c<img src=x>.md``" in row for row in rows)
