"""``hub_plugin`` is folders by feature over a small core, and its imports follow one dependency rule.

Every module's imports are read with ``ast`` (nothing is imported) and relative imports are resolved
to absolute module names. The rule (issue 26), each part a test below:

- the **core** (``core/``, ``errors.py``, ``_version.py``) imports no feature, no CLI module and not
  the front door;
- a **feature** (:data:`FEATURES`) imports the core and other features, never the CLI nor the front
  door; no two modules import each other, directly or around a loop (checked over the package and
  the model packages, Tarjan's algorithm);
- the **CLI** imports features and the core; nothing but the **front door** (``__init__.py``,
  ``__main__.py``, ``api.py``) imports ``api``;
- the light install never imports MindSpore: no module of :data:`WITHOUT_MINDSPORE` imports it, not
  even inside a function;
- start-up (``import hub_plugin``, ``python -m hub_plugin``, every CLI module) imports nothing of the
  model side at module level;
- every module belongs to the core, a feature, the CLI or the front door: a new top-level folder is
  added to one of these lists on purpose.

Size is no rule: a module is as long as its concern.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from locations import REPO

PACKAGE = REPO / "hub_plugin"

#: The core: every feature stands on it, it stands on nothing of hub-plugin.
CORE = {"core", "errors", "_version"}
#: The features, named for what users do. (``downloads``, ``exports``, ``publishing`` and
#: ``validation``, not ``download`` ...: those are public functions of ``import hub_plugin``, which
#: a subpackage of the same name would replace once imported; see the last test of this part.)
FEATURES = {"cards", "registry", "hubs", "cache", "downloads", "git", "zoo", "trust", "packages",
            "exports", "publishing", "validation", "checkpoints", "lock"}
CLI = "cli"
#: The front door: ``import hub_plugin`` (``__init__``), ``python -m hub_plugin`` and the API.
FRONT_DOOR = {"", "__main__", "api"}
#: Who may import each kind of module (the kinds are those of :func:`kind`).
ALLOWED = {
    "core": {"core"},
    "feature": {"core", "feature"},
    "cli": {"core", "feature", "cli"},
    "front door": {"core", "feature", "cli", "front door"},
}
#: What the light install (no extras) runs: these never import MindSpore, not even in a function.
#: (trust/ reads and digests files and asks; it builds nothing.)
WITHOUT_MINDSPORE = {"core", "errors", "_version", "cards", "registry", "hubs", "cache", "downloads",
                     "git", "validation", "publishing", "trust", "checkpoints", "lock"}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def kind(module: str) -> str | None:
    """``core``, ``feature``, ``cli`` or ``front door`` for a ``hub_plugin`` module; ``None`` outside
    the package; ``unknown`` for a top-level name none of the lists holds."""
    parts = module.split(".")
    if parts[0] != "hub_plugin":
        return None
    top = parts[1] if len(parts) > 1 else ""
    if top in CORE:
        return "core"
    if top in FEATURES:
        return "feature"
    if top == CLI:
        return "cli"
    if top in FRONT_DOOR:
        return "front door"
    return "unknown"


def package_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)


KNOWN = {module_name(p) for p in package_modules()}


def imports(source: str, module: str, is_package: bool, bases: bool = False) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, at any depth.

    ``from P import x`` names the module ``P.x`` when there is one, else ``P`` (``x`` is a name in
    it): ``from .. import api`` imports ``hub_plugin.api``, ``from ..errors import CardError``
    imports ``hub_plugin.errors``. With ``bases``, ``P`` is named as well (it is imported first).
    """
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
            if bases:
                yield node.lineno, target
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield node.lineno, submodule if submodule in KNOWN else target


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Why the imports of ``module`` (its ``source``) break the rule; empty when they don't."""
    own = kind(module)
    assert own in ALLOWED, f"{module} belongs to no kind"
    top = module.split(".")[1] if "." in module else ""
    found = []
    for line, target in imports(source, module, is_package):
        target_kind = kind(target)
        if target_kind is not None and target_kind not in ALLOWED[own]:
            found.append(f"line {line}: {module} ({own}) imports {target} ({target_kind})")
        if top in WITHOUT_MINDSPORE and target.split(".")[0] == "mindspore":
            found.append(f"line {line}: {module} imports MindSpore")
    return found


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_dependency_rule(path: Path) -> None:
    found = violations(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert not found, f"{path.relative_to(REPO)}: " + "; ".join(found)


def test_every_module_belongs_to_the_core_a_feature_the_cli_or_the_front_door() -> None:
    top_level = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py")
    assert top_level == ["__init__.py", "__main__.py", "_version.py", "api.py", "errors.py"]
    folders = {p.name for p in PACKAGE.iterdir()  # a folder left with only __pycache__ is no module
               if p.is_dir() and p.name != "_bundled" and any(p.rglob("*.py"))}
    assert folders <= CORE | FEATURES | {CLI}, sorted(folders - CORE - FEATURES - {CLI})
    for folder in folders:
        assert (PACKAGE / folder / "__init__.py").is_file(), f"hub_plugin/{folder}/ has no __init__.py"
    assert {module for module in KNOWN if kind(module) == "unknown"} == set()


def test_no_folder_has_the_name_of_a_public_function() -> None:
    """``import hub_plugin.validation.report`` sets ``hub_plugin.validation`` to the subpackage: a
    folder named like a public name (``validate``) would replace ``hub_plugin.validate()``."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    public = {element.value for node in tree.body if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
              for element in getattr(node.value, "elts", []) if isinstance(element, ast.Constant)}
    assert "validate" in public
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    assert folders & public == set()


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("hub_plugin.core.resources", "from ..cards.card import parse_card\n"),
        ("hub_plugin.errors", "def f():\n    from .downloads.fetch import fetch\n"),
        ("hub_plugin.core.resources", "from ..cli import main\n"),
        ("hub_plugin.downloads.fetch", "from ..cli.download import run\n"),
        ("hub_plugin.cache.asset_cache", "from .. import api\n"),
        ("hub_plugin.cache.asset_cache", "import hub_plugin.cli\n"),
        ("hub_plugin.cards.card", "import hub_plugin\n"),
        ("hub_plugin.cli.load", "from ..api import load\n"),
        ("hub_plugin.cli.load", "def f():\n    from hub_plugin.api import load\n"),
        ("hub_plugin.cards.card", "def f():\n    import mindspore\n"),
        ("hub_plugin.trust.gate", "from mindspore import nn\n"),
        ("hub_plugin.core.http", "import mindspore\n"),
    ],
)
def test_a_planted_bad_import_is_caught(module: str, source: str) -> None:
    assert violations(source, module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("hub_plugin.cards.card", "from ..errors import CardError\n"),
        ("hub_plugin.cards.card", "from ..core.contained_path import contained\n"),
        ("hub_plugin.downloads.fetch",
         "from ..cards.manifest import Asset\nfrom ..cache.asset_cache import AssetCache\n"),
        ("hub_plugin.packages.loading", "from ..downloads.fetch import fetch_manifest\n"),
        ("hub_plugin.cli.load", "from ..packages.loading import load_model\n"),
        ("hub_plugin.cli.load", "from .._version import __version__\n"),
        ("hub_plugin.cli.listing", "from ..core import console\n"),
        ("hub_plugin.api", "from .cli import main\n"),
        ("hub_plugin.packages.device", "def f():\n    import mindspore\n"),
        ("hub_plugin.zoo.loading", "def f():\n    import mindspore\n"),
    ],
)
def test_an_allowed_import_passes(module: str, source: str) -> None:
    assert violations(source, module) == []


# --- Start-up: nothing of the model side -------------------------------------------------------------

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
    return {target for _, target in imports(text, module, is_package, bases=True)}


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
        "class A:\n    from ..packages import device\n"
        "def f():\n    import mindspore\n"
    )
    found = module_level_imports(source, "hub_plugin.cli.planted")
    assert {"numpy", "onnxruntime", "hub_plugin.packages", "hub_plugin.packages.device"} <= found
    assert "mindspore" not in found and "PIL" not in found


# --- No import cycles ------------------------------------------------------------------------------------

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


#: Run in a fresh interpreter: import each module as the first one of hub_plugin (a package's
#: __init__ that imports a module that imports back into the package fails only when that module
#: comes first, and the graph above does not count the imports of packages' __init__).
IMPORT_EACH = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "hub_plugin" or m.startswith("hub_plugin.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] == "hub_plugin":
            failed.append(f"{name}: {error}")
    except ImportError as error:
        failed.append(f"{name}: {error}")
print("\\n".join(failed))
"""


def test_every_module_imports_first() -> None:
    names = sorted(name for name in KNOWN if not name.endswith("__main__"))
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, *names], capture_output=True,
                            text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_a_planted_cycle_is_caught() -> None:
    known = {"hub_plugin.registry.registry", "hub_plugin.hubs.lookup", "hub_plugin.hubs"}
    graph = {
        "hub_plugin.registry.registry": import_edges(
            "from ..hubs.lookup import HubCards\n", "hub_plugin.registry.registry", False, known),
        "hub_plugin.hubs.lookup": import_edges(
            "def f():\n    from ..registry.registry import Root\n", "hub_plugin.hubs.lookup", False,
            known | {"hub_plugin.registry.registry"}),
    }
    assert import_cycles(graph) == [["hub_plugin.hubs.lookup", "hub_plugin.registry.registry"]]
    graph["hub_plugin.hubs.lookup"] = import_edges(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..registry.registry import Root\n",
        "hub_plugin.hubs.lookup", False, known | {"hub_plugin.registry.registry"})
    assert import_cycles(graph) == []
