"""The typed errors of hub-plugin.

Every error carries what a person needs to act: the file and position, the name that was asked for
and the candidates, the expected and actual digest, the command to retry. The CLI turns each into one
line on stderr and a non-zero exit; the Python API raises them.

Every error class of the package lives here (issue 26: one home for each concern), grouped by the
feature that raises it. Where a built-in type says the same thing, the error derives from it too, so
plain ``except`` clauses work as they do for huggingface_hub's errors: a name that answers to
nothing is a :class:`LookupError`, a malformed option or link a :class:`ValueError`, a network
failure a :class:`ConnectionError`, a cache or store that cannot be used an :class:`OSError`, a
missing optional package an :class:`ImportError`. :class:`HubPluginError` keeps ``str(error)`` and
``args`` as one message, whatever the built-in base.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what ExportMismatch and QuantizationMismatch read; no class made at run time
    from typing import Protocol

    class RoundTripFigures(Protocol):
        """What :class:`ExportMismatch` reads of an export's round trip
        (:class:`hub_plugin.exports.results.RoundTrip`); errors import no feature."""

        @property
        def runtime(self) -> str: ...
        @property
        def input_shape(self) -> tuple[int, ...]: ...
        @property
        def max_abs(self) -> float: ...
        @property
        def max_rel(self) -> float: ...
        @property
        def tolerance(self) -> float: ...

    class QuantizationFigures(Protocol):
        """What :class:`QuantizationMismatch` reads of an INT8 check
        (:class:`hub_plugin.exports.results.QuantizationCheck`)."""

        @property
        def agreement(self) -> float: ...
        @property
        def check_size(self) -> int: ...
        @property
        def min_agreement(self) -> float: ...
        @property
        def max_logit_difference(self) -> float: ...
        @property
        def calibration_size(self) -> int: ...


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


# --- Usage ----------------------------------------------------------------------------------------


class UsageError(HubPluginError, ValueError):
    """The command line or call was malformed: a bad option, an unreadable path."""

    exit_code = 2


# --- Cards, names and registries (hub_plugin.cards, hub_plugin.registry, core.contained_path) -----


class CardError(HubPluginError):
    """A model card could not be read into a manifest.

    ``defects`` holds every problem found in the file (see :class:`hub_plugin.cards.card.Defect`).
    """

    def __init__(self, path: str, defects: Sequence[object]) -> None:
        self.path = path
        self.defects = tuple(defects)
        first = str(defects[0]) if defects else f"{path}: invalid card"
        more = f" (and {len(defects) - 1} more)" if len(defects) > 1 else ""
        super().__init__(first + more)


class ModelNotFound(HubPluginError, LookupError):
    """No card or model package answers to the name; ``suggestions`` lists close matches."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"did you mean: {', '.join(self.suggestions)}?" if self.suggestions else (
            "run 'hub-plugin list' to see the known models"
        )
        super().__init__(f"no model named {name!r}", hint=hint)


class AmbiguousName(HubPluginError, LookupError):
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


class RepoLinkError(HubPluginError, ValueError):
    """A card's ``repo-link`` does not name a repository hub-plugin can fetch."""


class PathEscape(HubPluginError, ValueError):
    """A path from untrusted input would leave its root, pass a symbolic link, or is not a plain
    relative path."""


# --- Hubs (hub_plugin.hubs, hub_plugin.publishing.hub_branch) -------------------------------------


class HubError(HubPluginError):
    """A hub cannot be used: unknown, not synced, or its snapshot is damaged."""


class HubNotSynced(HubError):
    """A hub has no snapshot yet, and it could not be synced now (offline, or no syncer)."""

    def __init__(self, name: str, reason: str = "") -> None:
        self.name = name
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"the hub {name!r} has not been synced yet{why}",
            hint=f"run 'hub-plugin hub update {name}' while online",
        )


class HubChangeError(HubPluginError):
    """The hub clone cannot take the change: not a repository, uncommitted changes, the branch
    exists, a card is already there, git or the push failed."""


# --- Downloads and the asset cache (hub_plugin.downloads, hub_plugin.cache) -----------------------

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


class DownloadError(HubPluginError, ConnectionError):
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


class LinkRefused(HubPluginError, ValueError):
    """An asset link that will not be followed: plain ``http://`` to a remote host without
    ``--allow-http``, an unknown scheme, a malformed ``HUB_PLUGIN_MIRROR``."""

    exit_code = 2


class OfflineError(HubPluginError, ConnectionError):
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


