"""``python -m hub_plugin``: the same as the ``hub-plugin`` command."""

import sys

from .cli import main

sys.exit(main())
