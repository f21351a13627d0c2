"""The typed errors of hub-plugin.

Every error carries what a person needs to act: the file and position, the name that was asked for
and the candidates, the expected and actual digest, the command to retry. The CLI turns each into one
line on stderr and a non-zero exit; the Python API raises them.
"""

from __future__ import annotations

from collections.abc import Sequence


class HubPluginError(Exception):
    """Base class of every error hub-plugin raises on purpose.

    ``exit_code`` is what the CLI exits with when this error reaches it.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(HubPluginError):
    """The command line or call was malformed: a bad option, an unreadable path."""

    exit_code = 2


class CardError(HubPluginError):
    """A model card could not be read into a manifest.

    ``defects`` holds every problem found in the file (see :class:`hub_plugin.report.Defect`).
    """

    def __init__(self, path: str, defects: Sequence[object]) -> None:
        self.path = path
        self.defects = tuple(defects)
        first = str(defects[0]) if defects else f"{path}: invalid card"
        more = f" (and {len(defects) - 1} more)" if len(defects) > 1 else ""
        super().__init__(first + more)


class ModelNotFound(HubPluginError):
    """No card or model package answers to the name; ``suggestions`` lists close matches."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"did you mean: {', '.join(self.suggestions)}?" if self.suggestions else (
            "run 'hub-plugin list' to see the known models"
        )
        super().__init__(f"no model named {name!r}", hint=hint)


class AmbiguousName(HubPluginError):
    """Several cards answer to the name; ``candidates`` lists their full addresses."""

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        self.name = name
        self.candidates = tuple(candidates)
        super().__init__(
            f"{name!r} is ambiguous: it names {', '.join(self.candidates)}",
            hint="use one of these names",
        )


class RegistryError(HubPluginError):
    """A registry is misconfigured: a missing folder, two plugins with one name."""

    exit_code = 2


__all__ = [
    "AmbiguousName",
    "CardError",
    "HubPluginError",
    "ModelNotFound",
    "RegistryError",
    "UsageError",
]
