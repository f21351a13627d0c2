"""``validate --check-weights`` (issue 29 item 3): a card's checkpoints against its network's
parameters, from the package's declared parameter list (no MindSpore) or from the network built as
``load --no-pretrained`` builds it (MindSpore); and the committed simclr lists kept equal to the
networks' ``parameters_and_names()``."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from asset_server import AssetServer, asset_server
from card_samples import DIGEST, VALID_FRONT_MATTER, card_text, write_card
from checkpoint_samples import tensors_bytes
from locations import REPO

from hub_plugin.checkpoints.reader import ITEM_SIZES, Tensor
from hub_plugin.checkpoints.weights import (
    Parameter,
    compare_weights,
    match_messages,
    read_parameter_list,
    unfilled_message,
)
from hub_plugin.cli import main
from hub_plugin.errors import ParameterListError

__all__ = ["asset_server"]

SIMCLR = REPO / "models" / "simclr"
TINY = [Parameter("conv.weight", (2, 3), "Float32"), Parameter("conv.bias", (2,), "Float32")]


def tensor(name: str, shape: tuple[int, ...], dtype: str = "Float32") -> Tensor:
    size = math.prod(shape) * (ITEM_SIZES[dtype] or 1)
    return Tensor(name, dtype, shape, size, ((0, size),))


def test_compare_judges_as_the_strict_fill() -> None:
    match = compare_weights(TINY, [tensor("conv.weight", (3, 2)), tensor("global_step", (), "Int32")])
    assert match.missing == ("conv.bias",)
    assert match.wrong_shape == (("conv.weight", (2, 3), (3, 2)),)
    assert match.extra == ("global_step",)
    assert not match.fills
    rules = dict(match_messages(match))
    assert rules["weights/missing"] == "the checkpoints do not fill 1 parameters: conv.bias"
    assert "conv.weight (network (2, 3), checkpoint (3, 2))" in rules["weights/shape"]
    assert "global_step" in rules["weights/extra"]
    dtype = compare_weights(TINY, [tensor("conv.weight", (2, 3), "Float16"), tensor("conv.bias", (2,))])
    assert dtype.fills and dict(match_messages(dtype)).keys() == {"weights/dtype"}


def test_load_and_validate_share_the_wording() -> None:
    names = [f"p{i}" for i in range(7)]
    assert unfilled_message(names) == ("the checkpoints do not fill 7 parameters: "
                                       "p0, p1, p2, p3, p4 and 2 more")
    source = (REPO / "hub_plugin" / "packages" / "loading.py").read_text(encoding="utf-8")
    assert "unfilled_message(missing)" in source


def test_a_broken_parameter_list_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"network": "n", "parameters": [{"name": "a", "shape": [-1], "dtype": "Float32"}]}')
    with pytest.raises(ParameterListError, match="is not an object with"):
        read_parameter_list(path)
    path.write_text("<html>")
    with pytest.raises(ParameterListError, match="is not JSON"):
        read_parameter_list(path)


def zeros(parameters: list[Parameter]) -> list[tuple[str, str, tuple[int, ...], bytes]]:
    return [(p.name, p.dtype, p.shape, bytes(math.prod(p.shape) * (ITEM_SIZES[p.dtype] or 1)))
            for p in parameters]


def served_card(folder: Path, name: str, server: AssetServer, content: bytes,
                front: str = VALID_FRONT_MATTER) -> Path:
    link = server.add(f"/{folder.name}/{name}.ckpt", content)
    text = (front.replace("<https://example.org/models/tiny.ckpt>", f"<{link}>")
            .replace(DIGEST, hashlib.sha256(content).hexdigest()))
    return write_card(folder, name, card_text(text))


def tiny_package(root: Path, cards: list[str]) -> Path:
    """A package whose network ``tiny`` declares its parameters (:data:`TINY`): no MindSpore."""
    package = root / "tiny"
    package.mkdir(parents=True)
    (package / "hubconf.py").write_text('def create_network(name):\n    return tiny()\n\n\n'
                                        'def tiny():\n    """tiny."""\n')
    (package / "package.yaml").write_text(
        "parameters: parameters/{card}.json\ncards:\n"
        + "".join(f"  {card}: {{network: tiny}}\n" for card in cards))
    (package / "parameters").mkdir()
    for card in cards:
        (package / "parameters" / f"{card}.json").write_text(json.dumps(
            {"network": "tiny", "arguments": {}, "parameters": [p.to_json() for p in TINY]}))
    return package


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def rules_of(data: dict[str, Any], name: str) -> dict[str, list[str]]:
    file = next(f for f in data["files"] if Path(f["path"]).stem == name)
    found: dict[str, list[str]] = {}
    for kind in ("errors", "warnings"):
        for defect in file[kind]:
            found.setdefault(kind, []).append(defect["rule"])
    return found


def test_each_mismatch_is_its_defect_without_building_the_network(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "mindspore", None)  # the declared list needs no MindSpore
    cards = {
        "good": zeros(TINY),
        "missing": zeros(TINY[:1]),
        "shape": zeros([Parameter("conv.weight", (3, 2), "Float32"), TINY[1]]),
        "extra": [*zeros(TINY), ("moment1.conv.bias", "Float32", (2,), bytes(8))],
    }
    package = tiny_package(tmp_path / "packages", list(cards))
    for name, tensors in cards.items():
        served_card(package, name, asset_server, tensors_bytes(tensors))
    code, data = run_json(["--registry", str(tmp_path / "packages"), "validate", "--check-weights",
                           "--format", "json", str(package)], capsys)
    assert code == 1
    assert rules_of(data, "good") == {}
    assert rules_of(data, "missing") == {"errors": ["weights/missing"]}
    assert rules_of(data, "shape") == {"errors": ["weights/shape"]}
    assert rules_of(data, "extra") == {"warnings": ["weights/extra"]}
    for output in ("text", "github", "sarif"):  # every format carries the rule
        main(["--registry", str(tmp_path / "packages"), "validate", "--check-weights",
              "--format", output, str(package)])
        assert "weights/missing" in capsys.readouterr().out


def test_without_a_list_or_mindspore_one_warning_per_card(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    package = tiny_package(tmp_path / "packages", ["bare"])
    (package / "parameters" / "bare.json").unlink()
    served_card(package, "bare", asset_server, tensors_bytes(zeros(TINY)))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mindspore" else real(name, *a))
    code, data = run_json(["--registry", str(tmp_path / "packages"), "validate", "--check-weights",
                           "--format", "json", str(package / "bare.md")], capsys)
    assert code == 0
    file = data["files"][0]
    assert [d["rule"] for d in file["warnings"]] == ["weights/unchecked"]
    assert "MindSpore is not installed" in file["warnings"][0]["message"]


def test_a_checkpoint_that_cannot_be_fetched_is_an_error(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tiny_package(tmp_path / "packages", ["gone"])
    path = served_card(package, "gone", asset_server, tensors_bytes(zeros(TINY)))
    path.write_text(path.read_text().replace("/gone.ckpt", "/nothing-here.ckpt"))
    code, data = run_json(["--registry", str(tmp_path / "packages"), "validate", "--check-weights",
                           "--tries", "1", "--format", "json", str(path)], capsys)
    assert code == 1 and [d["rule"] for d in data["files"][0]["errors"]] == ["weights/unchecked"]


def simclr_cards(folder: Path, server: AssetServer, encoder: bytes, classifier: bytes) -> None:
    """The bundled simclr cards, beside each other in ``folder``, their checkpoints served."""
    folder.mkdir(parents=True)
    for name, content in (("simclr_encoder_cifar10", encoder),
                          ("simclr_linearclassifier_cifar10", classifier)):
        text = (SIMCLR / f"{name}.md").read_text(encoding="utf-8")
        link = server.add(f"/simclr/{name}.ckpt", content)
        text = re.sub(r"asset-link: <[^>]+>", f"asset-link: <{link}>", text)
        text = re.sub(r"asset-sha256: [0-9a-f]+", f"asset-sha256: {hashlib.sha256(content).hexdigest()}",
                      text)
        (folder / f"{name}.md").write_text(text, encoding="utf-8")


def test_the_bundled_simclr_cards_pass_from_their_declared_lists(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "mindspore", None)
    encoder = read_parameter_list(SIMCLR / "parameters" / "simclr_encoder_cifar10.json").parameters
    classifier = read_parameter_list(SIMCLR / "parameters" / "simclr_linearclassifier_cifar10.json")
    head = [p for p in classifier.parameters if not p.name.startswith("encoder.")]
    simclr_cards(tmp_path / "cards", asset_server, tensors_bytes(zeros(list(encoder))),
                 tensors_bytes(zeros(head)))
    code, data = run_json(["validate", "--check-weights", "--format", "json", str(tmp_path / "cards")],
                          capsys)
    assert code == 0, data
    assert rules_of(data, "simclr_encoder_cifar10") == {}
    # the classifier network has no projection head: the encoder's entries of it fill nothing
    assert rules_of(data, "simclr_linearclassifier_cifar10") == {"warnings": ["weights/extra"]}


def test_the_package_yaml_checks_its_parameter_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tiny_package(tmp_path, ["one", "two"])
    write_card(package, "one", card_text())
    write_card(package, "two", card_text())
    (package / "parameters" / "two.json").write_text('{"network": "other", "parameters": []}')
    (package / "parameters" / "one.json").unlink()
    code, data = run_json(["validate", "--format", "json", str(package / "package.yaml")], capsys)
    file = data["files"][0]
    assert code == 1 and [d["rule"] for d in file["errors"]] == ["package/parameters"]
    assert "'other'" in file["errors"][0]["message"]
    assert [d["rule"] for d in file["warnings"]] == ["package/parameters"]
    (package / "package.yaml").write_text("parameters: ../{card}.json\ncards: {}\n")
    code, data = run_json(["validate", "--format", "json", str(package / "package.yaml")], capsys)
    assert code == 1 and data["files"][0]["errors"][0]["rule"] == "schema/pattern"


def test_a_hub_card_without_arguments_shares_the_list_of_the_network_defaults(tmp_path: Path) -> None:
    """A hub card the package serves gives no arguments: the network function's defaults, read
    from hubconf.py without running it, are those the bundled cards' lists were made with."""
    from hub_plugin.packages.hubconf_reader import network_defaults
    from hub_plugin.packages.loading import open_registry
    from hub_plugin.packages.weights_check import declared_parameters

    simclr = open_registry().package("simclr")
    assert declared_parameters(simclr, "simclr", {}) is not None
    classifier = declared_parameters(simclr, "simclr_classifier", {"num_classes": 10})
    assert classifier is not None and classifier.parameters[-1].name == "model.bias"
    assert declared_parameters(simclr, "simclr", {"backbone": "resnet18"}) is None
    assert declared_parameters(simclr, "simclr_encoder", {}) is None  # no card of it: built
    hubconf = tmp_path / "hubconf.py"
    hubconf.write_text("import os\nNETWORKS = {'net': build}\n\n\n"
                       "def build(size=3, *, depth=os.cpu_count(), name='n'):\n    pass\n")
    assert network_defaults(hubconf, "net") == {"size": 3, "name": "n"}
    assert network_defaults(hubconf, "build") == {}
    hubconf.write_text("def broken(:\n")
    assert network_defaults(hubconf, "broken") == {}


