"""The layers of ``hub_plugin`` import one way only: cli -> runtime -> assets -> registry -> errors.

Every module's imports are read with ``ast`` (nothing is imported), relative imports are resolved to
absolute module names, and an import of a higher layer fails the test with the file and line. The
front door (``__init__.py``, ``__main__.py``, ``api.py``) sits above every layer; ``errors.py`` and
``_version.py`` below all of them. The registry and the assets never import MindSpore at all, not even
inside a function: they serve the light install.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from locations import REPO

PACKAGE = REPO / "hub_plugin"

#: Rank of each layer: a module may import its own layer and those below it.
LAYERS = {"errors": 0, "_version": 0, "core": 0, "registry": 1, "assets": 2, "runtime": 3, "cli": 4}
FRONT_DOOR = 5
#: Layers that never import MindSpore, anywhere in their code.
WITHOUT_MINDSPORE = {"errors", "_version", "core", "registry", "assets"}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> int | None:
    """The layer rank of a ``hub_plugin`` module, ``None`` for modules outside the package."""
    parts = module.split(".")
    if parts[0] != "hub_plugin":
        return None
    if len(parts) == 1:
        return FRONT_DOOR
    return LAYERS.get(parts[1], FRONT_DOOR)


def imports(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, at any depth."""
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # ``from . import x`` names a module too
                yield node.lineno, f"{target}.{alias.name}"


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Why the imports of ``module`` (its ``source``) break the layer rule; empty when they don't."""
    own = rank(module)
    assert own is not None
    layer = module.split(".")[1] if "." in module else ""
    found = []
    for line, target in imports(source, module, is_package):
        target_rank = rank(target)
        if target_rank is not None and target_rank > own and not _is_attribute_of_lower(target, own):
            found.append(f"line {line}: {module} imports {target}, a higher layer")
        if layer in WITHOUT_MINDSPORE and target.split(".")[0] == "mindspore":
            found.append(f"line {line}: {module} imports MindSpore")
    return found


def _is_attribute_of_lower(target: str, own: int) -> bool:
    """``from ..errors import HubPluginError`` yields ``hub_plugin.errors.HubPluginError``: a name in
    a lower module, not a module of a higher layer."""
    parent = target.rsplit(".", 1)[0]
    parent_rank = rank(parent)
    return parent != "hub_plugin" and parent_rank is not None and parent_rank <= own


def package_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path: Path) -> None:
    found = violations(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert not found, f"{path.relative_to(REPO)}: " + "; ".join(found)


def test_every_module_belongs_to_a_layer_or_the_front_door() -> None:
    top_level = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py")
    assert top_level == ["__init__.py", "__main__.py", "_version.py", "api.py", "errors.py"]
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert set(folders) <= set(LAYERS), folders


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("hub_plugin.registry.cards.card", "from ...assets import fetch\n"),
        ("hub_plugin.registry.cards.card",
         "def f():\n    from hub_plugin.runtime.loading import load_model\n"),
        ("hub_plugin.assets.cache.asset_cache", "from ... import api\n"),
        ("hub_plugin.assets.cache.asset_cache", "import hub_plugin.cli\n"),
        ("hub_plugin.runtime.loading", "from ..cli.load import run\n"),
        ("hub_plugin.registry.cards.card", "import mindspore\n"),
    ],
)
def test_a_planted_upward_import_is_caught(module: str, source: str) -> None:
    assert violations(source, module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("hub_plugin.registry.cards.card", "from ...errors import CardError\n"),
        ("hub_plugin.assets.download.fetch",
         "from ...registry.cards.manifest import Asset\nfrom ..cache.asset_cache import AssetCache\n"),
        ("hub_plugin.runtime.loading", "from ..assets import fetch_manifest\n"),
        ("hub_plugin.cli.load", "from ..runtime.loading import load_model\n"),
        ("hub_plugin.cli.load", "from .._version import __version__\n"),
        ("hub_plugin.runtime.device", "def f():\n    import mindspore\n"),
    ],
)
def test_downward_imports_are_allowed(module: str, source: str) -> None:
    assert violations(source, module) == []


#: What the light install (no extras) lacks: no module the CLI or ``import hub_plugin`` loads at
#: start-up may import these at module level, only inside the functions that need them.
MODEL_SIDE = {"mindspore", "numpy", "PIL", "onnxruntime"}
#: Standard modules too slow to import for every command (importlib.metadata: about 20 ms, with
#: email, csv and zipfile): the functions that need them import them.
SLOW_AT_START_UP = {"importlib.metadata"}


