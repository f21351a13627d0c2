"""The model-package contract, declared once: the hooks a ``hubconf.py`` may define, and what is a
network.

A model package's ``hubconf.py`` follows MindSpore Hub's convention (one ``create_network(name,
*args, **kwargs)`` building the network ``name``) and may define hub-plugin's optional hooks. Each
hook is declared here once, with its signature and its role, in the style of pluggy's hook
specifications (https://pluggy.readthedocs.io/en/stable/#specifications); every part of hub-plugin
that calls a hook (loading, the task commands, INT8 calibration, serving hub cards) names it by the
constant below, and every part that lists what a package offers (``info``, ``validate``'s package
checks) sorts hooks from networks by :func:`is_network_name`.

**What is a network.** The names in the hubconf's ``NETWORKS`` table (``NETWORKS = {"simclr":
simclr, ...}``, the table ``create_network`` builds from) when it defines one; otherwise each public
top-level function. Never a hook, never a private name (``_helper``). The table is what tells a
network from the hubconf's own helpers (the mindcv package's ``library_name``, ``class_count`` and
``input_size`` serve its ``serve_hub_card``; they build nothing).

Reading this module imports nothing (no MindSpore, no package code): ``info`` and ``list`` use it on
the light install.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Hook:
    """One function a hubconf may define for hub-plugin to call: its signature and role."""

    name: str
    signature: str
    role: str
    required: bool = False


CREATE_NETWORK = "create_network"
LOAD_PRETRAINED = "load_pretrained"
TRAIN = "train"
EVALUATE = "evaluate"
PREDICT = "predict"
ADD_ARGUMENTS = "add_arguments"
CHECK_ARGUMENTS = "check_arguments"
CALIBRATION_IMAGES = "calibration_images"
SERVE_HUB_CARD = "serve_hub_card"
CARD_TASK_OPTIONS = "card_task_options"

NETWORK_TABLE = "NETWORKS"
"""The hubconf's table of the networks ``create_network`` builds, by name (optional)."""

HOOKS: Mapping[str, Hook] = MappingProxyType({hook.name: hook for hook in (
    Hook(CREATE_NETWORK, "create_network(name, *args, **kwargs) -> network",
         "builds the network `name` (MindSpore Hub's convention)", required=True),
    Hook(LOAD_PRETRAINED, "load_pretrained(network, checkpoints) -> report",
         "fills the network from the card's checkpoints (default: strictly by parameter name)"),
    Hook(TRAIN, "train(config=None, /, **overrides) -> result", "`hub-plugin train NAME`"),
    Hook(EVALUATE, "evaluate(config=None, /, **overrides) -> result", "`hub-plugin eval NAME`"),
    Hook(PREDICT, "predict(config=None, /, **overrides) -> result", "`hub-plugin predict NAME`"),
    Hook(ADD_ARGUMENTS, "add_arguments(task, parser) -> None",
         "declares the options of a task (train, evaluate, predict)"),
    Hook(CHECK_ARGUMENTS, "check_arguments(task, overrides) -> None",
         "refuses options that cannot work before any worker starts"),
    Hook(CALIBRATION_IMAGES, "calibration_images(role, *, folder=None, count, skip=0) -> images",
         "the images an INT8 export calibrates and checks on"),
    Hook(SERVE_HUB_CARD, "serve_hub_card(network, card) -> {arguments, input-shape}",
         "what to build for a hub card the package serves"),
    Hook(CARD_TASK_OPTIONS, "card_task_options(task, network, arguments, checkpoints) -> options",
         "a task's options for a card that names the package in its network field "
         "(`hub-plugin predict UID`)"),
)})
"""Every hook, by name."""

TASKS: Mapping[str, str] = MappingProxyType({"train": TRAIN, "eval": EVALUATE, "predict": PREDICT})
"""The task commands and the hook each one calls."""

ENTRY_POINTS = (CREATE_NETWORK, LOAD_PRETRAINED, TRAIN, EVALUATE, PREDICT)
"""The hooks named when a package lacks the one asked for (what it offers)."""


def is_hook(name: str) -> bool:
    """Whether ``name`` is one of the contract's hooks."""
    return name in HOOKS


def is_network_name(name: str) -> bool:
    """Whether a public top-level callable called ``name`` may be a network: not a hook, not
    private. (With a ``NETWORKS`` table, only its names are networks: see the module docstring.)"""
    return bool(name) and not name.startswith("_") and name not in HOOKS


__all__ = [
    "ADD_ARGUMENTS", "CALIBRATION_IMAGES", "CARD_TASK_OPTIONS", "CHECK_ARGUMENTS", "CREATE_NETWORK",
    "ENTRY_POINTS",
    "EVALUATE", "HOOKS", "LOAD_PRETRAINED", "NETWORK_TABLE", "PREDICT", "SERVE_HUB_CARD", "TASKS",
    "TRAIN", "Hook", "is_hook", "is_network_name",
]
