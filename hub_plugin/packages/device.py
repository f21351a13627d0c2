"""Choosing the device a model runs on: ``cpu``, ``gpu`` or ``ascend``, as MindSpore's targets.

The command line and the model packages name devices in lower case; MindSpore calls them ``CPU``,
``GPU`` and ``Ascend``. :func:`use_device` checks that the device is present before selecting it, so
a missing GPU or Ascend is one clear :class:`DeviceUnavailable` error that says what was found,
not a failure deep inside the first operation. The same code path serves every device; only the
target differs.

MindSpore is imported inside the functions, never when this module is imported.
"""

from __future__ import annotations

import logging
import os

from ..errors import (  # moved to errors.py (issue 26); importable here too
    DeviceUnavailable as DeviceUnavailable,
)
from ..errors import UsageError

DEVICES: dict[str, str] = {"cpu": "CPU", "gpu": "GPU", "ascend": "Ascend"}
"""Device names as the command line writes them, and MindSpore's target for each."""


def target_of(name: str) -> str:
    """MindSpore's target for a device name (``gpu`` -> ``GPU``); any case is accepted."""
    try:
        return DEVICES[name.lower()]
    except KeyError:
        raise UsageError(
            f"unknown device {name!r}", hint=f"choose one of {', '.join(DEVICES)}"
        ) from None


def is_available(name: str) -> bool:
    """Whether MindSpore can run on the device ``name`` here (``cpu`` always can)."""
    target = target_of(name)
    if target == "CPU":
        return True
    import mindspore

    logger = _mindspore_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)  # the probe warns at length about every missing library
    try:
        return bool(mindspore.hal.is_available(target))
    except Exception:  # a broken plugin is as good as none
        return False
    finally:
        logger.setLevel(level)


def _mindspore_logger() -> logging.Logger:
    """MindSpore's own logger (a per-process one under ``mindspore``), to quiet its device probe."""
    try:
        from mindspore import log as mindspore_log

        found: logging.Logger = mindspore_log._get_logger()
        return found
    except (ImportError, AttributeError):
        return logging.getLogger("mindspore")


def available_devices() -> list[str]:
    """The device names MindSpore can use here, ``cpu`` first."""
    return [name for name in DEVICES if is_available(name)]


def use_device(name: str, device_id: int | None = None) -> str:
    """Select the device ``name`` for MindSpore and return its target (``CPU``, ``GPU``, ``Ascend``).

    ``device_id`` picks one card among several; by default the ``DEVICE_ID`` that MindSpore's
    ``msrun`` launcher gives each worker, else 0. Raises :class:`DeviceUnavailable` when the device
    is not present and :class:`~hub_plugin.errors.UsageError` for an unknown name.
    """
    target = target_of(name)
    if not is_available(name):
        raise DeviceUnavailable(name.lower(), available_devices())
    import mindspore

    if target == "CPU":
        mindspore.set_device("CPU")
    else:
        if device_id is None:
            device_id = int(os.environ.get("DEVICE_ID", "0"))
        mindspore.set_device(target, device_id)
    return target


__all__ = ["DEVICES", "DeviceUnavailable", "available_devices", "is_available", "target_of", "use_device"]