class CacheError(HubPluginError, OSError):
    """The asset cache cannot be used: an unwritable folder, a file system without locks."""



# --- git: zoo checkouts and hub syncs (hub_plugin.git, hub_plugin.zoo.checkout) -------------------


class GitError(HubPluginError):
    """A git command failed: the repository is missing or private, the ref is unknown, the network
    is down. The message is git's own last line; ``url`` and ``ref`` say what was asked for."""

    def __init__(self, url: str, ref: str | None, reason: str, hint: str | None = None) -> None:
        self.url = url
        self.ref = ref
        self.reason = reason
        at = f" at {ref}" if ref else ""
        super().__init__(f"git fetch of {url}{at} failed: {reason}", hint=hint)


class GitMissing(HubPluginError):
    """The ``git`` command is not installed."""

    exit_code = 2


class ZooCodeMissing(HubPluginError):
    """The zoo folder is not cached and cannot be fetched now (offline), or does not exist."""


# --- Publish: uploads and their read-back (hub_plugin.publishing) ---------------------------------


class S3Error(HubPluginError):
    """The object store refused or could not be reached: wrong credentials, no such bucket, an
    object that holds other bytes. ``code`` is the store's error code where it gave one."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        self.code = code
        super().__init__(message, hint=hint)


class PublicLinkMismatch(HubPluginError):
    """The public link serves other bytes (or another size) than the file uploaded to it."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url} serves other bytes than were uploaded: {reason}",
                         hint="check --public-url and that the bucket is public; the card was not written")


# --- Trust (hub_plugin.trust) ---------------------------------------------------------------------


class UntrustedCode(HubPluginError):
    """Code from outside the bundled registry was not trusted: refused, changed since it was
    trusted, or no one could be asked."""


class CodeChangedSinceTrust(UntrustedCode):
    """A module of trusted code is not the file trust was given for: changed, added, a link."""


class LinkInPackage(HubPluginError):
    """A package (or zoo folder) to be trusted holds a symbolic link: refused."""


class TrustStoreError(HubPluginError, OSError):
    """The trust store cannot be read or written (not JSON, a lock held too long, a full disk)."""

    exit_code = 2


# --- Model packages, building and devices (hub_plugin.packages, hub_plugin.core.extras) -----------

#: The distribution name, as ``pip install`` spells it.
DISTRIBUTION = "hub-plugin"

#: How the messages name an optional package (by its import name).
DISPLAY_NAMES = {"mindspore": "MindSpore", "onnxruntime": "ONNX Runtime"}


class MissingDependency(HubPluginError, ImportError):
    """An optional package a command needs is not installed; ``install`` is the command that adds it.

    ``pip install 'hub-plugin[EXTRA]'`` works however hub-plugin was installed (from a clone,
    editable or not, from git or from a wheel; it is on no index): pip takes the installed
    distribution and fetches only the extra's packages (tests/test_project.py)."""

    exit_code = 2

    def __init__(self, module: str, command: str, extra: str) -> None:
        self.module = module
        self.command = command
        self.install = f"pip install '{DISTRIBUTION}[{extra}]'"
        shown = DISPLAY_NAMES.get(module, module)
        super().__init__(f"{command} needs {shown}, which is not installed: {self.install}")


class PackageImportError(HubPluginError):
    """A model package's folder could not be imported (not a folder, an error inside)."""


class NoNetwork(HubPluginError):
    """The card has no model package, or its package names no network that builds it."""


class EntryPointMissing(HubPluginError):
    """A model package's hubconf lacks the entry point asked for; the message names those it has."""


class DeviceUnavailable(HubPluginError):
    """The requested device is not present (no driver, no MindSpore plugin for it).

    ``requested`` is the device asked for, ``found`` the devices MindSpore can use here.
    """

    exit_code = 2

    def __init__(self, requested: str, found: list[str]) -> None:
        self.requested = requested
        self.found = tuple(found)
        super().__init__(
            f"device {requested!r} is not available: found {', '.join(self.found) or 'none'}",
            hint="use --device cpu, or install MindSpore's build for that device and its driver",
        )


class NetworkArgumentError(UsageError):
    """An ``--arg`` (a keyword argument for ``create_network``) that the network does not take, or
    whose value is not of the type it declares: found before anything is downloaded
    (:mod:`hub_plugin.packages.network_arguments`, issue 28 item 4)."""


