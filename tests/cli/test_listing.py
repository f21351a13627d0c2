"""``hub-plugin list`` and ``hub-plugin info``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from card_samples import card_text, write_card

from hub_plugin.cli import main


def test_list_json_shows_bundled_and_extra_cards(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "tiny", card_text())
    write_card(tmp_path, "broken", "no front matter\n")
    assert main(["--registry", str(tmp_path), "list", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["simclr_encoder_cifar10"]["source"] == "bundled"
    assert rows["simclr_encoder_cifar10"]["package"] == "simclr"
    assert rows["tiny"]["fields"]["model-version"] == "1.10"
    assert rows["broken"]["valid"] is False and "front-matter" in rows["broken"]["errors"][0]


def test_list_table(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "simclr" in out and "bundled" in out


def test_info_json_keeps_the_card_names_and_values(capsys, tmp_path: Path) -> None:
    write_card(tmp_path, "tiny", card_text())
    assert main(["--registry", str(tmp_path), "info", "tiny", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["fields"]["model-version"] == "1.10"
    assert info["fields"]["fine-tunable"] is True
    assert info["metrics"] == [
        {"name": "top1acc", "value": 76.97},
        {"name": "top5acc", "value": 93.44},
    ]
    assert info["network"] is None


def test_info_of_a_package_shows_its_network_entries(capsys) -> None:
    assert main(["info", "simclr", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "simclr_linearclassifier_cifar10"
    assert info["network"]["network"] == "simclr_classifier"
    assert info["network"]["requires"] == ["simclr_encoder_cifar10"]


def test_info_table(capsys) -> None:
    assert main(["info", "simclr_encoder_cifar10"]) == 0
    out = capsys.readouterr().out
    assert "683fb600" in out and "model-version" in out


def test_info_of_an_unknown_name_is_one_line(capsys) -> None:
    assert main(["info", "simclx"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "hub-plugin: error: no model named 'simclx' (did you mean: simclr?)"


def test_info_of_a_package_lists_networks_not_hooks(capsys) -> None:
    assert main(["info", "simclr", "--format", "json"]) == 0
    network = json.loads(capsys.readouterr().out)["network"]
    assert {e["name"] for e in network["entries"]} == {"simclr", "simclr_encoder", "simclr_classifier"}
    assert {"add_arguments", "check_arguments", "load_pretrained"} <= set(network["entry-points"])
    assert main(["info", "simclr"]) == 0
    assert "add_arguments" not in capsys.readouterr().out


def test_piped_tables_never_fold_an_identifier(capsys, tmp_path: Path) -> None:
    deep = tmp_path / ("a-folder-with-a-long-name-" * 4) / "cards"
    write_card(deep, "tiny", card_text())
    assert main(["--registry", str(deep), "info", "tiny"]) == 0
    out = capsys.readouterr().out
    assert str(deep / "tiny.md") in out  # the caption's path on one line, whole


@pytest.mark.parametrize("options", [["--version", "1.8"], ["--filter", "alexnet"],
                                     ["--version", "1.8", "--filter", "x", "--format", "json"]])
def test_hub_options_without_hub_are_a_usage_error(capsys, options: list[str]) -> None:
    """Exit 2 (a usage error), one line (issue 28, item 4 reported exit 1)."""
    assert main(["list", *options]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [
        "hub-plugin: error: --version and --filter go with --hub NAME"]
