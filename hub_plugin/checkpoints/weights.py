"""Checkpoints against a network's parameters, without MindSpore (``validate --check-weights``,
issue 29 item 3).

A network's parameters are :class:`Parameter` s (name, shape, MindSpore dtype name as a checkpoint
writes it: ``Float32``...). A model package may declare them per card in ``package.yaml``
(``parameters: parameters/{card}.json``, the ``{card}`` replaced by the card's file stem); each file
is a small JSON object (:func:`read_parameter_list`)::

    {"network": "simclr_classifier", "arguments": {"backbone": "resnet50", ...},
     "parameters": [{"name": "encoder.conv1.weight", "shape": [64, 3, 3, 3], "dtype": "Float32"}, ...]}

:func:`compare_weights` judges checkpoint tensors (read by :mod:`.reader`) against such a list as
``load``'s strict fill does (:func:`hub_plugin.packages.loading._load_by_name`): every parameter
must be filled by the entry of its name (else *missing*, an error) with its shape (else *wrong
shape*, an error); entries that fill nothing are *extra* (ignored by ``load``: a warning); a dtype
that differs is cast by ``load`` (a warning). :func:`unfilled_message` is the one wording of the
missing parameters, for ``load`` and ``validate`` alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterListError
from .reader import Tensor

#: The rule ids of ``validate --check-weights`` (described in :mod:`hub_plugin.cards.rules`).
MISSING, SHAPE, EXTRA, DTYPE, UNCHECKED = (
    "weights/missing", "weights/shape", "weights/extra", "weights/dtype", "weights/unchecked")
#: ``package.yaml``'s key naming a package's parameter lists, and the placeholder of the card.
PARAMETERS_KEY = "parameters"
CARD_PLACEHOLDER = "{card}"
#: How many names a message lists before "and N more" (as ``load`` says it).
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a network: its name, shape and MindSpore dtype name (``Float32``)."""

    name: str
    shape: tuple[int, ...]
    dtype: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}


@dataclass(frozen=True)
class ParameterList:
    """A package's declared parameters of one card: the network, its arguments, its parameters."""

    network: str
    arguments: Mapping[str, Any]
    parameters: tuple[Parameter, ...]

    def to_json(self) -> dict[str, Any]:
        return {"network": self.network, "arguments": dict(self.arguments),
                "parameters": [p.to_json() for p in self.parameters]}


@dataclass(frozen=True)
class WeightsMatch:
    """What filling the parameters from the tensors would do, as ``load``'s strict fill judges it."""

    missing: tuple[str, ...] = ()
    wrong_shape: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = ()  # name, network, file
    extra: tuple[str, ...] = ()
    wrong_dtype: tuple[tuple[str, str, str], ...] = ()  # name, network, file

    @property
    def fills(self) -> bool:
        """Whether the strict fill succeeds (extra entries and dtypes only warn)."""
        return not self.missing and not self.wrong_shape


def shown_names(names: Sequence[str]) -> str:
    """The first :data:`SHOWN` names and how many more: ``a, b, c, d, e and 7 more``."""
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def unfilled_message(missing: Sequence[str]) -> str:
    """``load``'s words for parameters no checkpoint entry fills."""
    return f"the checkpoints do not fill {len(missing)} parameters: {shown_names(missing)}"


#: Checkpoint entries that hold an optimizer's state, never a network's weights (MindSpore's Adam,
#: Momentum and schedules save these beside the parameters).
OPTIMIZER_STATE = ("moment1.", "moment2.", "moments.", "beta1_power", "beta2_power", "learning_rate",
                   "global_step")


