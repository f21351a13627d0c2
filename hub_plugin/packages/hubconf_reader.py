"""What a model package's ``hubconf.py`` offers, read from its source without running it.

``hub-plugin info`` shows each network and its docstring, and the hooks apart; ``validate`` checks
that a ``package.yaml`` names networks the hubconf has. Which names are networks and which are hooks
is the contract's rule (:mod:`hub_plugin.packages.contract`), applied here to the source read with
:mod:`ast`, which keeps ``info`` free of MindSpore and of any code from the package (which may not
be trusted yet).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .contract import NETWORK_TABLE, is_hook, is_network_name


@dataclass(frozen=True)
class HubconfEntry:
    """A public function of a hubconf and the first paragraph of its docstring."""

    name: str
    summary: str
    doc: str


@dataclass(frozen=True)
class HubconfOffer:
    """What a hubconf offers: its networks and the contract's hooks it defines, in source order."""

    networks: tuple[HubconfEntry, ...]
    hooks: tuple[HubconfEntry, ...]


def _parse(hubconf: Path) -> ast.Module | None:
    try:
        return ast.parse(hubconf.read_text(encoding="utf-8"), filename=str(hubconf))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
        return None


def _entry(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, name: str) -> HubconfEntry:
    doc = ast.get_docstring(node) or ""
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    return HubconfEntry(name, summary, doc)


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def _network_table(tree: ast.Module) -> ast.Dict | None:
    """The ``NETWORKS = {...}`` dict literal at the hubconf's top level (the last one), if any."""
    table = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == NETWORK_TABLE for t in node.targets):
            value: ast.expr | None = node.value
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and node.target.id == NETWORK_TABLE):
            value = node.value
        else:
            continue
        table = value if isinstance(value, ast.Dict) else None
    return table


def read_offer(hubconf: Path) -> HubconfOffer:
    """The networks and hooks of ``hubconf`` by the contract's rule (see
    :mod:`~hub_plugin.packages.contract`); nothing when the file cannot be read or parsed."""
    tree = _parse(hubconf)
    if tree is None:
        return HubconfOffer((), ())
    functions = {node.name: node for node in _functions(tree)}
    hooks = tuple(_entry(node, name) for name, node in functions.items() if is_hook(name))
    table = _network_table(tree)
    if table is None:
        networks = tuple(_entry(node, name) for name, node in functions.items()
                         if is_network_name(name))
        return HubconfOffer(networks, hooks)
    named = []
    for key, value in zip(table.keys, table.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        if not is_network_name(key.value):
            continue
        target = functions.get(value.id) if isinstance(value, ast.Name) else None
        named.append(_entry(target, key.value) if target is not None
                     else HubconfEntry(key.value, "", ""))
    return HubconfOffer(tuple(named), hooks)


def read_networks(hubconf: Path) -> list[HubconfEntry]:
    """The networks of ``hubconf`` (see :func:`read_offer`)."""
    return list(read_offer(hubconf).networks)


def network_defaults(hubconf: Path, network: str) -> dict[str, object]:
    """The keyword defaults of the function that builds ``network`` in ``hubconf`` (by the
    contract's rule: its ``NETWORKS`` entry, else the function of that name), those written as
    literals only; ``{}`` when it cannot be read. What ``create_network(network)`` is called with
    when a card gives no arguments (``validate --check-weights`` matches parameter lists by it)."""
    tree = _parse(hubconf)
    if tree is None:
        return {}
    functions = {node.name: node for node in _functions(tree)}
    name = network
    table = _network_table(tree)
    if table is not None:
        name = ""
        for key, value in zip(table.keys, table.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == network and isinstance(value, ast.Name):
                name = value.id
    node = functions.get(name)
    if node is None:
        return {}
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = [*zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults, strict=True),
             *((a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
               if d is not None)]
    defaults: dict[str, object] = {}
    for argument, default in pairs:
        try:
            defaults[argument.arg] = ast.literal_eval(default)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
    return defaults
