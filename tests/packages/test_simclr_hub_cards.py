"""MindSpore Hub's 14 SimCLR cards load by UID through the bundled simclr package (its
``package.yaml`` serves ``official/cv/simclr``), with the hub card's own checkpoints and digests.

The hub is a real git repository on the test's git daemon (MindSpore Hub's layout); the cards are
MindSpore Hub's own 1.8 cards from ``../shared/cards`` when present (else written by the test), for
every version; their checkpoints are those of a tiny SimCLR (tests/small_simclr.py), served by the
test's asset server through ``HUB_PLUGIN_MIRROR``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from asset_server import AssetServer
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card
from locations import SHARED
from small_simclr import SMALL, small_simclr_registry

from hub_plugin.cli import main
from hub_plugin.errors import HubPluginError
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore

VERSIONS = ("1.3", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10")
KINDS = ("encoder", "linearclassifier")
DOWNLOADS = "https://download.mindspore.cn/models/"


def _card_text(kind: str, version: str, digest: str) -> str:
    """The hub's 1.8 card for ``kind`` (from ../shared when there), moved to ``version``."""
    link = f"{DOWNLOADS}r{version}/simclr_{kind}_cifar10.ckpt"
    shared = SHARED / "cards" / "mindspore-1.8" / f"simclr_{kind}_cifar10.md"
    if not shared.is_file():
        return hub_card("simclr", summary="simclr is used for cv", asset_link=link, digest=digest,
                        mindspore_version=version)
    lines = []
    for line in shared.read_text(encoding="utf-8").splitlines():
        if "asset-link:" in line:
            line = f"    asset-link: <{link}>"
        elif "asset-sha256:" in line:
            line = f"    asset-sha256: {digest}"
        elif line.startswith(("model-version:", "mindspore-version:")):
            line = f"{line.split(':')[0]}: {version}"
        lines.append(line.replace("/tree/r1.8/", f"/tree/r{version}/"))
    return "\n".join(lines) + "\n"


@pytest.fixture
def simclr_hub(git_server: GitServer, asset_server: AssetServer, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The hub with the 14 SimCLR cards; the checkpoints by kind."""
    small = small_simclr_registry(tmp_path / "small", asset_server)
    checkpoints = {"encoder": small.encoder.read_bytes(), "linearclassifier": small.classifier.read_bytes()}
    repo = WorkRepo(tmp_path / "hub-work")
    for version in VERSIONS:
        for kind in KINDS:
            data = checkpoints[kind]
            asset_server.add(f"/models/r{version}/simclr_{kind}_cifar10.ckpt", data)
            repo.write(f"{CARDS}/mindspore/{version}/simclr_{kind}_cifar10.md",
                       _card_text(kind, version, hashlib.sha256(data).hexdigest()))
    repo.commit("simclr cards")
    git_server.publish(repo, "hub.git")
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root},"
                       f"{DOWNLOADS}={asset_server.url('/models/')}")
    return checkpoints


def _parameters(network: object) -> dict[str, np.ndarray]:
    return {p.name: p.asnumpy() for p in network.get_parameters()}  # type: ignore[attr-defined]


def test_all_fourteen_simclr_hub_cards_load_by_uid(simclr_hub: dict[str, bytes]) -> None:
    """Each UID builds the package's network, filled from the hub card's own checkpoint (and, for
    the classifier, from the hub's encoder card of the same version)."""
    reference = None
    for version in VERSIONS:
        for kind in KINDS:
            uid = f"mindspore/{version}/simclr_{kind}_cifar10"
            loaded = load_model(uid, **SMALL)
            assert loaded.package is not None and loaded.package.name == "simclr", uid
            assert loaded.route.kind == "package" and "serves" in loaded.route.reason
            assert loaded.network_name == ("simclr" if kind == "encoder" else "simclr_classifier")
            assert loaded.input_shape == (1, 3, 32, 32)
            digests = {a.sha256 for a in loaded.assets}
            assert hashlib.sha256(simclr_hub[kind]).hexdigest() in digests
            assert all(f"/{version}/" in str(a.path) or a.asset.link.count(f"r{version}/")
                       for a in loaded.assets), uid
            if kind == "linearclassifier":
                assert len(loaded.assets) == 2
                assert hashlib.sha256(simclr_hub["encoder"]).hexdigest() in digests
                parameters = _parameters(loaded.network)
                reference = reference or parameters
                assert all(np.array_equal(parameters[k], reference[k]) for k in reference)


def test_a_wrong_digest_on_the_hub_card_fails_the_load(
    simclr_hub: dict[str, bytes], git_server: GitServer, tmp_path: Path
) -> None:
    """The hub card's digest is the one checked, not the bundled card's."""
    repo = WorkRepo(tmp_path / "hub-bad")
    repo.write(f"{CARDS}/mindspore/1.8/simclr_encoder_cifar10.md",
               _card_text("encoder", "1.8", "0" * 64))
    repo.commit("bad digest")
    git_server.publish(repo, "hub.git")
    with pytest.raises(HubPluginError, match=r"sha256|digest"):
        load_model("mindspore/1.8/simclr_encoder_cifar10", **SMALL)


def test_cli_info_and_load_say_the_route(simclr_hub: dict[str, bytes],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "mindspore/1.10/simclr_linearclassifier_cifar10", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["route"]["kind"] == "package"
    assert "models/simclr/package.yaml serves[1]" in shown["route"]["reason"]
    assert shown["network"]["network"] == "simclr_classifier" and shown["zoo"] is None
    assert main(["load", "mindspore/1.7/simclr_encoder_cifar10", "--arg", "backbone=resnet18",
                 "--arg", "width_multiplier=0.125"]) == 0
    out = capsys.readouterr().out
    assert "from the model package simclr" in out and "route: package" in out
    assert "forward pass: output shape (2, 128)" in out


def test_check_weights_of_a_hub_card_reads_the_declared_list(
        simclr_hub: dict[str, bytes], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 29: a hub card the package serves is checked against the package's parameter list
    (the official ResNet-50's), without building the network: the test's small checkpoints are
    not that network's, and the report says so."""
    import hub_plugin.packages.weights_check as weights_check

    def never(request: object) -> None:
        raise AssertionError("the network was built")

    monkeypatch.setattr(weights_check, "_built_parameters", never)
    assert main(["validate", "--check-weights", "--format", "json",
                 "mindspore/1.8/simclr_linearclassifier_cifar10"]) == 1
    (file,) = json.loads(capsys.readouterr().out)["files"]
    rules = {d["rule"] for d in file["errors"]}
    assert rules & {"weights/missing", "weights/shape"} and "weights/unchecked" not in rules, file
