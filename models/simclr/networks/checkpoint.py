"""Strict loading of SimCLR checkpoints, the official MindSpore ones included.

The hub publishes two checkpoints of MindSpore's official SimCLR (model zoo r1.8):

- the encoder checkpoint, saved from the pre-training ``TrainOneStepCell``: ``encoder.*``,
  ``dense1.*`` and ``end_point.*``, and possibly the Adam state (``moment1.*``, ``moment2.*``,
  ``beta1_power``, ``beta2_power``, ``learning_rate``, ``global_step``);
- the linear-classifier checkpoint: the Dense(2048, 10) layer as ``model.weight`` and
  ``model.bias``, possibly under the training wrapper's prefix
  (``train_net.netwithloss._backbone.model.weight``).

:func:`load_checkpoint` fills a network from one or more such files. It is strict: every parameter of
the network must be filled, with the right shape, by exactly one entry (found by its name, or else by
an entry whose name ends with ``.<name>``); an entry that fills nothing is an error unless it is
optimizer state or listed in the network's ``unused_checkpoint_parameters`` (the projection head,
for the encoder-only and classifier networks). On any mismatch nothing is loaded and
:class:`~.errors.CheckpointMismatch` lists every missing, unexpected, wrongly shaped and ambiguous
name. What was loaded and what was ignored is returned as a :class:`LoadReport`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mindspore
import numpy as np
from mindspore import nn
from numpy.typing import NDArray

from ..errors import CheckpointMismatch

OPTIMIZER_STATE: tuple[str, ...] = (
    "moment1.*",
    "moment2.*",
    "moments.*",
    "beta1_power",
    "beta2_power",
    "learning_rate",
    "global_step",
)
"""Checkpoint entries that hold optimizer state, never network weights: always ignored."""

CheckpointSource = str | Path | Mapping[str, object]


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_checkpoint` did.

    ``loaded`` maps each network parameter to the checkpoint entry that filled it; ``ignored``
    lists the entries that were skipped (optimizer state, unused heads); ``sources`` names the
    checkpoints read.
    """

    loaded: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for a person: how many parameters were loaded and what was ignored."""
        line = f"loaded {len(self.loaded)} parameters from {', '.join(self.sources)}"
        if self.ignored:
            line += f"; ignored {len(self.ignored)} entries ({_ignored_groups(self.ignored)})"
        return line


def read_checkpoint(source: CheckpointSource) -> dict[str, NDArray[Any]]:
    """The entries of a checkpoint file (or of a mapping of names to tensors) as NumPy arrays."""
    entries = source if isinstance(source, Mapping) else mindspore.load_checkpoint(str(source))
    return {name: _as_array(value) for name, value in entries.items()}


def load_checkpoint(
    network: nn.Cell,
    *sources: CheckpointSource,
    ignore: Iterable[str] = (),
) -> LoadReport:
    """Fill every parameter of ``network`` from the checkpoints ``sources``, strictly.

    Args:
        network: the network to fill, e.g. ``create_network("simclr_classifier")``.
        sources: checkpoint files (``.ckpt``) or mappings of names to tensors; the classifier
            needs the encoder checkpoint and the linear-classifier checkpoint together.
        ignore: further ``fnmatch`` patterns of entries to skip, besides :data:`OPTIMIZER_STATE`
            and the network's ``unused_checkpoint_parameters``.

    Raises :class:`~.errors.CheckpointMismatch` (and loads nothing) when the checkpoints do not
    fit. Returns a :class:`LoadReport`.
    """
    if not sources:
        raise ValueError("load_checkpoint needs at least one checkpoint")
    names = [_describe(source) for source in sources]
    entries: dict[str, NDArray[Any]] = {}
    duplicated: list[str] = []
    for source in sources:
        for key, value in read_checkpoint(source).items():
            if key in entries:
                duplicated.append(key)
            entries[key] = value
    patterns = (*OPTIMIZER_STATE, *getattr(network, "unused_checkpoint_parameters", ()), *ignore)
    ignored = sorted(key for key in entries if _matches(key, patterns))
    candidates = {key: value for key, value in entries.items() if key not in set(ignored)}

    parameters = {parameter.name: parameter for parameter in network.get_parameters()}
    plan: dict[str, str] = {}
    missing: list[str] = []
    ambiguous: list[tuple[str, list[str]]] = [(key, [key, key]) for key in duplicated]
    for name in parameters:
        if name in candidates:
            plan[name] = name
            continue
        suffixed = [key for key in candidates if key.endswith("." + name)]
        if len(suffixed) == 1:
            plan[name] = suffixed[0]
        elif suffixed:
            ambiguous.append((name, suffixed))
        else:
            missing.append(name)
    used = set(plan.values())
    unexpected = sorted(key for key in candidates if key not in used)
    wrong_shape = [
        (name, tuple(parameters[name].shape), tuple(candidates[key].shape))
        for name, key in plan.items()
        if tuple(parameters[name].shape) != tuple(candidates[key].shape)
    ]
    if missing or unexpected or wrong_shape or ambiguous:
        raise CheckpointMismatch(
            missing=missing,
            unexpected=unexpected,
            wrong_shape=wrong_shape,
            ambiguous=ambiguous,
            sources=names,
        )
    for name, key in plan.items():
        parameter = parameters[name]
        # Tensor(..., dtype=) casts; mindspore.dtype_to_nptype is deprecated since MindSpore 2.7.
        parameter.set_data(mindspore.Tensor(candidates[key], dtype=parameter.dtype))
    return LoadReport(loaded=plan, ignored=tuple(ignored), sources=tuple(names))


def _as_array(value: object) -> NDArray[Any]:
    if isinstance(value, mindspore.Tensor):
        value = value.asnumpy()
    array: NDArray[Any] = np.asarray(value)
    return array


def _describe(source: CheckpointSource) -> str:
    return "<mapping>" if isinstance(source, Mapping) else str(source)


def _matches(key: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)


def _ignored_groups(keys: Iterable[str]) -> str:
    """``moment1.* (269), beta1_power, ...``: ignored entries grouped by their first component."""
    groups: dict[str, int] = {}
    for key in keys:
        head = key.split(".", 1)[0]
        groups[head] = groups.get(head, 0) + 1
    return ", ".join(f"{head}.* ({count})" if count > 1 else head for head, count in groups.items())


__all__ = ["OPTIMIZER_STATE", "LoadReport", "load_checkpoint", "read_checkpoint"]