# --- with MindSpore ----------------------------------------------------------------------------


@pytest.mark.mindspore
@pytest.mark.parametrize("card", ["simclr_encoder_cifar10", "simclr_linearclassifier_cifar10"])
def test_the_committed_lists_equal_the_networks(card: str) -> None:
    pytest.importorskip("mindspore")
    from hub_plugin.packages.loading import load_model
    from hub_plugin.packages.weights_check import network_parameters

    listed = read_parameter_list(SIMCLR / "parameters" / f"{card}.json")
    loaded = load_model(str(SIMCLR / f"{card}.md"), pretrained=False)
    assert listed.network == loaded.network_name
    assert dict(listed.arguments) == dict(loaded.route.spec.arguments)  # type: ignore[union-attr]
    assert listed.parameters == network_parameters(loaded.network)
    assert [p.name for p in listed.parameters] == [n for n, _ in loaded.network.parameters_and_names()]


@pytest.mark.mindspore
def test_without_a_list_the_network_is_built_and_its_saved_checkpoint_passes(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mindspore = pytest.importorskip("mindspore")
    from hub_plugin.packages.loading import load_model
    from hub_plugin.packages.weights_check import network_parameters

    network = load_model(str(SIMCLR / "simclr_encoder_cifar10.md"), pretrained=False,
                         backbone="resnet18", width_multiplier=0.25).network
    saved = tmp_path / "small.ckpt"
    mindspore.save_checkpoint(network, str(saved))
    content = saved.read_bytes()
    folder = tmp_path / "cards"
    simclr_cards(folder, asset_server, content, content)
    card = folder / "simclr_encoder_cifar10.md"  # no declared list for these arguments: built
    card.write_text(card.read_text().replace("backbone=resnet50 width_multiplier=1.0",
                                             "backbone=resnet18 width_multiplier=0.25"))
    code, data = run_json(["validate", "--check-weights", "--format", "json", str(card)], capsys)
    assert code == 0 and rules_of(data, "simclr_encoder_cifar10") == {}, data
    cut = [(n, p) for n, p in network.parameters_and_names()][1:]
    shorter = tmp_path / "short.ckpt"
    mindspore.save_checkpoint([{"name": n, "data": p} for n, p in cut], str(shorter))
    card.write_text(card.read_text().replace(hashlib.sha256(content).hexdigest(),
                                             hashlib.sha256(shorter.read_bytes()).hexdigest())
                    .replace("/simclr_encoder_cifar10.ckpt", "/short.ckpt"))
    asset_server.add("/simclr/short.ckpt", shorter.read_bytes())
    code, data = run_json(["validate", "--check-weights", "--format", "json", str(card)], capsys)
    assert code == 1 and rules_of(data, "simclr_encoder_cifar10") == {"errors": ["weights/missing"]}
    assert network_parameters(network)[0].name in json.dumps(data)


def test_a_package_that_fills_its_own_weights_accepts_a_wrappers_prefix_and_optimizer_state() -> None:
    """SimCLR's ``load_pretrained`` fills ``model.weight`` from the official classifier file's
    ``train_net.netwithloss._backbone.model.weight`` and skips Adam's state; the light check judges
    such a package's checkpoints the same way, and the generic strict fill's way otherwise."""
    official = [tensor("train_net.netwithloss._backbone.conv.weight", (2, 3)),
                tensor("train_net.netwithloss._backbone.conv.bias", (2,)),
                tensor("moment1.conv.weight", (2, 3)), tensor("beta1_power", (1,))]
    own = compare_weights(TINY, official, own_fill=True)
    assert own.fills and own.extra == () and own.missing == ()
    generic = compare_weights(TINY, official)
    assert generic.missing == ("conv.weight", "conv.bias") and len(generic.extra) == 4
    twice = compare_weights(TINY, [*official, tensor("other.conv.bias", (2,))], own_fill=True)
    assert twice.missing == ("conv.bias",)  # two entries end with it: no guess


def test_the_bundled_simclr_cards_pass_with_the_official_checkpoints_layout(
        asset_server: AssetServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The official files: the encoder saved from the pre-training step with Adam's state, the
    classifier's head under the training wrapper's prefix (models/simclr/networks/checkpoint.py)."""
    import sys

    monkeypatch.setitem(sys.modules, "mindspore", None)
    encoder = read_parameter_list(SIMCLR / "parameters" / "simclr_encoder_cifar10.json").parameters
    classifier = read_parameter_list(SIMCLR / "parameters" / "simclr_linearclassifier_cifar10.json")
    head = [Parameter(f"train_net.netwithloss._backbone.{p.name}", p.shape, p.dtype)
            for p in classifier.parameters if not p.name.startswith("encoder.")]
    adam = [Parameter(f"moment1.{p.name}", p.shape, p.dtype) for p in encoder[:3]]
    simclr_cards(tmp_path / "cards", asset_server, tensors_bytes(zeros([*encoder, *adam])),
                 tensors_bytes(zeros(head)))
    code, data = run_json(["validate", "--check-weights", "--format", "json", str(tmp_path / "cards")],
                          capsys)
    assert code == 0, data
    assert rules_of(data, "simclr_encoder_cifar10") == {}
    assert rules_of(data, "simclr_linearclassifier_cifar10") == {"warnings": ["weights/extra"]}
