"""MindSpore's own log level, set before MindSpore is imported.

MindSpore logs through glog (C++) and its Python logger, both configured once, at import, from the
environment variable ``GLOG_v`` (0 debug, 1 info, 2 warning, 3 error; MindSpore's default is 2).
Left at its default, ``eval`` and ``predict`` print a hundred ``[WARNING] ME(...)`` lines about
MindSpore's own internals, the loudest thing the tool prints. :func:`quiet_mindspore_logs` sets
``GLOG_v=3`` (errors only) unless the person asked for the logs: ``--verbose``, or their own
``GLOG_v``, which is never overridden. It must run before the first ``import mindspore`` (the CLI
calls it before any command runs, the API before it builds a network); afterwards it changes nothing.
The variable is inherited by ``msrun``'s workers, so data-parallel runs are quiet too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

#: The variable MindSpore reads its log level from, and the level set: errors only.
LEVEL_VARIABLE = "GLOG_v"
QUIET_LEVEL = "3"
_set_here: list[bool] = []  # one True once this process set the variable itself


def set_by_hub_plugin() -> bool:
    """Whether ``GLOG_v`` was set by :func:`quiet_mindspore_logs` in this process (not by the person)."""
    return bool(_set_here)


def quiet_mindspore_logs(
    *, verbose: bool = False, environ: MutableMapping[str, str] | None = None
) -> bool:
    """Set ``GLOG_v=3`` unless ``verbose``, the variable is already set, or MindSpore is already
    imported (too late to matter). Returns whether it set the variable."""
    env = os.environ if environ is None else environ
    if verbose or LEVEL_VARIABLE in env or "mindspore" in sys.modules:
        return False
    env[LEVEL_VARIABLE] = QUIET_LEVEL
    if environ is None:
        _set_here.append(True)
    return True