def compare_weights(parameters: Iterable[Parameter], tensors: Iterable[Tensor], *,
                    own_fill: bool = False) -> WeightsMatch:
    """Judge checkpoint ``tensors`` (of one or more files, later ones winning as ``load`` merges
    them) against a network's ``parameters``, by name, as ``load``'s strict fill does.

    ``own_fill``: the package fills its network itself (its hubconf's ``load_pretrained`` hook, as
    SimCLR's does for MindSpore's official checkpoints): then, as such fills do, a parameter may
    also be filled by the one entry whose name ends with ``.<name>`` (saved under a training
    wrapper's prefix: ``train_net.netwithloss._backbone.model.weight``), and optimizer state is
    neither a missing nor an extra entry. The package's own fill stays the authority at ``load``."""
    entries = {tensor.name: tensor for tensor in tensors}
    wanted = list(parameters)
    used: set[str] = set()
    missing, shape, dtype = [], [], []
    for parameter in wanted:
        entry = entries.get(parameter.name)
        if entry is None and own_fill:
            suffixed = [name for name in entries if name.endswith("." + parameter.name)
                        and not name.startswith(OPTIMIZER_STATE)]
            entry = entries[suffixed[0]] if len(suffixed) == 1 else None
        if entry is None:
            missing.append(parameter.name)
            continue
        used.add(entry.name)
        if entry.shape != parameter.shape:
            shape.append((parameter.name, parameter.shape, entry.shape))
        elif entry.dtype != parameter.dtype:
            dtype.append((parameter.name, parameter.dtype, entry.dtype))
    extra = tuple(sorted(name for name in entries if name not in used and not (
        own_fill and name.startswith(OPTIMIZER_STATE))))
    return WeightsMatch(tuple(missing), tuple(shape), extra, tuple(dtype))


def match_messages(match: WeightsMatch) -> list[tuple[str, str]]:
    """``(rule, message)`` for each kind of mismatch, in the order missing, shape, extra, dtype."""
    found = []
    if match.missing:
        found.append((MISSING, unfilled_message(match.missing)))
    if match.wrong_shape:
        shown = [f"{name} (network {_shape(mine)}, checkpoint {_shape(theirs)})"
                 for name, mine, theirs in match.wrong_shape]
        found.append((SHAPE, f"{len(shown)} parameters have another shape in the checkpoints: "
                             f"{shown_names(shown)}"))
    if match.extra:
        found.append((EXTRA, f"{len(match.extra)} checkpoint entries fill no parameter (load "
                             f"ignores them): {shown_names(match.extra)}"))
    if match.wrong_dtype:
        shown = [f"{name} (network {mine}, checkpoint {theirs})" for name, mine, theirs in match.wrong_dtype]
        found.append((DTYPE, f"{len(shown)} parameters have another dtype in the checkpoints (load "
                             f"casts them): {shown_names(shown)}"))
    return found


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def parameter_list_path(package_path: Path, pattern: str, card: str) -> Path:
    """The parameter list file of ``card`` by ``package.yaml``'s ``parameters`` pattern."""
    return package_path / pattern.replace(CARD_PLACEHOLDER, card)


def read_parameter_list(path: Path) -> ParameterList:
    """The :class:`ParameterList` in the JSON file ``path``, or :class:`ParameterListError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ParameterListError(
            f"cannot read the parameter list {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParameterListError(f"the parameter list {path} is not JSON: {error}") from None
    try:
        network, arguments, items = data["network"], data.get("arguments", {}), data["parameters"]
        if not isinstance(network, str) or not isinstance(arguments, dict) or not isinstance(items, list):
            raise TypeError
        parameters = []
        for item in items:
            name, shape, dtype = item["name"], item["shape"], item["dtype"]
            if not (isinstance(name, str) and isinstance(dtype, str) and isinstance(shape, list)
                    and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
                raise TypeError
            parameters.append(Parameter(name, tuple(shape), dtype))
    except (KeyError, TypeError):
        raise ParameterListError(
            f"the parameter list {path} is not an object with 'network', 'arguments' and "
            f"'parameters' (each with a name, a shape of sizes and a dtype)") from None
    return ParameterList(network, arguments, tuple(parameters))


def parameter_list_text(parameters: ParameterList) -> str:
    """The JSON text of a parameter list, one parameter a line (readable in a diff)."""
    head = json.dumps({"network": parameters.network, "arguments": dict(parameters.arguments)},
                      sort_keys=True)
    lines = ",\n".join("    " + json.dumps(p.to_json()) for p in parameters.parameters)
    return head[:-1] + ', "parameters": [\n' + lines + "\n]}\n"


__all__ = [
    "DTYPE", "EXTRA", "MISSING", "SHAPE", "UNCHECKED", "Parameter", "ParameterList", "WeightsMatch",
    "compare_weights", "match_messages", "parameter_list_path", "parameter_list_text",
    "read_parameter_list", "shown_names", "unfilled_message",
]
