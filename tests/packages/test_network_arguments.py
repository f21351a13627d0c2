"""``--arg`` checked against the network's signature and types before anything is downloaded
(issue 28 item 4): a wrong name is one line listing the accepted arguments, a wrong value one line
naming the expected type; the device and the arguments come before any download (item 5)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from asset_server import AssetServer
from small_simclr import SMALL_ARGS, SmallSimCLR, small_simclr_registry

from hub_plugin.cli import main
from hub_plugin.core.resources import models_dir
from hub_plugin.errors import NetworkArgumentError
from hub_plugin.packages.hubconf_import import import_hubconf
from hub_plugin.packages.network_arguments import check_network_arguments, network_function


def _hubconf(source: str) -> types.ModuleType:
    module = types.ModuleType("hubconf")
    exec(compile("from __future__ import annotations\n" + source, "hubconf.py", "exec"), module.__dict__)
    return module


SIMCLR = import_hubconf(models_dir() / "simclr")


def test_the_network_function_is_the_networks_table_entry_else_create_network() -> None:
    assert network_function(SIMCLR, "simclr_encoder") == (SIMCLR.simclr_encoder, False)
    bare = _hubconf("def create_network(name, *, depth: int = 3):\n    return None\n")
    assert network_function(bare, "anything") == (bare.create_network, True)


def test_a_wrong_name_lists_the_accepted_arguments() -> None:
    with pytest.raises(NetworkArgumentError) as caught:
        check_network_arguments(SIMCLR, "simclr_encoder", {"backbon": "resnet18"}, package="simclr")
    assert caught.value.exit_code == 2
    line = str(caught.value)
    assert "takes no argument 'backbon'" in line and "\n" not in line
    assert "it accepts: backbone, width_multiplier, cifar_stem" in line


@pytest.mark.parametrize(("key", "value", "wanted"), [
    ("width_multiplier", "abc", "wants float for 'width_multiplier', got str"),
    ("num_classes", 2.5, "wants int for 'num_classes', got float"),
    ("num_classes", True, "wants int for 'num_classes', got bool"),
    ("cifar_stem", 1, "wants bool for 'cifar_stem', got int"),
    ("backbone", 18, "wants str for 'backbone', got int"),
])
def test_a_wrong_value_names_the_expected_type(key: str, value: object, wanted: str) -> None:
    with pytest.raises(NetworkArgumentError, match=wanted):
        check_network_arguments(SIMCLR, "simclr_classifier", {key: value}, package="simclr")


def test_right_arguments_pass_and_open_signatures_accept_anything() -> None:
    check_network_arguments(SIMCLR, "simclr_classifier",
                            {"backbone": "resnet18", "width_multiplier": 1, "num_classes": 100,
                             "cifar_stem": False}, package="simclr")
    open_one = _hubconf("def create_network(name, *, size: int = 1, **kwargs):\n    return None\n")
    check_network_arguments(open_one, "net", {"anything": "goes", "size": 2}, package="p")
    with pytest.raises(NetworkArgumentError, match="wants int for 'size'"):
        check_network_arguments(open_one, "net", {"size": "big"}, package="p")
    # no annotation: the default's type; an annotation this check does not read: anything
    loose = _hubconf("def create_network(name, depth=3, shape: Shape = None):\n    return None\n")
    check_network_arguments(loose, "net", {"shape": "anything", "depth": 4}, package="p")
    with pytest.raises(NetworkArgumentError, match="wants int for 'depth'"):
        check_network_arguments(loose, "net", {"depth": "deep"}, package="p")
    optional = _hubconf("def create_network(name, *, size: int | None = None):\n    return None\n")
    check_network_arguments(optional, "net", {"size": 3}, package="p")


@pytest.fixture
def small(tmp_path: Path, asset_server: AssetServer) -> SmallSimCLR:
    return small_simclr_registry(tmp_path, asset_server)


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


@pytest.mark.mindspore
@pytest.mark.parametrize(("arguments", "wanted"), [
    (["--arg", "backbon=resnet18"], "takes no argument 'backbon' (it accepts: backbone,"),
    (["--arg", "width_multiplier=abc"], "wants float for 'width_multiplier', got str"),
])
def test_load_and_export_refuse_a_wrong_arg_before_downloading(
    small: SmallSimCLR, asset_server: AssetServer, capsys: pytest.CaptureFixture[str],
    tmp_path: Path, arguments: list[str], wanted: str,
) -> None:
    registry = ["--registry", str(small.registry)]
    for command in (["load", "simclr_small", "--trust"],
                    ["export", "simclr_small", "--trust", "--format", "mindir",
                     "--output", str(tmp_path / "out")]):
        assert main([*registry, *command, *arguments]) == 2
        line = _one_line(capsys)
        assert line.startswith("hub-plugin: error: ") and wanted in line, line
        assert "internal error" not in line
    assert asset_server.log == [], "nothing is downloaded before the arguments are checked"


@pytest.mark.mindspore
def test_an_absent_device_is_refused_before_downloading(
    small: SmallSimCLR, asset_server: AssetServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    registry = ["--registry", str(small.registry)]
    commands: list[list[str]] = [
        ["load", "simclr_small", "--trust", "--device", "gpu", *SMALL_ARGS],
        ["export", "simclr_small", "--trust", "--format", "air", "--device", "ascend",
         "--output", str(tmp_path / "out"), *SMALL_ARGS],
    ]
    for command in commands:
        assert main([*registry, *command]) == 2
        line = _one_line(capsys)
        assert "is not available: found cpu" in line, line
    assert asset_server.log == [], "nothing is downloaded before the device is checked"