def module_level_imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """The modules ``source`` imports when it is imported: what runs at import time (the module body,
    class bodies, ``if`` and ``try`` blocks), not function bodies nor ``if TYPE_CHECKING:`` blocks."""
    found: list[ast.stmt] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, [])
                    visit([c for c in children if isinstance(c, ast.stmt)])
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            visit(handler.body)

    visit(ast.parse(source).body)
    text = "\n".join(ast.unparse(n) for n in found)
    return {target for _, target in imports(text, module, is_package)}


def module_path(name: str) -> Path | None:
    if name.split(".")[0] != "hub_plugin":
        return None
    base = PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def start_up_imports(roots: list[str]) -> dict[str, str]:
    """Every module reached through module-level imports from ``roots``, each with who imported it."""
    seen: dict[str, str] = {root: "" for root in roots}
    pending = list(roots)
    while pending:
        name = pending.pop()
        path = module_path(name)
        if path is None:
            continue
        for parent in [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]:
            if parent not in seen:  # importing a.b.c imports a and a.b first
                seen[parent] = name
                pending.append(parent)
        for target in module_level_imports(path.read_text(encoding="utf-8"), name,
                                           path.name == "__init__.py"):
            if target not in seen:
                seen[target] = name
                pending.append(target)
    return seen


def test_the_cli_and_the_package_start_without_the_model_side() -> None:
    roots = ["hub_plugin", "hub_plugin.__main__"] + [
        module_name(p) for p in sorted((PACKAGE / "cli").rglob("*.py"))
    ]
    reached = start_up_imports(roots)
    offending = {name: by for name, by in reached.items() if name.split(".")[0] in MODEL_SIDE}
    assert not offending, f"imported at start-up (module -> imported by): {offending}"
    slow = {name: by for name, by in reached.items() if name in SLOW_AT_START_UP}
    assert not slow, f"slow to import, at start-up (module -> imported by): {slow}"


def test_the_start_up_walk_sees_import_time_imports_only() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import numpy as np\n"
        "if TYPE_CHECKING:\n    import PIL\n"
        "try:\n    import onnxruntime\nexcept ImportError:\n    pass\n"
        "class A:\n    from ..runtime import device\n"
        "def f():\n    import mindspore\n"
    )
    found = module_level_imports(source, "hub_plugin.cli.planted")
    assert {"numpy", "onnxruntime", "hub_plugin.runtime", "hub_plugin.runtime.device"} <= found
    assert "mindspore" not in found and "PIL" not in found


# --- Layout: one folder per concept, no import cycles ------------------------------------------------

MODELS = REPO / "models"


def code_modules() -> dict[str, Path]:
    """Every module of the package and of the model packages, by dotted name from the checkout."""
    paths = [*package_modules(), *sorted(MODELS.rglob("*.py"))]
    return {module_name(p, REPO / "_"): p for p in paths}


def import_edges(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The known modules ``source`` imports, at any depth but ``if TYPE_CHECKING:``.

    ``from . import x`` imports the module ``x``, not its package; ``from .m import name`` imports
    ``m``. The parents a dotted import loads implicitly are not counted: they are not a dependency
    of the importer's code.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):  # drop the type-checking-only blocks
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = [ast.Pass()]
    found: set[str] = set()
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found |= submodules or ({target} & known)
    found.discard(module)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_no_import_cycles() -> None:
    modules = code_modules()
    known = set(modules)
    graph = {
        name: import_edges(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known)
        for name, path in modules.items()
    }
    assert import_cycles(graph) == []


def test_a_planted_cycle_is_caught() -> None:
    known = {"hub_plugin.registry.registry", "hub_plugin.registry.hubs.lookup", "hub_plugin.registry.hubs"}
    graph = {
        "hub_plugin.registry.registry": import_edges(
            "from .hubs.lookup import HubCards\n", "hub_plugin.registry.registry", False, known),
        "hub_plugin.registry.hubs.lookup": import_edges(
            "def f():\n    from ..registry import Root\n", "hub_plugin.registry.hubs.lookup", False, known),
    }
    assert import_cycles(graph) == [["hub_plugin.registry.hubs.lookup", "hub_plugin.registry.registry"]]
    graph["hub_plugin.registry.hubs.lookup"] = import_edges(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..registry import Root\n",
        "hub_plugin.registry.hubs.lookup", False, known)
    assert import_cycles(graph) == []
