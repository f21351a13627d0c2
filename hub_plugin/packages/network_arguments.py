"""Checking ``--arg`` (``create_network``'s keyword arguments) against the network's signature,
before anything is downloaded (issue 28 item 4).

The function checked is the network's own when the hubconf has a ``NETWORKS`` table naming it
(the MindSpore Hub convention this project's packages follow: ``create_network(name, **kwargs)``
hands the keywords to ``NETWORKS[name]``), else ``create_network`` itself (its first parameter,
the network's name, left out). A name the function does not take is one line listing those it
does; a value whose type is not the one the parameter declares (its annotation, else its
default's type) is one line naming the type. A function taking ``**kwargs`` accepts any name;
an annotation this check does not read (a class, a generic) accepts any value: the network then
says what it thinks. Nothing here imports MindSpore.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import NetworkArgumentError

#: The annotations read, as written in source (``from __future__ import annotations`` keeps them
#: as text), and the Python types each accepts.
_SIMPLE: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (float, int), "str": (str,), "bool": (bool,),
    "list": (list,), "tuple": (tuple, list), "dict": (dict,),
}


def network_function(hubconf: Any, network: str) -> tuple[Callable[..., Any], bool]:
    """The function whose signature the arguments of ``network`` must fit, and whether it is
    ``create_network`` itself (whose first parameter is the network's name)."""
    table = getattr(hubconf, "NETWORKS", None)
    if isinstance(table, Mapping) and callable(table.get(network)):
        return table[network], False
    return hubconf.create_network, True


def _accepted_types(annotation: object, default: object) -> tuple[type, ...] | None:
    """The types a parameter accepts, or ``None`` when this check cannot tell."""
    if annotation is inspect.Parameter.empty:
        kind = type(default).__name__ if default not in (inspect.Parameter.empty, None) else ""
        return _SIMPLE.get(kind)
    if isinstance(annotation, type):
        annotation = annotation.__name__
    if isinstance(annotation, str) and annotation.strip():
        parts = [part.strip() for part in annotation.replace("Optional[", "").rstrip("]").split("|")]
        types: list[type] = []
        for part in parts:
            if part == "None":
                types.append(type(None))
            elif part in _SIMPLE:
                types.extend(_SIMPLE[part])
            else:
                return None
        return tuple(types)
    return None


def _type_name(types: tuple[type, ...]) -> str:
    names = [t.__name__ for t in types]
    if "float" in names and "int" in names:
        names.remove("int")
    if "tuple" in names and "list" in names:
        names.remove("list")
    return " or ".join("None" if name == "NoneType" else name for name in names)


def check_network_arguments(
    hubconf: Any, network: str, arguments: Mapping[str, object], *, package: str
) -> None:
    """Raise :class:`NetworkArgumentError` when ``arguments`` do not fit the network ``network``
    of ``hubconf`` (see the module docstring); the hint says what is accepted."""
    if not arguments:
        return
    function, is_entry = network_function(hubconf, network)
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # a builtin or an odd callable: nothing to read
        return
    if is_entry and parameters:
        parameters = parameters[1:]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    named = {p.name: p for p in parameters
             if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
    accepted = ", ".join(named) or "none"
    for key, value in arguments.items():
        parameter = named.get(key)
        if parameter is None:
            if takes_any:
                continue
            raise NetworkArgumentError(
                f"the network {network!r} of the model package {package!r} takes no argument "
                f"{key!r}", hint=f"it accepts: {accepted}")
        types = _accepted_types(parameter.annotation, parameter.default)
        if types is None or (isinstance(value, types) and not (
                isinstance(value, bool) and bool not in types)):
            continue
        raise NetworkArgumentError(
            f"--arg {key}={value!r}: the network {network!r} of the model package {package!r} "
            f"wants {_type_name(types)} for {key!r}, got {type(value).__name__}",
            hint=f"e.g. --arg {key}={_example(types, parameter.default)}")


def _example(types: tuple[type, ...], default: object) -> str:
    if default not in (inspect.Parameter.empty, None):
        return str(default).lower() if isinstance(default, bool) else str(default)
    first = types[0]
    return {int: "1", float: "0.5", bool: "true", str: "NAME"}.get(first, "VALUE")


__all__ = ["check_network_arguments", "network_function"]
