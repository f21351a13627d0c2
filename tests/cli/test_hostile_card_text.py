"""Issue 27, hole 4: card fields are shown as data by ``info`` and ``list --hub``: escape
sequences (OSC sets the window title, CSI clears the screen) made visible, ``rich`` markup shown
as written (``[link=...]`` is no link, ``[/]`` no internal error)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field, write_card
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card

from hub_plugin.cli import main

SUMMARY = "\x1b]0;pwned\x07\x1b[2J\x1b[31mcleared"
AUTHOR = "[link=https://evil.example]MindSpore team[/link] [/]"


def _front_matter() -> str:
    text = replace_field(VALID_FRONT_MATTER, "summary", 'summary: "\\e]0;pwned\\a\\e[2J\\e[31mcleared"')
    return replace_field(text, "author", f'author: "{AUTHOR}"')


def test_info_shows_hostile_fields_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = write_card(tmp_path / "cards", "hostile", card_text(_front_matter()))
    assert main(["info", str(card)]) == 0  # not an internal error on "[/]"
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out
    assert AUTHOR in captured.out  # the markup, literally: no link, no style
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mcleared" in captured.out


def test_list_hub_shows_hostile_summaries_as_data(
    git_server: GitServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = WorkRepo(git_server.base.parent / f"work-hostile-{os.urandom(4).hex()}")
    text = hub_card("evil", summary="placeholder").replace(
        "summary: placeholder", 'summary: "\\e]0;pwned\\a\\e[2J\\e[31mcleared [link=https://evil.example]x"')
    repo.write(f"{CARDS}/mindspore/1.8/evil_cifar10.md", text)
    repo.commit("a card whose summary drives the terminal")
    assert main(["hub", "add", "hostile", git_server.publish(repo, "hostile.git"),
                 "--path", CARDS]) == 0
    capsys.readouterr()
    assert main(["list", "--hub", "hostile"]) == 0
    captured = capsys.readouterr()
    assert "mindspore/1.8/evil_cifar10" in captured.out
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mcleared [link=https://evil.example]x" in captured.out
    assert main(["info", "mindspore/1.8/evil_cifar10"]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out and "[link=https://evil.example]x" in captured.out
