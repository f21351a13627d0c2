"""Building a card's network from the model zoo's own code, as MindSpore Hub does, but safely.

For a card that no local model package builds, its ``repo-link`` names a folder of a zoo
repository (:mod:`hub_plugin.cards.repo_link`). :func:`zoo_network`:

1. fetches that folder once (shallow, partial, sparse; cached by repository and commit:
   :mod:`hub_plugin.zoo.checkout`);
2. finds its entry point, ``mindspore_hub_conf.py`` (MindSpore Hub's name) or ``hubconf.py``;
3. checks trust for the repository at that commit (:func:`~..trust.gate.ensure_repository_trusted`:
   asked once on a terminal, ``--trust`` for CI), before any of its code runs;
4. imports the entry point in isolation (:mod:`.importer`) and calls
   ``create_network(<card's model-name, lower-cased>, *args, **kwargs)``, as MindSpore Hub calls it;
5. turns a failure into one actionable line (:mod:`.failures`).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cards.manifest import Manifest
from ..core.settings import Settings, TrustPolicy
from ..errors import (  # moved to errors.py (issue 26); importable here too
    NoZooEntryPoint as NoZooEntryPoint,
)
from ..errors import ZooCodeMissing
from .checkout import ZooFolder

#: The entry point files, in the order they are looked for.
ENTRY_POINT_FILES = ("mindspore_hub_conf.py", "hubconf.py")


@dataclass(frozen=True)
class ZooNetwork:
    """A network built by zoo code, and where the code came from."""

    network: Any
    folder: ZooFolder
    entry_point: Path
    model_name: str


def entry_point(folder: ZooFolder, card: str) -> Path:
    """The entry point file of a zoo folder, or :class:`NoZooEntryPoint`."""
    for name in ENTRY_POINT_FILES:
        if (folder.path / name).is_file():
            return folder.path / name
    raise NoZooEntryPoint(
        f"the model zoo provides no entry point for the card {card!r}: "
        f"{folder.repository} at {folder.commit[:12]} has neither "
        f"{' nor '.join(ENTRY_POINT_FILES)} in {folder.folder or 'its root'}",
        hint="build the network from that folder's own scripts, or load with a model package",
    )


def fetch_zoo_folder(manifest: Manifest, settings: Settings, *, commit: str | None = None) -> ZooFolder:
    """The zoo folder the card's ``repo-link`` names, from the cache under the settings' home or
    fetched with git as they ask (mirrors, offline, plain http; ``refresh``: its branch ref
    re-resolved first). ``commit`` (a full commit id: a lock file's) takes that folder at that
    commit instead of where the link's ref points (the folder keeps the link's ref as its
    ``ref``). A trust policy of NEVER refuses before anything is fetched: code that will not run
    is not fetched."""
    from ..cards.repo_link import parse_repo_link
    from ..core.progress import Activity
    from ..errors import UntrustedCode
    from ..git.transport import GitTransport
    from .checkout import ZooCache

    link = parse_repo_link(manifest.repo_link)
    if settings.trust is TrustPolicy.NEVER:
        raise UntrustedCode(f"refusing to run the code of the repository {link.repository} "
                            f"({manifest.uid or manifest.name})")
    transport = GitTransport.from_settings(settings)
    if commit is None:
        with Activity(f"zoo code: {link.repository} {link.ref} {link.folder or '/'}"):
            return ZooCache(settings.home).folder(link, transport, refresh=settings.refresh)
    from dataclasses import replace

    from ..cards.repo_link import RepoLink, is_full_commit

    if not is_full_commit(commit):
        raise ZooCodeMissing(f"{commit!r} is not a full commit id of {link.repository}")
    with Activity(f"zoo code: {link.repository} commit {commit[:12]} {link.folder or '/'}"):
        found = ZooCache(settings.home).folder(RepoLink(link.repository, commit, link.folder),
                                               transport)
    return replace(found, ref=link.ref)


def zoo_network(
    manifest: Manifest,
    folder: ZooFolder,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    trust: TrustPolicy | bool | None = None,
    settings: Settings | None = None,
    source: str = "",
    argv: Sequence[str] = (),
    class_count: int | None = None,
    verbose: bool | None = None,
) -> ZooNetwork:
    """Build the card's network with the zoo folder's ``create_network`` (see the module
    docstring), as ``settings`` ask (their trust policy, trust store and verbosity; ``trust`` and
    ``verbose``, when given, win; without ``settings``, the environment decides). ``argv`` follows
    the entry point in the shielded ``sys.argv`` (the card's config, :mod:`.config_choice`);
    ``class_count`` is handed as the class keyword the network takes
    (:func:`.config_choice.class_attempts`) unless the caller gives arguments; the code's output is
    captured (:mod:`.output_capture`). Raises :class:`NoZooEntryPoint`,
    :class:`~hub_plugin.errors.UntrustedCode` or :class:`~hub_plugin.errors.ZooCodeError`."""
    from ..errors import BytecodeRefused, UntrustedCode, ZooCodeError
    from ..trust.code_digest import code_digest
    from ..trust.gate import ensure_repository_trusted
    from ..trust.store import TrustStore
    from .config_choice import class_attempts
    from .failures import call_failure, import_failure
    from .importer import zoo_key, zoo_scope
    from .output_capture import captured_output

    card = manifest.uid or manifest.name
    entry = entry_point(folder, card)
    code = code_digest(folder.path)  # what each module must match when it is imported, now or later
    policy = (TrustPolicy.of(trust) if trust is not None
              else settings.trust if settings is not None else TrustPolicy.ASK)
    if settings is not None and verbose is None:
        verbose = settings.verbose
    ensure_repository_trusted(folder.repository, folder.commit, policy, name=card, source=source,
                              code=code, store=TrustStore(settings.config) if settings else None)
    model_name = (manifest.model_name or manifest.name).lower()
    what = f"the zoo code of {card} ({folder.repository} at {folder.commit[:12]}, {entry.name})"
    # A folder imported with another config is another import: its config module ran at import.
    key = zoo_key(folder.repository, "\n".join([folder.commit, *argv]), folder.folder)
    with zoo_scope(folder.path, key, entry.name, code.files, argv) as package, captured_output(verbose):
        try:
            module = importlib.import_module(f"{package}.{entry.stem}")
        except (UntrustedCode, BytecodeRefused):
            raise
        except Exception as error:
            raise import_failure(error, folder=folder.path, what=what,
                                 card_mindspore=manifest.mindspore_version) from error
        create_network = getattr(module, "create_network", None)
        if not callable(create_network):
            raise NoZooEntryPoint(f"{what} defines no create_network(name, *args, **kwargs)")
        try:
            network = class_attempts(create_network, model_name, args, kwargs or {}, class_count)
        except (UntrustedCode, BytecodeRefused):
            raise
        except TypeError as error:
            failure = call_failure(error, create_network, what=f"{what}: create_network({model_name!r})")
            raise (failure or import_failure(error, folder=folder.path, what=what,
                                             card_mindspore=manifest.mindspore_version)) from error
        except Exception as error:
            raise import_failure(error, folder=folder.path, what=what,
                                 card_mindspore=manifest.mindspore_version) from error
    import mindspore

    if not isinstance(network, mindspore.nn.Cell):
        raise ZooCodeError(f"{what}: create_network({model_name!r}) returned "
                           f"{type(network).__name__}, not a mindspore.nn.Cell")
    return ZooNetwork(network, folder, entry, model_name)
