"""Only cards are cards: ``validate`` at the root of a repository laid out like MindSpore Hub
(``mshub_res/assets/<publisher>/<version>/*.md`` beside documentation Markdown), and the globs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field, write_card
from locations import SHARED

from hub_plugin.cli import main

REAL_CARDS = SHARED / "cards" / "mindspore-1.8"
REAL = ("alexnet_cifar10.md", "simclr_encoder_cifar10.md", "resnet50_imagenet2012.md")
BAD = card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes"))
NOT_CARDS = ("CONTRIBUTING.md", "RELEASE.md", ".gitee/PULL_REQUEST_TEMPLATE.md",
             "mshub_res/examples/lenet_example.md", "mshub_res/examples/README_CN.md")


def lay_out_hub(root: Path, *, real: bool) -> Path:
    """A hub repository as MindSpore Hub's is: documentation Markdown (none of it a card, one
    with a horizontal rule that is no front matter) and the cards under mshub_res/assets/."""
    (root / ".gitee").mkdir(parents=True)
    (root / "mshub_res" / "examples").mkdir(parents=True)
    (root / "README.md").write_text("# MindSpore Hub\n\nModels.\n")
    (root / "CONTRIBUTING.md").write_text("# Contributing\n\nWrite a card.\n\n---\n\nThanks.\n---\n")
    (root / "RELEASE.md").write_text("# Release 1.8\n\n- new models\n")
    (root / ".gitee" / "PULL_REQUEST_TEMPLATE.md").write_text("**What type of PR is this?**\n")
    (root / "mshub_res" / "examples" / "lenet_example.md").write_text("# LeNet\n\n```python\nx\n```\n")
    (root / "mshub_res" / "examples" / "README_CN.md").write_text("# 示例\n")
    cards = root / "mshub_res" / "assets" / "mindspore" / "1.8"
    if real:
        cards.mkdir(parents=True)
        for name in REAL:
            shutil.copy(REAL_CARDS / name, cards / name)
    else:
        for name in ("alexnet_cifar10", "vgg16_cifar10"):
            write_card(cards, name, card_text())
    write_card(cards, "broken_cifar10", BAD)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["validate", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("real", [False, pytest.param(True, marks=pytest.mark.skipif(
    not REAL_CARDS.is_dir(), reason="../shared/cards is not here"))], ids=["written", "real"])
def test_at_the_root_of_a_hub_only_its_cards_are_checked(capsys, tmp_path: Path, monkeypatch,
                                                          real: bool) -> None:
    hub = lay_out_hub(tmp_path / "hub", real=real)
    monkeypatch.chdir(hub)
    code, out = run(capsys, "--profile", "mindspore-hub", "--format", "json", ".")
    assert code == 1
    report = json.loads(out)
    checked = sorted(Path(f["path"]).as_posix() for f in report["files"])
    assert all(path.startswith("mshub_res/assets/mindspore/1.8/") for path in checked), checked
    cards = (len(REAL) if real else 2) + 1
    assert len(checked) == cards
    assert [f["valid"] for f in report["files"] if f["path"].endswith("broken_cifar10.md")] == [False]
    assert sorted(s["path"] for s in report["skipped"]) == sorted(
        p for p in NOT_CARDS if not p.startswith(".") and "README" not in p)
    code, out = run(capsys, "--profile", "mindspore-hub", ".")
    lines = out.splitlines()
    assert ("CONTRIBUTING.md: skipped: not a card: Markdown without front matter, outside the hub's "
            "card folder mshub_res/assets/") in lines
    assert lines[-1] == (f"{cards} files checked (mindspore-hub, cards of mshub_res/assets/): "
                         f"{cards - 1} valid, 1 invalid; 3 skipped, not cards")


def test_files_given_by_name_in_a_hub_are_skipped_outside_its_card_folder(capsys, tmp_path, monkeypatch):
    hub = lay_out_hub(tmp_path / "hub", real=False)
    monkeypatch.chdir(hub)
    code, out = run(capsys, "CONTRIBUTING.md", "RELEASE.md", ".gitee/PULL_REQUEST_TEMPLATE.md",
                    "mshub_res/examples/lenet_example.md", "mshub_res/assets/mindspore/1.8/vgg16_cifar10.md")
    assert code == 0, out
    assert out.count("skipped: not a card") == 4
    assert out.splitlines()[-1].startswith("1 file checked (strict): 1 valid, 0 invalid; 4 skipped")


def test_markdown_with_front_matter_outside_the_card_folder_is_still_checked(capsys, tmp_path, monkeypatch):
    hub = lay_out_hub(tmp_path / "hub", real=False)
    write_card(hub / "docs", "stray_card", BAD)
    monkeypatch.chdir(hub)
    code, out = run(capsys, ".")
    assert code == 1 and "docs/stray_card.md:" in out and "schema/type" in out


def test_the_hubs_templates_are_no_cards_even_with_front_matter(capsys, tmp_path, monkeypatch):
    """MindSpore Hub's ``mshub_res/examples/commit_example*.md`` carry front matter with placeholder
    values; ``validate .`` at the real hub's root failed on them (issue 28, item 3)."""
    hub = lay_out_hub(tmp_path / "hub", real=False)
    (hub / "mshub_res" / "assets" / "mindspore" / "1.8" / "broken_cifar10.md").unlink()
    write_card(hub / "mshub_res" / "examples", "commit_example", BAD)
    monkeypatch.chdir(hub)
    code, out = run(capsys, ".")
    assert code == 0, out
    assert ("mshub_res/examples/commit_example.md: skipped: not a card: one of the hub's own files "
            "under mshub_res/, outside its card folder mshub_res/assets/ (a template, an example)"
            ) in out.splitlines()
    code, out = run(capsys, "--allow-empty", "mshub_res/examples/commit_example.md")  # as pre-commit
    assert code == 0 and "skipped: not a card: one of the hub's own files" in out


def test_a_card_without_front_matter_inside_the_card_folder_is_an_error(capsys, tmp_path, monkeypatch):
    hub = lay_out_hub(tmp_path / "hub", real=False)
    (hub / "mshub_res" / "assets" / "mindspore" / "1.8" / "empty_card.md").write_text("# no front matter\n")
    monkeypatch.chdir(hub)
    code, out = run(capsys, ".")
    assert code == 1 and "empty_card.md:1:1: front-matter: no front matter" in out


def test_outside_a_hub_every_markdown_file_is_a_card(capsys, tmp_path: Path) -> None:
    (tmp_path / "CONTRIBUTING.md").write_text("# Contributing\n")
    code, out = run(capsys, str(tmp_path))
    assert code == 1 and "front-matter: no front matter" in out and "skipped" not in out


def test_include_and_exclude_globs_pick_the_cards_of_another_layout(capsys, tmp_path: Path) -> None:
    write_card(tmp_path / "models" / "cv", "good", card_text())
    write_card(tmp_path / "models" / "cv", "bad", BAD)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# guide\n")
    code, out = run(capsys, "--include", "models/*", str(tmp_path))
    assert code == 1 and "docs/guide.md" not in out
    assert out.splitlines()[-1] == "2 files checked (strict): 1 valid, 1 invalid"
    code, out = run(capsys, "--include", "models/*", "--exclude", "bad.md", str(tmp_path))
    assert code == 0 and out.splitlines()[-1] == "1 file checked (strict): 1 valid, 0 invalid"
    code, out = run(capsys, "--exclude", "docs/**", "--exclude", "*/cv/b*", str(tmp_path))
    assert code == 0 and out.splitlines()[-1] == "1 file checked (strict): 1 valid, 0 invalid"
