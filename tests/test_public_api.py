"""The public API of ``import hub_plugin``: every name in ``__all__`` is there, typed errors derive
from ``HubPluginError``, and importing the package loads nothing else until a name is used."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from locations import REPO

import hub_plugin


@pytest.mark.parametrize("name", sorted(hub_plugin.__all__))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(hub_plugin, name) is not None
    assert name in dir(hub_plugin)


def test_the_lazy_table_and_the_type_checking_imports_agree() -> None:
    tree = ast.parse((REPO / "hub_plugin" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test))
    seen = {
        alias.name: "." * node.level + (node.module or "")
        for node in guarded.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert seen == hub_plugin._EXPORTS
    assert set(hub_plugin._EXPORTS) | {"__version__"} == set(hub_plugin.__all__)


def test_errors_are_typed() -> None:
    errors = [getattr(hub_plugin, n) for n in hub_plugin.__all__ if n[0].isupper()]
    classes = [e for e in errors if isinstance(e, type) and issubclass(e, Exception)]
    assert classes and all(issubclass(e, hub_plugin.HubPluginError) for e in classes)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = hub_plugin.nothing_here


def test_importing_the_package_loads_no_other_module() -> None:
    script = "import sys, hub_plugin; print(sorted(m for m in sys.modules if m.startswith('hub_plugin')))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "['hub_plugin', 'hub_plugin._version']", result.stderr


def test_the_settings_are_public_and_every_front_door_takes_them() -> None:
    """``hub_plugin.Settings`` and ``hub_plugin.TrustPolicy`` (issue 26: options held, not
    threaded); each API function that reaches a registry or the network takes ``settings=None``."""
    import inspect

    from hub_plugin.core.settings import Settings, TrustPolicy

    assert (hub_plugin.Settings, hub_plugin.TrustPolicy) == (Settings, TrustPolicy)
    for name in ("list_models", "info", "download", "load", "export", "publish"):
        parameter = inspect.signature(getattr(hub_plugin, name)).parameters["settings"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None, name