class Interrupted(HubPluginError):
    """Ctrl-C (or the SIGTERM a data worker sends on it): the command stopped; the message says
    what was kept and how to go on (issue 28 item 4)."""

    exit_code = 130


class LaunchFailed(HubPluginError):
    """The msrun job did not finish cleanly; ``log_dir`` holds every worker's log, and
    ``worker_error`` is the first error a worker reported (``None`` when none did)."""

    def __init__(self, returncode: int, log_dir: Path, worker_error: str | None = None) -> None:
        self.returncode = returncode
        self.log_dir = log_dir
        self.worker_error = worker_error
        cause = f": {worker_error}" if worker_error else f" (msrun exited with {returncode})"
        super().__init__(
            f"data-parallel job failed{cause}", hint=f"each worker's log is in {log_dir}"
        )


# --- Zoo code (hub_plugin.zoo) --------------------------------------------------------------------


class ZooCodeError(HubPluginError):
    """The zoo folder's code failed to import or to build the network."""


class NoZooEntryPoint(HubPluginError):
    """The zoo folder has no ``mindspore_hub_conf.py``/``hubconf.py``, or it no ``create_network``."""


# --- Export (hub_plugin.exports) ------------------------------------------------------------------


class ExportError(HubPluginError):
    """``mindspore.export`` could not write the network (an operator the format lacks, ...)."""


class AscendRequired(HubPluginError):
    """AIR files are written by MindSpore's Ascend backend only."""

    exit_code = 2

    def __init__(self, device: str) -> None:
        super().__init__(
            f"AIR export needs an Ascend device (MindSpore writes AIR only there); this one is {device}",
            hint="use --format mindir or --format onnx here, or --device ascend on an Ascend machine",
        )


class ModelFileError(HubPluginError):
    """An exported model file is missing, of an unknown kind, or its runtime cannot open it."""


class ExportMismatch(HubPluginError):
    """The exported file does not reproduce the network; the file has been deleted."""

    def __init__(self, path: Path, check: RoundTripFigures) -> None:
        self.path = path
        self.check = check
        super().__init__(
            f"{path.name}: the export does not reproduce the network: largest difference "
            f"{check.max_abs:.3g} absolute, {check.max_rel:.3g} relative, above the tolerance "
            f"{check.tolerance:g} ({check.runtime}, seeded batch {list(check.input_shape)})",
            hint="the file was deleted",
        )


class QuantizationMismatch(HubPluginError):
    """The INT8 file disagrees with the float export too often; the file has been deleted."""

    def __init__(self, path: Path, check: QuantizationFigures) -> None:
        self.path = path
        self.check = check
        super().__init__(
            f"{path.name}: the INT8 export agrees with the float export on {check.agreement:.2%} of "
            f"{check.check_size} check images, below the minimum {check.min_agreement:.2%} "
            f"(largest logit difference {check.max_logit_difference:.3g}, calibrated on "
            f"{check.calibration_size} images)",
            hint="the file was deleted; calibrate on more or more typical images (--calibration DIR, "
            "--calibration-size N), or lower --min-agreement",
        )


# --- The one importer of untrusted code (hub_plugin.trust.verified_import; issue 27, hole 2) ------


class BytecodeRefused(HubPluginError):
    """Trusted code would import bytecode without its source (a ``.pyc`` beside no ``.py``, a zip
    archive in its folder): refused, since only source files the trust digest hashed run."""


# --- Unsafe file names in code to trust (hub_plugin.trust.code_digest; issue 27, hole 1) ----------


class UnsafeFileName(HubPluginError):
    """Code to be trusted (a model package, a zoo folder) holds a file whose name has control or
    invisible formatting characters: it could redraw the trust question, so nothing is listed."""


# --- YAML reading (hub_plugin.core.yamlio) --------------------------------------------------------


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


# --- Checkpoints: the light reader, inspect and convert (hub_plugin.checkpoints), issue 29 --------


