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



# --- The assets layer (hub_plugin.assets) ------------------------------------------------------

_EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _byte_count(count: int) -> str:
    return f"{count} byte" if count == 1 else f"{count} bytes"


class IntegrityError(HubPluginError):
    """Downloaded bytes do not have the sha256 the card names; they were deleted, never served.

    Carries ``url``, ``expected`` (the card's digest or prefix), ``actual`` (the full digest of what
    arrived), ``received`` (bytes) and ``announced`` (the length the server gave, or ``None``), and
    ``retry_command``. When nothing arrived the message says so plainly instead of quoting the
    digest of zero bytes.
    """

    def __init__(
        self,
        url: str,
        *,
        expected: str,
        actual: str,
        received: int,
        announced: int | None = None,
        retry_command: str | None = None,
    ) -> None:
        self.url = url
        self.expected = expected
        self.actual = actual
        self.received = received
        self.announced = announced
        self.retry_command = retry_command
        if received == 0 or actual == _EMPTY_SHA256:
            message = f"{url}: nothing arrived (0 bytes), expected sha256 {expected}"
        else:
            of = f" of {announced} announced" if announced is not None else ""
            message = (
                f"{url}: sha256 mismatch: expected {expected}, got {actual} "
                f"({_byte_count(received)} received{of})"
            )
        hint = "the bad bytes were deleted; the cache is unchanged"
        if retry_command:
            hint += f"; retry with: {retry_command}"
        super().__init__(message, hint=hint)


class DownloadError(HubPluginError):
    """A transfer failed for good: an HTTP error that is not retried, or every try used up.

    ``url`` is the link tried last, ``status`` the last HTTP status (``None`` for a network
    failure), ``tries`` how many requests were made.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        tries: int = 1,
        hint: str | None = None,
    ) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.tries = tries
        after = f" after {tries} tries" if tries > 1 else ""
        super().__init__(f"{url}: {reason}{after}", hint=hint)


class LinkRefused(HubPluginError):
    """An asset link that will not be followed: plain ``http://`` to a remote host without
    ``--allow-http``, an unknown scheme, a malformed ``HUB_PLUGIN_MIRROR``."""

    exit_code = 2


class OfflineError(HubPluginError):
    """Offline mode is on and the asset is not in the cache (nothing was sent to the network)."""

    def __init__(self, url: str, expected: str, *, card: str | None = None) -> None:
        self.url = url
        self.expected = expected
        self.card = card
        what = f"the asset of {card!r}" if card else "the asset"
        super().__init__(
            f"offline: {what} ({url}, sha256 {expected[:12]}...) is not in the cache",
            hint="download it once while online, or unset HUB_PLUGIN_OFFLINE / drop --offline",
        )


class CacheError(HubPluginError):
    """The asset cache cannot be used: an unwritable folder, a file system without locks."""


# --- YAML reading (hub_plugin.core.yamlio) -----------------------------------------------------


class YamlError(HubPluginError, ValueError):
    """A YAML file (a zoo config, a ``package.yaml``, a saved run config) could not be read safely:
    unreadable, not UTF-8, invalid YAML, or refused by the reader's limits (size, nesting depth,
    aliases, tags). One line: ``path:line:column: rule: message``; ``rule`` and the position are
    kept as attributes."""

    def __init__(self, path: str, line: int | None, column: int | None, rule: str,
                 message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.rule = rule
        at = path if line is None else f"{path}:{line}:{column or 1}"
        super().__init__(f"{at}: {rule}: {message}")


__all__ = [
    "AmbiguousName",
    "CacheError",
    "CardError",
    "DownloadError",
    "HubPluginError",
    "IntegrityError",
    "LinkRefused",
    "ModelNotFound",
    "OfflineError",
    "RegistryError",
    "UsageError",
    "YamlError",
]
