"""Trust: running a model package's code, or a repository's, is running code from elsewhere.

The bundled registry is trusted. Any other model package (a ``--registry`` folder,
``HUB_PLUGIN_REGISTRY``, a plugin distribution) runs only once someone agreed: on a terminal the
package is asked about once and a yes is remembered in the trust store
(:class:`~.store.TrustStore`, ``trusted.json`` in the config folder) with the digest of *every*
file of the package that can run or steer what runs (:mod:`.code_digest`), so an edit to any
module, an added module or a changed ``package.yaml`` is asked about again, and the question (or,
without a terminal, the one-line error) names what changed since trust was given.

``trust=True`` (``--trust``) runs once without remembering, for CI; ``hub-plugin trust add NAME``
remembers without asking; ``trust=False`` refuses. Repositories of model-zoo code are trusted at a
commit the same way, through :func:`ensure_repository_trusted`.

The question is asked through the console (:func:`hub_plugin.core.console.ask`), and every name,
path and URL it quotes is shown as data (:func:`~hub_plugin.core.console.shown`): nothing a package
or a zoo folder holds can redraw it (issue 27, hole 1; a file name with control characters is
refused before anything is listed, :mod:`.code_digest`).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable

from ..core.console import ask as ask_on_terminal  # the question goes through the console
from ..core.console import shown
from ..core.settings import TrustPolicy
from ..errors import (  # moved to errors.py (issue 26); importable here too
    UntrustedCode as UntrustedCode,
)
from ..registry.registry import ModelPackage
from .code_digest import CodeDigest, describe_changes, package_digest
from .store import PackageTrust, TrustEntry, TrustStore

FILES_NAMED_IN_A_QUESTION = 6




def _is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _when(entry: TrustEntry) -> str:
    return entry.trusted_at.replace("T", " ").replace("Z", " UTC") if entry.trusted_at else "?"


def change_since_trust(entry: PackageTrust | None, code: CodeDigest) -> str | None:
    """Why ``code`` is not trusted by ``entry``, in a few words; None when it is trusted.

    ``"it is not trusted yet"``, or ``"it changed since it was trusted on 2026-12-01 15:20:03 UTC:
    modified network.py"``.
    """
    if entry is None:
        return "it is not trusted yet"
    if entry.digest == code.digest:
        return None
    change = describe_changes(entry.files, code.files) or "its code digest differs"
    return f"it changed since it was trusted on {_when(entry)}: {change}"


def is_trusted(package: ModelPackage, store: TrustStore | None = None) -> bool:
    """Whether ``package``'s code may run without asking: bundled, or trusted with its code as it
    is now (nothing added, removed or modified since)."""
    if package.root.trusted:
        return True
    entry = (store or TrustStore()).package_entry(package.path)
    return change_since_trust(entry, package_digest(package)) is None


def what_runs(code: CodeDigest, limit: int = FILES_NAMED_IN_A_QUESTION) -> str:
    """``"26 files (hubconf.py, network.py, ... and 20 more), digest 9c1e2f3a4b5c"``, then, when
    the folder holds Python's caches of its sources, that they are ignored and never read
    (:mod:`.verified_import`)."""
    paths = sorted(code.files, key=lambda p: (p != "hubconf.py", p))
    named = ", ".join(shown(path) for path in paths[:limit])
    named += f" and {len(paths) - limit} more" if len(paths) > limit else ""
    count = len(paths)
    ignored = len(code.ignored)
    caches = (f"; {ignored} bytecode file{'s' if ignored != 1 else ''} in __pycache__ "
              "ignored, never read (the source is compiled)") if ignored else ""
    return f"{count} file{'s' if count != 1 else ''} ({named}), digest {code.digest[:12]}{caches}"


def trust_add_command(package: ModelPackage) -> str:
    """The ``hub-plugin trust add`` line that finds ``package`` again: with ``--registry DIR``
    when a ``--registry`` folder held it (``HUB_PLUGIN_REGISTRY`` and plugins are found without
    an option), so that the hint works as printed (issue 28, item 5)."""
    command = f"hub-plugin trust add {shlex.quote(package.name)}"
    if package.root.source == "--registry":
        command += f" --registry {shlex.quote(str(package.root.path))}"
    return shown(command)


def ensure_trusted(
    package: ModelPackage,
    trust: TrustPolicy | bool | None = None,
    *,
    store: TrustStore | None = None,
    ask: Callable[[str], bool] | None = None,
    interactive: bool | None = None,
) -> CodeDigest | None:
    """Return when ``package``'s code may run; raise :class:`UntrustedCode` otherwise.

    Returns the :class:`CodeDigest` the decision was made on (None for the bundled registry):
    :func:`~hub_plugin.packages.hubconf_import.import_hubconf` checks every module against it as it
    imports it, so a file changed after this check (a lazy import during a download) is refused.

    ``trust`` (a :class:`~hub_plugin.core.settings.TrustPolicy`, or the ``bool | None`` it
    replaces): ALWAYS (True) trusts for this call, NEVER (False) refuses, ASK (None) consults the
    trust store and, on a terminal (or with ``interactive=True`` and ``ask``), asks once, naming
    what changed since trust was given, and remembers a yes with the digest that was shown.
    """
    if package.root.trusted:
        return None
    policy = TrustPolicy.of(trust)
    if policy is TrustPolicy.ALWAYS:
        return package_digest(package)
    where = f"{shown(package.path)} (from {shown(package.root.source)})"
    if policy is TrustPolicy.NEVER:
        raise UntrustedCode(f"refusing to run the model package {package.name!r} at {where}")
    store = store or TrustStore()
    code = package_digest(package)
    reason = change_since_trust(store.package_entry(package.path), code)
    if reason is None:
        return code
    if interactive is None:
        interactive = _is_interactive()
    if not interactive:
        raise UntrustedCode(
            f"the model package {package.name!r} at {where} is code from outside the bundled "
            f"registry; {reason}",
            hint=f"review it, then run '{trust_add_command(package)}', "
            "or pass --trust (trust=True) to run it once",
        )
    question = (
        f"The model package {package.name!r} at {where} is code from outside the bundled "
        f"registry; {reason}.\nIt runs {what_runs(code)}.\nRun it?"
    )
    if not (ask or ask_on_terminal)(question):
        raise UntrustedCode(f"not trusted: the model package {package.name!r} at {where}")
    store.trust_package(
        package.path, name=package.name, source=package.root.source, digest=code.digest,
        files=code.files,
    )
    return code


def ensure_repository_trusted(
    url: str,
    commit: str,
    trust: TrustPolicy | bool | None = None,
    *,
    name: str = "",
    source: str = "",
    store: TrustStore | None = None,
    ask: Callable[[str], bool] | None = None,
    interactive: bool | None = None,
    code: CodeDigest | None = None,
) -> None:
    """Return when the code of the repository ``url`` at ``commit`` may run; raise
    :class:`UntrustedCode` otherwise. For model-zoo code (a card's ``repo-link``).

    As :func:`ensure_trusted`: ``trust`` ALWAYS (True) runs once, NEVER (False) refuses, ASK (None)
    consults the store
    (trusted at this very commit, a full id: see :func:`~.store.same_commit`) and on a terminal asks,
    naming the commit trusted before if there was one and, given ``code`` (the folder's digest),
    the files that will run, and records a yes with ``commit``,
    ``name`` and ``source``. Call it before importing anything of the checkout.
    """
    label = (f"the repository {shown(url)} at commit {shown(commit[:12])}"
             + (f" ({shown(name)})" if name else ""))
    policy = TrustPolicy.of(trust)
    if policy is TrustPolicy.ALWAYS:
        return
    if policy is TrustPolicy.NEVER:
        raise UntrustedCode(f"refusing to run the code of {label}")
    store = store or TrustStore()
    if store.is_repository_trusted(url, commit):
        return
    entry = store.repository_entry(url)
    reason = "it is not trusted yet" if entry is None else (
        f"it was last trusted at commit {entry.commit[:12]} on {_when(entry)}, a different commit"
    )
    if interactive is None:
        interactive = _is_interactive()
    if not interactive:
        raise UntrustedCode(
            f"{label} is code from outside the bundled registry; {reason}",
            hint=f"review it, then run 'hub-plugin trust add {url} --commit {commit}', "
            "or pass --trust (trust=True) to run it once",
        )
    question = (
        f"{label[0].upper()}{label[1:]} is code from outside the bundled registry; {reason}."
        + (f"\nIt runs {what_runs(code)}." if code is not None else "") + "\nRun it?"
    )
    if not (ask or ask_on_terminal)(question):
        raise UntrustedCode(f"not trusted: {label}")
    store.trust_repository(url, commit, name=name, source=source)


__all__ = [
    "UntrustedCode", "change_since_trust", "ensure_repository_trusted", "ensure_trusted",
    "is_trusted", "trust_add_command", "what_runs",
]
