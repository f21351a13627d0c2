"""One build path (issue 26): every front door builds through ``loading.build``, with a typed
``LoadedModel`` and an input shape worked out once.

``hub-plugin load`` and ``export``, ``hub_plugin.load`` and ``hub_plugin.export`` all hand a
``LoadRequest`` to the same function; ``train``, ``eval`` and ``predict`` open their package through
``loading.package_code``; ``input_shape.model_input_shape`` is the one answer to "what input does
this network take", used by ``load``'s forward pass and by ``export``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from card_samples import VALID_FRONT_MATTER, card_text, write_card

import hub_plugin
from hub_plugin.cli import main
from hub_plugin.core.settings import Settings, TrustPolicy
from hub_plugin.errors import HubPluginError
from hub_plugin.packages import input_shape, loading
from hub_plugin.packages.input_shape import model_input_shape
from hub_plugin.packages.loading import LoadedModel, LoadOptions, LoadRequest
from hub_plugin.registry import Registry
from hub_plugin.registry.routes import Route, ServeRule, route_for
from hub_plugin.zoo.config_choice import ZooConfig

SMALL = {"backbone": "resnet18", "width_multiplier": 0.125}
SMALL_ARGS = ["--arg", "backbone=resnet18", "--arg", "width_multiplier=0.125"]


class Stopped(HubPluginError):
    """Raised by the spies: the request was seen, nothing is built."""


def _spy(monkeypatch: pytest.MonkeyPatch, name: str, module: Any = loading) -> list[LoadRequest]:
    """Replace ``<module>.<name>`` by a function that records its request and stops there."""
    seen: list[LoadRequest] = []

    def stop(request: LoadRequest) -> Any:
        seen.append(request)
        raise Stopped(f"{name} reached")

    monkeypatch.setattr(module, name, stop)
    return seen


def _what(request: LoadRequest) -> tuple[object, ...]:
    return (request.name, request.args, dict(request.arguments), request.pretrained,
            request.strict_weights, request.device, request.zoo_config, request.options.settings.trust)


@pytest.mark.mindspore
def test_the_cli_and_the_api_load_and_export_through_one_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    seen = _spy(monkeypatch, "build")
    assert main(["load", "simclr", "--no-pretrained", *SMALL_ARGS]) == 1
    with pytest.raises(Stopped):
        hub_plugin.load("simclr", pretrained=False, **SMALL)
    assert main(["export", "simclr", "--format", "mindir", "--no-pretrained", "--output",
                 str(tmp_path), *SMALL_ARGS]) == 1
    with pytest.raises(Stopped):
        hub_plugin.export("simclr", format="mindir", pretrained=False, output=tmp_path, **SMALL)
    assert "build reached" in capsys.readouterr().err
    assert len(seen) == 4
    assert [_what(request) for request in seen] == [
        ("simclr", (), SMALL, False, True, None, None, TrustPolicy.ASK)] * 4


@pytest.mark.mindspore
def test_the_api_keywords_become_the_same_request_as_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _spy(monkeypatch, "build")
    assert main(["load", "simclr", "--offline", "--allow-http", "--trust", "--load-matching",
                 "--zoo-config", "x.yaml", *SMALL_ARGS]) == 1
    with pytest.raises(Stopped):
        hub_plugin.load("simclr", offline=True, allow_http=True, trust=True, strict_weights=False,
                        zoo_config="x.yaml", **SMALL)
    cli, api = seen
    assert _what(cli) == _what(api)
    assert cli.options.settings.trust is TrustPolicy.ALWAYS  # --trust is a policy, not a bool
    held = [(r.options.settings.offline, r.options.settings.allow_http) for r in seen]
    assert held == [(True, True)] * 2
    assert "allow_http" not in api.arguments and "trust" not in api.arguments


def test_the_tasks_open_their_package_as_the_build_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _spy(monkeypatch, "package_code")  # cli/tasks imports it from loading when a task runs
    for command in ("train", "eval", "predict"):
        assert main([command, "simclr", "--trust", "--help"]) == 1
    assert [(r.name, r.options.settings.trust) for r in seen] == [("simclr", TrustPolicy.ALWAYS)] * 3


def test_keywords_split_into_the_request_its_options_and_network_arguments() -> None:
    request = LoadRequest.from_keywords("simclr", 7, pretrained=False, registry=["x"], trust=False,
                                        refresh=True, backbone="resnet18")
    settings = Settings.from_environment(registries=["x"], trust=TrustPolicy.NEVER, refresh=True)
    assert request == LoadRequest("simclr", (7,), {"backbone": "resnet18"}, pretrained=False,
                                  options=LoadOptions(settings))


def test_loaded_model_names_the_types_where_the_parts_join() -> None:
    types = {f.name: str(f.type) for f in dataclasses.fields(LoadedModel)}
    assert not [name for name, text in types.items() if "Any" in text], types
    assert types["route"] == "Route"
    assert types["zoo"] == "ZooFolder | None"
    assert types["assets"] == "list[FetchedAsset]"
    assert types["network"] == "Cell"
    options = {f.name: str(f.type) for f in dataclasses.fields(LoadOptions)}
    assert options["settings"] == "Settings"
    assert options["progress"] == "Progress | None"
    assert options["transfer_policy"] == "TransferPolicy | None"


def test_loaded_model_types_resolve_to_the_real_classes() -> None:
    pytest.importorskip("mindspore")
    import typing

    from mindspore.nn import Cell

    from hub_plugin.downloads.fetch import FetchedAsset
    from hub_plugin.zoo.checkout import ZooFolder

    hints = typing.get_type_hints(LoadedModel, localns={
        "Cell": Cell, "Route": Route, "ZooFolder": ZooFolder, "FetchedAsset": FetchedAsset})
    assert hints["route"] is Route and hints["network"] is Cell
    assert hints["assets"] == list[FetchedAsset]


# --- The input shape, worked out once --------------------------------------------------------


def _simclr_route() -> tuple[Route, dict[str, Any]]:
    registry = Registry.open()
    manifest = registry.read(registry.find("simclr_linearclassifier_cifar10"))
    return route_for(registry, manifest), dict(manifest.fields)


def test_the_input_shape_is_the_first_declared_of_the_five_places() -> None:
    route, fields = _simclr_route()
    assert model_input_shape(route, fields) == (1, 3, 32, 32)  # package.yaml, for the card
    assert model_input_shape(route, fields, served=[2, 3, 64, 64]) == (2, 3, 64, 64)
    assert route.package is not None
    rule = ServeRule(route.package, 0, ("https://example.org/zoo",), "x", input_shape=(1, 3, 8, 8))
    served_by_rule = Route("package", "a serves rule", route.package, rule, settings=route.settings)
    assert model_input_shape(served_by_rule, fields) == (1, 3, 8, 8)
    zoo = Route("zoo", "zoo code builds it")
    config = ZooConfig(Path("c.yaml"), "c.yaml", "chosen", image_size=(224, 224))
    assert model_input_shape(zoo, {"input-shape": [3, 300, 300]}, zoo_config=config) == (1, 3, 300, 300)
    assert model_input_shape(zoo, {}, zoo_config=config) == (1, 3, 224, 224)
    assert model_input_shape(zoo, {}) is None


DENSE_HUBCONF = '''\
def create_network(name, **kwargs):
    return {"dense": dense}[name](**kwargs)


def dense():
    """Dense(4, 3)."""
    from mindspore import nn

    return nn.Dense(4, 3)
'''


def _dense_registry(root: Path) -> Path:
    """A package ``dense`` whose card (not its package.yaml) gives the input size, [1, 4]."""
    folder = root / "registry" / "dense"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "hubconf.py").write_text(DENSE_HUBCONF, encoding="utf-8")
    (folder / "package.yaml").write_text("cards:\n  dense: {network: dense}\n", encoding="utf-8")
    write_card(folder, "dense", card_text(VALID_FRONT_MATTER + "input-shape: [1, 4]\n"))
    return root / "registry"


def _count(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...] | None]:
    answers: list[tuple[int, ...] | None] = []
    real = input_shape.model_input_shape

    def counted(route: Route, fields: Any, *, served: Sequence[int] | None = None,
                zoo_config: ZooConfig | None = None) -> tuple[int, ...] | None:
        answers.append(real(route, fields, served=served, zoo_config=zoo_config))
        return answers[-1]

    monkeypatch.setattr(input_shape, "model_input_shape", counted)
    return answers


@pytest.mark.mindspore
def test_a_cards_input_size_is_worked_out_once_for_load_and_export(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    registry = _dense_registry(tmp_path)
    answers = _count(monkeypatch)
    assert main(["--registry", str(registry), "load", "dense", "--no-pretrained", "--trust",
                 "--batch-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "input shape: (3, 4)" in out and "forward pass: output shape (3, 3)" in out
    assert answers == [(1, 4)]
    assert main(["--registry", str(registry), "export", "dense", "--format", "mindir",
                 "--no-pretrained", "--trust", "--output", str(tmp_path / "out")]) == 0
    assert "input [1, 4]" in capsys.readouterr().out
    assert answers == [(1, 4), (1, 4)]
    result = hub_plugin.export("dense", format="mindir", pretrained=False, trust=True,
                               registry=[registry], output=tmp_path / "api", batch_size=5)
    assert result.input_shape == (5, 4) and list(result.card.fields["input-shape"]) == [5, 4]
    assert len(answers) == 3


def test_the_old_keywords_are_overrides_on_the_settings_given(tmp_path: Path) -> None:
    given = Settings.from_environment(registries=[tmp_path / "held"], offline=True,
                                      trust=TrustPolicy.ALWAYS, allow_http=True)
    kept = LoadRequest.from_keywords("simclr", settings=given).options.settings
    assert kept is given  # nothing given on top: the very settings, not a copy read again
    over = LoadRequest.from_keywords("simclr", settings=given, trust=False, offline=None,
                                     allow_http=False, registry=[tmp_path / "mine"]).options
    assert over.settings.trust is TrustPolicy.NEVER and over.settings.offline is True
    assert over.settings.allow_http is False
    assert over.settings.option_registries == (tmp_path / "mine", tmp_path / "held")
    assert over.registry is None
    registry = Registry.open([], environment=False, plugins=False)
    opened = LoadRequest.from_keywords("simclr", settings=given, registry=registry).options
    assert opened.registry is registry and opened.settings is given
    assert LoadRequest.from_keywords("x", settings=given, offline=False).options.settings.offline is False


@pytest.mark.mindspore
def test_settings_given_to_the_api_reach_the_build(
    asset_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """The environment says nothing; the settings alone name the cache, the mirror (a loopback
    server) and offline mode: offline, the load fails on the empty cache without a connection;
    online, the same settings send it to the mirror (which has nothing), so they did reach it."""
    from asset_server import FAST_POLICY

    for variable in ("HUB_PLUGIN_OFFLINE", "HUB_PLUGIN_MIRROR", "HUB_PLUGIN_HOME"):
        monkeypatch.delenv(variable, raising=False)
    online = Settings.from_environment().with_options(
        home=tmp_path / "home", mirror_text=f"https://download.mindspore.cn/={asset_server.url('/')}")
    with pytest.raises(hub_plugin.OfflineError):
        hub_plugin.load("simclr", settings=online.with_options(offline=True))
    assert asset_server.log == []
    with pytest.raises(hub_plugin.DownloadError):
        hub_plugin.load("simclr", settings=online, transfer_policy=FAST_POLICY)
    assert asset_server.log and (tmp_path / "home" / "locks").is_dir()  # the settings' cache
    with pytest.raises(hub_plugin.OfflineError):  # the keyword on top of the settings
        hub_plugin.load("simclr", settings=online, offline=True)
    with pytest.raises(hub_plugin.OfflineError):
        hub_plugin.download("simclr_encoder_cifar10", settings=online.with_options(offline=True))
    assert len(asset_server.log) == 1


@pytest.mark.mindspore
def test_the_environment_is_read_once_per_load_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUB_PLUGIN_CONFIG", str(tmp_path / "config"))
    read = Settings.from_environment.__func__  # type: ignore[attr-defined]
    calls: list[object] = []

    def counted(cls: type[Settings], *args: Any, **kwargs: Any) -> Settings:
        calls.append(args)
        return read(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Settings, "from_environment", classmethod(counted))
    assert main(["load", "simclr", "--no-pretrained", "--trust", *SMALL_ARGS]) == 0, capsys.readouterr()
    assert "forward pass" in capsys.readouterr().out
    assert len(calls) == 1
    calls.clear()
    hub_plugin.load("simclr", pretrained=False, **SMALL)
    assert len(calls) == 1  # an API call without settings reads the environment once, at the call
