"""Generate a model package's parameter lists (``package.yaml``'s ``parameters``) from its networks.

Usage: ``python bench/parameter_lists.py [PACKAGE_FOLDER]`` (default ``models/simclr``); needs
MindSpore. Each card's network is built as ``hub-plugin load CARD --no-pretrained`` builds it, and its
``parameters_and_names()`` are written (name, shape, dtype), one JSON file per card
(:func:`hub_plugin.packages.weights_check.write_parameter_lists`). tests/packages/test_weights_check.py
keeps the committed lists equal to the networks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hub_plugin.core.settings import current_settings
from hub_plugin.packages.weights_check import write_parameter_lists


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else Path(__file__).resolve().parents[1] / "models" / "simclr")
    settings = current_settings().with_options(trust=True)
    for path in write_parameter_lists(folder, settings=settings):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
