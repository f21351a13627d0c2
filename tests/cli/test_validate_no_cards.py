"""No card found is no pass (issue 28, item 3): an empty folder, or globs that leave nothing, is
one line naming what was searched and exit 2; ``--allow-empty`` makes it exit 0; with
``--changed-since`` no changed card stays a clean pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.cli import main
from hub_plugin.errors import NoCardsFound
from hub_plugin.validation.validator import validate_paths

HINT = " (pass --allow-empty where an empty run is a pass)"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err.strip().splitlines()


def test_an_empty_folder_is_exit_2_naming_it(capsys, tmp_path: Path) -> None:
    (tmp_path / "cards").mkdir()
    code, out, err = run(capsys, str(tmp_path / "cards"))
    assert code == 2 and out == ""
    assert err == [f"hub-plugin: error: no card found: searched {tmp_path / 'cards'} "
                   f"(no Markdown card or package.yaml there){HINT}"]


def test_a_folder_of_readmes_only_is_no_card_found(capsys, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# about\n")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "no Markdown card or package.yaml there" in err[0]


def test_an_include_glob_that_matches_nothing_is_named(capsys, tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        write_card(tmp_path / "cards", name, card_text())
    code, out, err = run(capsys, "--include", "*.yml", "--include", "models/*", str(tmp_path / "cards"))
    assert code == 2 and out == ""
    assert err == [f"hub-plugin: error: no card found: searched {tmp_path / 'cards'} (3 candidate "
                   f"files; --include '*.yml' --include 'models/*' matched none of them){HINT}"]


def test_an_exclude_that_leaves_nothing_says_how_many_it_left_out(capsys, tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_card(tmp_path, name, card_text())
    code, _, err = run(capsys, "--exclude", "*.md", "--exclude", "nothing", str(tmp_path))
    assert code == 2
    assert err == [f"hub-plugin: error: no card found: searched {tmp_path} (2 candidate files; "
                   f"--exclude '*.md' left out 2){HINT}"]


def test_files_all_skipped_as_no_cards_say_so(capsys, tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    (hub / "mshub_res" / "assets").mkdir(parents=True)
    (hub / "CONTRIBUTING.md").write_text("# Contributing\n")
    code, _, err = run(capsys, str(hub / "CONTRIBUTING.md"))
    assert code == 2 and "1 skipped, not cards (the notes say why)" in err[0]


def test_allow_empty_makes_an_empty_run_a_pass(capsys, tmp_path: Path) -> None:
    (tmp_path / "cards").mkdir()
    code, out, err = run(capsys, "--allow-empty", str(tmp_path / "cards"))
    assert code == 0 and err == []
    assert out.strip() == "0 files checked (strict): 0 valid, 0 invalid"


def test_a_folder_with_cards_is_unchanged(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "a", card_text())
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0 and out.strip() == "1 file checked (strict): 1 valid, 0 invalid"


def test_the_python_api_keeps_an_empty_report_unless_asked(tmp_path: Path) -> None:
    assert validate_paths([tmp_path]).files == []
    with pytest.raises(NoCardsFound) as raised:
        validate_paths([tmp_path], allow_empty=False)
    assert raised.value.exit_code == 2 and str(tmp_path) in str(raised.value)