class CheckpointError(HubPluginError, ValueError):
    """A file that is not a readable checkpoint: not MindSpore's checkpoint message (an HTML page
    saved as ``.ckpt``), cut short, corrupted, holding no tensor, or a tensor whose byte count
    disagrees with its dtype and shape. ``path`` is the file, ``offset`` where reading stopped."""

    def __init__(self, path: str, reason: str, *, offset: int | None = None,
                 hint: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.offset = offset
        at = f" (at byte {offset})" if offset is not None else ""
        super().__init__(f"{path}: not a MindSpore checkpoint: {reason}{at}", hint=hint)


class ConversionError(HubPluginError, ValueError):
    """A checkpoint that cannot be converted as asked: a dtype the other format has no name for,
    a safetensors file that cannot be read."""


# --- validate --check-weights: a model package's parameter lists (hub_plugin.checkpoints.weights),
# issue 29 item 3 ------------------------------------------------------------------------------------


class ParameterListError(HubPluginError, ValueError):
    """A model package's parameter list (``package.yaml``'s ``parameters``: a JSON file naming each
    parameter's name, shape and dtype) that cannot be read or is not such a list."""


# --- The HTTP client (hub_plugin.core.http) ------------------------------------------------------


class TryFailed(HubPluginError):
    """One try of a request failed: the client's retry loop decides what comes next.

    ``final``: another try cannot help. ``delay``: the wait the server asked for (else the
    backoff). ``url``: the URL that failed (after redirects). This is control flow between the
    client and the features' per-try code; a person sees a
    :class:`~hub_plugin.errors.DownloadError` or a dead link, never this.
    """

    def __init__(self, reason: str, *, final: bool = False, status: int | None = None,
                 delay: float | None = None, hint: str | None = None, url: str | None = None) -> None:
        super().__init__(reason, hint=hint)
        self.reason = reason
        self.final = final
        self.status = status
        self.delay = delay
        self.hint = hint
        self.url = url



# --- The network itself, and what validate finds (hub_plugin.core.http, hub_plugin.validation) ---


class NoNetworkAccess(HubPluginError, ConnectionError):
    """This machine cannot reach the network at all: no resolver answers, or no route leads out
    (:func:`hub_plugin.core.http.classify` decides). Not a verdict on any link or asset: a run
    that needs the network stops at the first such failure (exit 2, an environment error).
    ``reason`` says which, ``url`` the request that showed it."""

    exit_code = 2

    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(
            f"no network access: {reason} (asking for {url})",
            hint="run where hosts can be reached, or point HUB_PLUGIN_MIRROR at a reachable mirror",
        )


class NoCardsFound(UsageError):
    """``validate`` found no card to check where it was told to look (an empty folder, globs that
    match nothing). ``searched`` is the one line naming what was searched."""

    def __init__(self, searched: str) -> None:
        self.searched = searched
        super().__init__(f"no card found: {searched}",
                         hint="pass --allow-empty where an empty run is a pass")


# --- Cards that say what builds them (hub_plugin.cards.network_spec; issue 28 item 1) ------------


class CardFieldError(HubPluginError, ValueError):
    """A card's ``network`` or ``requires`` field cannot be read (named ``file:line:column``)."""


class ArgumentContradictsCard(UsageError):
    """An argument given for ``create_network`` contradicts the card's ``network`` field."""


# --- The lock file (hub_plugin.lock; issue 29 items 1 and 2) ---------------------------------------


class LockFileError(UsageError):
    """A lock file that cannot be read, or that has no entry for the name a command was given."""


class LockMismatch(HubPluginError):
    """What a command would use differs from what the lock file pins (a card edited, a branch moved,
    code or an asset changed, a version): one line naming the difference and how to update."""


__all__ = [
    "AmbiguousName",
    "ArgumentContradictsCard",
    "AscendRequired",
    "BytecodeRefused",
    "CacheError",
    "CardError",
    "CardFieldError",
    "CheckpointError",
    "CodeChangedSinceTrust",
    "ConversionError",
    "DeviceUnavailable",
    "DownloadError",
    "EntryPointMissing",
    "ExportError",
    "ExportMismatch",
    "GitError",
    "GitMissing",
    "HubChangeError",
    "HubError",
    "HubNotSynced",
    "HubPluginError",
    "IntegrityError",
    "Interrupted",
    "LaunchFailed",
    "LinkInPackage",
    "LinkRefused",
    "LockFileError",
    "LockMismatch",
    "MissingDependency",
    "ModelFileError",
    "ModelNotFound",
    "NetworkArgumentError",
    "NoCardsFound",
    "NoNetwork",
    "NoNetworkAccess",
    "NoZooEntryPoint",
    "OfflineError",
    "PackageImportError",
    "ParameterListError",
    "PathEscape",
    "PublicLinkMismatch",
    "QuantizationMismatch",
    "RegistryError",
    "RepoLinkError",
    "S3Error",
    "TrustStoreError",
    "TryFailed",
    "UnsafeFileName",
    "UntrustedCode",
    "UsageError",
    "YamlError",
    "ZooCodeError",
    "ZooCodeMissing",
]

