"""Real zoo folders (``../shared/zoo/r1.8``: resnet, lenet, gat) served by a git daemon on
127.0.0.1, with MindSpore Hub's own 1.8 cards: each card gets the folder's YAML config that matches
it (an ImageNet card its ImageNet head), a forward pass from the config's image size, and zoo code's
prints are kept off stdout."""

from __future__ import annotations

import pytest
from git_server import GitServer
from locations import SHARED
from zoo_repos import build_real_zoo, publish_cards

from hub_plugin.cli import main
from hub_plugin.errors import HubPluginError
from hub_plugin.packages.loading import load_model

pytestmark = pytest.mark.mindspore

ZOO = SHARED / "zoo" / "r1.8"
CARDS = SHARED / "cards" / "mindspore-1.8"
STEMS = ("resnet18_imagenet2012", "resnet18_cifar10", "lenet_mnist", "gat_cora", "simclr_encoder_cifar10")


@pytest.fixture
def real_zoo(git_server: GitServer, monkeypatch: pytest.MonkeyPatch) -> None:
    if not ZOO.is_dir() or not CARDS.is_dir():
        pytest.skip("../shared (real zoo folders and cards) is not here")
    build_real_zoo(git_server, ZOO, ["official/cv/resnet", "official/cv/lenet", "official/gnn/gat",
                                     "official/cv/simclr"])
    cards = {f"mindspore/1.8/{stem}": (CARDS / f"{stem}.md").read_text(encoding="utf-8") for stem in STEMS}
    # a SimCLR card under a UID no serves rule matches: the zoo route, and simclr has no entry point
    cards["mindspore/1.8/simclr_probe_cifar10"] = cards.pop("mindspore/1.8/simclr_encoder_cifar10")
    publish_cards(git_server, cards)
    monkeypatch.setenv("HUB_PLUGIN_MIRROR", f"https://gitee.com/mindspore/={git_server.root}")


def _head(loaded: object) -> tuple[int, ...]:
    shapes = {p.name: tuple(p.shape) for p in loaded.network.get_parameters()}  # type: ignore[attr-defined]
    return shapes["end_point.weight"]


def test_each_card_gets_its_own_config_and_head(real_zoo: None, capsys: pytest.CaptureFixture[str]) -> None:
    imagenet = load_model("mindspore/1.8/resnet18_imagenet2012", pretrained=False, trust=True)
    assert _head(imagenet) == (1001, 512)
    assert imagenet.zoo_config.startswith("config/resnet18_imagenet2012_config.yaml (matches the card")
    assert imagenet.input_shape == (1, 3, 224, 224)
    cifar = load_model("mindspore/1.8/resnet18_cifar10", pretrained=False, trust=True)
    assert _head(cifar) == (10, 512) and cifar.zoo_config.startswith("config/resnet18_cifar10_config.yaml")
    captured = capsys.readouterr()
    assert "Please check the above information" not in captured.out + captured.err


def test_zoo_config_overrides_the_choice(real_zoo: None, capsys: pytest.CaptureFixture[str]) -> None:
    loaded = load_model("mindspore/1.8/resnet18_imagenet2012", pretrained=False, trust=True,
                        zoo_config="config/resnet18_cifar10_config.yaml")
    assert _head(loaded) == (10, 512) and "given with --zoo-config" in loaded.zoo_config
    with pytest.raises(HubPluginError, match=r"--zoo-config nowhere\.yaml: no such file"):
        load_model("mindspore/1.8/resnet18_imagenet2012", pretrained=False, trust=True,
                   zoo_config="nowhere.yaml")


def test_cli_load_and_info_name_the_config_and_run_a_forward_pass(
    real_zoo: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["info", "mindspore/1.8/resnet18_imagenet2012"]) == 0
    assert "zoo config: chosen when the folder is first loaded" in capsys.readouterr().out
    monkeypatch.setenv("HUB_PLUGIN_VERBOSE", "1")  # a config no other test imports: it prints
    assert main(["load", "mindspore/1.8/resnet18_imagenet2012", "--trust", "--no-pretrained",
                 "--zoo-config", "config/resnet18_imagenet2012_config_gpu.yaml"]) == 0
    out, err = capsys.readouterr()
    assert "zoo | Please check the above information" in err and "Please check" not in out
    monkeypatch.delenv("HUB_PLUGIN_VERBOSE")
    assert main(["load", "mindspore/1.8/lenet_mnist", "--trust", "--no-pretrained"]) == 0
    out = capsys.readouterr().out
    assert "zoo config: default_config.yaml (the folder's default" in out
    assert "input shape: (2, 1, 32, 32)" in out and "forward pass: output shape (2, 10)" in out
    assert main(["load", "mindspore/1.8/resnet18_imagenet2012", "--trust", "--no-pretrained"]) == 0
    capsys.readouterr()
    assert main(["info", "mindspore/1.8/resnet18_imagenet2012"]) == 0
    assert "zoo config: config/resnet18_imagenet2012_config.yaml" in capsys.readouterr().out


def test_a_missing_module_of_the_folder_is_named_as_the_folder_writes_it(
    real_zoo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "mindspore/1.8/gat_cora", "--trust", "--no-pretrained"]) == 1
    err = capsys.readouterr().err
    assert "imports 'src.config', which the folder does not have (no src/config.py" in err
    assert "hub_plugin_zoo" not in err


def test_no_entry_point_names_the_package_that_could_serve(
    real_zoo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "mindspore/1.8/simclr_probe_cifar10", "--trust", "--no-pretrained"]) == 1
    err = capsys.readouterr().err
    assert "the model zoo provides no entry point for the card 'mindspore/1.8/simclr_probe_cifar10'" in err
    assert "the model package simclr may build it: hub-plugin load simclr" in err
