"""Shared set-up for the SimCLR model package's tests.

Imports ``models/simclr`` the way hub-plugin does, as ``hub_plugin_models.simclr``, so the tests
import its modules by that name, and sets MindSpore to run on the CPU, in PyNative mode, once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from hub_plugin.packages.hubconf_import import import_package

REPOSITORY = Path(__file__).resolve().parents[3]
PACKAGE = REPOSITORY / "models" / "simclr"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The tests in the sub-folders share this folder's helpers (tiny_cifar, nt_xent_reference).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import_package(PACKAGE)

import mindspore  # noqa: E402

mindspore.set_device("CPU")
mindspore.set_context(mode=mindspore.PYNATIVE_MODE)


@pytest.fixture(scope="session")
def official_parameters() -> dict[str, Any]:
    """The official network's parameter names and shapes (``simclr``, ``linear_classifier``)."""
    with open(FIXTURES / "simclr-official-parameters.json", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
