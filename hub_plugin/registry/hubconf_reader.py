"""What a model package's ``hubconf.py`` offers, read from its source without running it.

``hub-plugin info`` shows each network entry and its docstring; reading the file with :mod:`ast`
keeps ``info`` free of MindSpore and of any code from the package (which may not be trusted yet).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

#: Functions of MindSpore Hub's convention and hub-plugin's hooks, which are not network entries.
CONVENTION_FUNCTIONS = frozenset({
    "create_network", "train", "evaluate", "predict", "load_pretrained", "add_arguments",
    "check_arguments", "calibration_images",
})


@dataclass(frozen=True)
class HubconfEntry:
    """A public function of a hubconf and the first paragraph of its docstring."""

    name: str
    summary: str
    doc: str


def read_entries(hubconf: Path) -> list[HubconfEntry]:
    """The public top-level functions of ``hubconf`` in source order; ``[]`` if unreadable."""
    try:
        tree = ast.parse(hubconf.read_text(encoding="utf-8"), filename=str(hubconf))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    entries = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            doc = ast.get_docstring(node) or ""
            summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
            entries.append(HubconfEntry(node.name, summary, doc))
    return entries
