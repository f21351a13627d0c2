"""``validate --changed-since REF``: only the cards that differ from a ref, in real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field, write_card

from hub_plugin.cli import main

BAD = card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes"))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub repository: main with four cards (one of them broken), then a branch that changes them."""
    repo = tmp_path / "hub"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.org")
    git(repo, "config", "user.name", "t")
    cards = repo / "cards"
    for name in ("kept", "edited", "removed", "renamed"):  # each its own text: git pairs renames by it
        write_card(cards, name, card_text(body=f"\n## {name}\n\n{name * 40}\n"))
    write_card(cards, "broken-on-main", BAD)  # invalid, but not touched by the branch
    (repo / "README.md").write_text("# hub\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hub")
    git(repo, "checkout", "-q", "-b", "pr")
    write_card(cards, "edited", BAD)
    (cards / "removed.md").unlink()
    git(repo, "mv", "cards/renamed.md", "cards/moved.md")
    write_card(cards / "new", "added", card_text(body="\n## added\n"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr")
    # untracked, not ignored: counts as added
    write_card(cards, "uncommitted", card_text(body="\n## uncommitted\n"))
    (repo / ".gitignore").write_text("ignored.md\n")
    write_card(cards, "ignored", BAD)
    monkeypatch.chdir(repo)
    return repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_only_added_modified_and_renamed_cards_are_checked(capsys, hub: Path) -> None:
    code, out, _ = run(capsys, "validate", "--changed-since", "main", "--format", "json")
    assert code == 1
    report = json.loads(out)
    checked = {f["path"]: f["valid"] for f in report["files"]}
    assert checked == {
        "cards/edited.md": False, "cards/moved.md": True, "cards/new/added.md": True,
        "cards/uncommitted.md": True,
    }
    assert report["changed_since"] == {"ref": "main", "deleted": ["cards/removed.md"]}


def test_the_text_format_lists_the_deleted_cards(capsys, hub: Path) -> None:
    code, out, _ = run(capsys, "validate", "--changed-since", "main", "cards/new")
    assert code == 0
    assert out.splitlines() == ["1 file checked (strict, changed since main): 1 valid, 0 invalid"]
    code, out, _ = run(capsys, "validate", "--changed-since", "main", "cards")
    assert "cards/removed.md: deleted since main, not checked" in out.splitlines()
    assert out.splitlines()[-1] == "4 files checked (strict, changed since main): 3 valid, 1 invalid"


def test_the_merge_base_is_the_reference_not_the_tip_of_main(capsys, hub: Path) -> None:
    git(hub, "checkout", "-q", "main")
    write_card(hub / "cards", "later-on-main", BAD)
    git(hub, "add", "cards/later-on-main.md")
    git(hub, "commit", "-q", "-m", "main moves on")
    git(hub, "checkout", "-q", "pr")
    code, out, _ = run(capsys, "validate", "--changed-since", "main", "--format", "json")
    assert code == 1  # edited.md
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert "cards/later-on-main.md" not in paths and "cards/edited.md" in paths
    assert json.loads(out)["changed_since"]["deleted"] == ["cards/removed.md"]


def test_nothing_changed_is_a_clean_pass(capsys, hub: Path) -> None:
    code, out, _ = run(capsys, "validate", "--changed-since", "HEAD", "cards/new")
    assert code == 0
    assert out.strip() == "0 files checked (strict, changed since HEAD): 0 valid, 0 invalid"


def test_an_unknown_ref_is_one_line_and_exit_two(capsys, hub: Path) -> None:
    code, out, err = run(capsys, "validate", "--changed-since", "origin/nope")
    assert (code, out) == (2, "")
    assert err.startswith("hub-plugin: error: --changed-since: git knows no commit 'origin/nope' (")
    assert err.count("\n") == 1


def test_outside_a_repository_is_one_line_and_exit_two(capsys, tmp_path: Path, monkeypatch) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out, err = run(capsys, "validate", "--changed-since", "main")
    assert (code, out) == (2, "")
    assert err == (f"hub-plugin: error: --changed-since needs a git repository, and {outside.resolve()} "
                   "is not in one\n")


def test_without_paths_or_changed_since_is_a_usage_error(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate")
    assert code == 2
    assert err == "hub-plugin: error: validate needs at least one PATH (or --changed-since REF)\n"


@pytest.mark.parametrize("relative", ["mindspore/1.8/README-resnet50.md", ".staging/1.8/x.md",
                                      "mindspore/1.8/.x.md"])
def test_a_pull_request_adding_a_file_no_client_serves_is_told_so(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str
) -> None:
    """Issue 27, hole 6: a pull request adding only an invalid ``README-resnet50.md`` under
    ``mshub_res/assets/`` passed with "0 files checked", and clients served it by UID. Now no
    client serves it (``tests/hubs/test_hostile_hub_trees.py``) and the gate says why it
    checks nothing."""
    repo = tmp_path / "hub"
    cards = repo / "mshub_res" / "assets"
    (cards / "mindspore" / "1.8").mkdir(parents=True)
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (cards / "mindspore" / "1.8" / "ok.md").write_text(card_text(), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "hub")
    (cards / relative).parent.mkdir(parents=True, exist_ok=True)
    (cards / relative).write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "validate", "--changed-since", "main")
    assert code == 0
    assert "which no client serves" in out and relative.rsplit("/", 1)[-1] in out
