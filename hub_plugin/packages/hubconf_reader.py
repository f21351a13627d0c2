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
