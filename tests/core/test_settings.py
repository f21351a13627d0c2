"""``hub_plugin.core.settings``: every ``HUB_PLUGIN_*`` variable read once, in one place (issue 26)."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from locations import REPO

from hub_plugin.core.settings import VARIABLES, Settings, TrustPolicy

PACKAGE = REPO / "hub_plugin"
SETTINGS_MODULE = PACKAGE / "core" / "settings.py"
#: A string that is a variable's name and nothing else: what an ``os.environ`` access needs.
VARIABLE_NAME = re.compile(r"HUB_PLUGIN_[A-Z0-9_]+")


def variable_names_outside_settings(package: Path = PACKAGE) -> list[str]:
    """``file:line name`` of every string constant in ``package`` (but core/settings.py) that is a
    ``HUB_PLUGIN_*`` name by itself: ``os.environ.get("HUB_PLUGIN_X")``, ``os.getenv(...)``,
    ``environ["HUB_PLUGIN_X"]`` or a constant later used so. Docstrings, comments, help texts and
    messages that mention a variable inside a sentence are not accesses and are left alone."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "core" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and VARIABLE_NAME.fullmatch(node.value.strip())):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.value}")
    return found


def test_only_settings_names_a_hub_plugin_variable() -> None:
    assert variable_names_outside_settings() == []


def test_the_scan_sees_an_environment_read(tmp_path: Path) -> None:
    package = tmp_path / "hub_plugin"
    (package / "core").mkdir(parents=True)
    (package / "core" / "settings.py").write_text('HOME = "HUB_PLUGIN_HOME"\n')
    (package / "feature.py").write_text(
        'import os\n\n"""Set HUB_PLUGIN_HOME to move the cache."""\n'
        'OFFLINE = os.environ.get("HUB_PLUGIN_OFFLINE")\n'
        'HINT = "unset HUB_PLUGIN_OFFLINE or drop --offline"\n'
        'MIRROR = os.getenv( "HUB_PLUGIN_MIRROR" )\n')
    assert variable_names_outside_settings(package) == [
        "hub_plugin/feature.py:4 HUB_PLUGIN_OFFLINE", "hub_plugin/feature.py:6 HUB_PLUGIN_MIRROR"]


def test_settings_reads_each_variable_it_lists() -> None:
    source = SETTINGS_MODULE.read_text(encoding="utf-8")
    for name in VARIABLES:
        assert f'"{name}"' in source
    from hub_plugin.cli.env import SETTINGS

    assert SETTINGS[: len(VARIABLES)] == VARIABLES  # `hub-plugin env` lists them from here


def test_folders_follow_the_variables_then_xdg_then_home(tmp_path: Path) -> None:
    given = Settings.from_environment({"HUB_PLUGIN_HOME": str(tmp_path / "h"),
                                       "HUB_PLUGIN_CONFIG": str(tmp_path / "c")})
    assert (given.home, given.config) == (tmp_path / "h", tmp_path / "c")
    xdg = Settings.from_environment({"XDG_CACHE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert (xdg.home, xdg.config) == (tmp_path / "hub-plugin", tmp_path / "hub-plugin")
    plain = Settings.from_environment({})
    assert plain.home == Path.home() / ".cache" / "hub-plugin"
    assert plain.config == Path.home() / ".config" / "hub-plugin"


@pytest.mark.parametrize(("value", "offline"), [
    ("1", True), ("true", True), (" YES ", True), ("on", True), ("0", False), ("", False), ("no", False),
])
def test_offline_and_verbose_switches(value: str, offline: bool) -> None:
    settings = Settings.from_environment({"HUB_PLUGIN_OFFLINE": value, "HUB_PLUGIN_VERBOSE": value})
    assert settings.offline is offline and settings.verbose is offline
    assert Settings.from_environment({}, offline=True).offline  # --offline turns it on
    assert Settings.from_environment({"HUB_PLUGIN_OFFLINE": "1"}, offline=False).offline


def test_registries_mirrors_and_the_variables_shown(tmp_path: Path) -> None:
    env = {"HUB_PLUGIN_REGISTRY": os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")]),
           "HUB_PLUGIN_MIRROR": "https://a/=https://b/", "PATH": "/bin"}
    settings = Settings.from_environment(env, registries=[str(tmp_path / "given")])
    assert settings.registries == (tmp_path / "given", tmp_path / "a", tmp_path / "b")
    assert settings.environment_registries == (tmp_path / "a", tmp_path / "b")
    assert settings.mirror_text == "https://a/=https://b/"
    assert dict(settings.variables) == {"HUB_PLUGIN_REGISTRY": env["HUB_PLUGIN_REGISTRY"],
                                        "HUB_PLUGIN_MIRROR": "https://a/=https://b/"}
    from hub_plugin.downloads.mirrors import MirrorMap

    assert MirrorMap.from_settings(settings).apply("https://a/x") == "https://b/x"


def test_read_when_made_never_at_import(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "one"))
    first = Settings.from_environment()
    monkeypatch.setenv("HUB_PLUGIN_HOME", str(tmp_path / "two"))
    assert first.home == tmp_path / "one"
    assert Settings.from_environment().home == tmp_path / "two"
    from hub_plugin.cache.asset_cache import default_cache_root

    assert default_cache_root() == tmp_path / "two"


def test_settings_are_frozen() -> None:
    settings = Settings.from_environment({})
    with pytest.raises(AttributeError):
        settings.offline = True  # type: ignore[misc]
    assert settings.with_options(offline=True, trust=True).trust is TrustPolicy.ALWAYS
    assert not settings.offline


@pytest.mark.parametrize(("given", "policy", "answer"), [
    (None, TrustPolicy.ASK, None), (True, TrustPolicy.ALWAYS, True), (False, TrustPolicy.NEVER, False),
    (TrustPolicy.NEVER, TrustPolicy.NEVER, False),
])
def test_trust_policy_replaces_bool_or_none(given: TrustPolicy | bool | None, policy: TrustPolicy,
                                            answer: bool | None) -> None:
    assert TrustPolicy.of(given) is policy and policy.answer is answer
    assert Settings.from_environment({}, trust=given).trust is policy
