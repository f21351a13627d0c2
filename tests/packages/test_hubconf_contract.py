"""The model-package contract declared once (issue 26): info lists networks, never hooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, replace_field
from locations import SHARED

from hub_plugin.cli import main
from hub_plugin.packages.contract import HOOKS, NETWORK_TABLE, is_network_name
from hub_plugin.packages.hubconf_reader import read_networks, read_offer

HRNET = "mindspore/2.3/hrnet_w32_imagenet2012"
MINDCV_LINK = "https://github.com/mindspore-lab/mindcv/tree/v0.4.0/configs/hrnet"


def _info_network(root: Path, uid: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["--registry", str(root), "info", uid, "--format", "json"]) == 0
    network = json.loads(capsys.readouterr().out)["network"]
    assert isinstance(network, dict)
    return network


def _assert_mindcv_networks_only(network: dict[str, object]) -> None:
    assert network["package"] == "mindcv"
    names = {entry["name"] for entry in network["entries"]}  # type: ignore[attr-defined]
    assert names == {"mindcv_model"}
    assert {"serve_hub_card", "create_network"} <= set(network["entry-points"])  # type: ignore[call-overload]


def test_info_of_a_built_mindcv_served_hub_card_lists_networks_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = tmp_path / "hub" / f"{HRNET}.md"
    card.parent.mkdir(parents=True)
    card.write_text(card_text(replace_field(VALID_FRONT_MATTER, "repo-link",
                                            f"repo-link: <{MINDCV_LINK}>")), encoding="utf-8")
    _assert_mindcv_networks_only(_info_network(tmp_path / "hub", HRNET, capsys))


def test_info_of_the_real_mindspore_2_3_hrnet_card_lists_networks_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = SHARED / "cards" / "mindspore-2.3" / "hrnet_w32_imagenet2012.md"
    if not shared.is_file():
        pytest.skip(f"{shared} is absent")
    card = tmp_path / "hub" / f"{HRNET}.md"
    card.parent.mkdir(parents=True)
    shutil.copyfile(shared, card)
    _assert_mindcv_networks_only(_info_network(tmp_path / "hub", HRNET, capsys))
    assert main(["--registry", str(tmp_path / "hub"), "info", HRNET]) == 0
    out = capsys.readouterr().out
    for helper in ("library_name", "class_count", "input_size", "serve_hub_card:"):
        assert helper not in out


def _hubconf(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hubconf.py"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("hook", sorted(HOOKS))
@pytest.mark.parametrize("table", [False, True])
def test_a_planted_hook_name_is_never_a_network(tmp_path: Path, hook: str, table: bool) -> None:
    lines = [f"def {hook}(*args, **kwargs):\n    '''Planted.'''\n",
             "def net(*args):\n    '''A network.'''\n",
             "def _private():\n    pass\n"]
    if table:
        lines.append(f"{NETWORK_TABLE} = {{'net': net, {hook!r}: {hook}, '_private': _private}}\n")
    offer = read_offer(_hubconf(tmp_path, "\n".join(lines)))
    assert [entry.name for entry in offer.networks] == ["net"]
    assert offer.networks[0].summary == "A network."
    assert [entry.name for entry in offer.hooks] == [hook]


def test_a_networks_table_leaves_the_hubconfs_helpers_out(tmp_path: Path) -> None:
    hubconf = _hubconf(tmp_path, (
        "def helper(x):\n    '''Not built.'''\n\n"
        "def tiny(**kwargs):\n    '''The tiny network.'''\n\n"
        "NETWORKS: dict = {'tiny': tiny, 'alias': lambda: None}\n"
    ))
    assert [(e.name, e.summary) for e in read_networks(hubconf)] == [
        ("tiny", "The tiny network."), ("alias", "")]
    assert read_networks(tmp_path / "missing.py") == []


def test_the_bundled_packages_networks_follow_the_rule() -> None:
    from locations import REPO

    assert [e.name for e in read_networks(REPO / "models" / "mindcv" / "hubconf.py")] == [
        "mindcv_model"]
    assert {e.name for e in read_networks(REPO / "models" / "simclr" / "hubconf.py")} == {
        "simclr", "simclr_encoder", "simclr_classifier"}
    assert not any(is_network_name(name) for name in HOOKS)
