"""The Python API: the same jobs as the command line, as calls that return data or raise.

>>> import hub_plugin
>>> hub_plugin.list_models()[:2]
['simclr_encoder_cifar10', 'simclr_linearclassifier_cifar10']
>>> net = hub_plugin.load("simclr")                       # doctest: +SKIP

Every function that reaches the registry or the network takes ``settings``, a
:class:`~hub_plugin.core.settings.Settings` (home and config folders, offline, mirrors, registries,
plain http, trust policy, refresh, verbosity): when ``None``, they are made from the environment
(the ``HUB_PLUGIN_*`` variables) when the call starts. The keywords each function has always had
(``registry``, ``offline``, ``allow_http``, ``trust``, ``refresh``, ``verbose``) are overrides on top
of them; left at ``None`` they leave the settings as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cards.manifest import Manifest
from .cards.profiles import Profile
from .core.settings import Settings, TrustPolicy
from .packages.loading import RegistryArgument, load_model, open_registry, settings_with
from .validation.report import ValidationReport
from .validation.validator import validate_paths

if TYPE_CHECKING:
    from .exports.exporter import ExportResult
    from .publishing.publication import PublishResult


def list_models(
    registry: RegistryArgument = None,
    *,
    hub: str | None = None,
    version: str | None = None,
    filter: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """The address of every card of every registry (UID where there is one, else the file stem);
    with ``hub``, the UIDs of that hub's cards (synced on first use), of ``version`` only and
    holding ``filter`` in their UID, name or summary when given. ``settings``: see the module."""
    settings, opened = settings_with(settings, {"registry": registry})
    if hub is None:
        return [entry.address for entry in open_registry(opened, settings).cards()]
    from .hubs.index import matches
    from .hubs.sync import hub_snapshot

    snapshot = hub_snapshot(hub, settings=settings)
    return [str(e["uid"]) for e in snapshot.index() if matches(e, version=version, text=filter)]


def info(
    name: str, *, registry: RegistryArgument = None, offline: bool | None = None,
    refresh: bool | None = None, settings: Settings | None = None,
    locked: str | os.PathLike[str] | bool | None = None,
) -> Manifest:
    """The validated manifest of the card ``name`` addresses. ``offline=True`` makes no network
    connection (a hub never synced is then an error); ``refresh=True`` syncs the hub that answers
    a UID again first, if it follows a branch; ``locked`` (a lock file; ``True``:
    ``hub-plugin.lock``) raises ``LockMismatch`` when the card or its assets differ from what it
    pins. ``settings``: see the module."""
    settings, opened = settings_with(settings, {"registry": registry, "offline": offline,
                                                "refresh": refresh})
    found = open_registry(opened, settings)
    if locked is not None and locked is not False:  # the card as locked, at its hub's locked commit
        from .lock.verify import locked_load

        found = locked_load(name, locked, settings, builds=False,
                            registry=found).registry
    return found.resolve(name)


def validate(paths: Iterable[str | os.PathLike[str]], *, profile: Profile = "strict") -> ValidationReport:
    """Validate cards (files, or folders searched recursively); see :class:`ValidationReport`."""
    return validate_paths(paths, profile)


def download(
    name: str,
    *,
    registry: RegistryArgument = None,
    offline: bool | None = None,
    allow_http: bool | None = None,
    settings: Settings | None = None,
    locked: str | os.PathLike[str] | bool | None = None,
) -> list[Path]:
    """Download and verify the assets of the card ``name``; their local paths, in card order.
    A ``.ckpt`` must parse as a checkpoint, whatever its digest (issue 29). ``locked`` (a lock
    file; ``True``: ``hub-plugin.lock``): the card must be the one it pins (else ``LockMismatch``)
    and each asset must have its locked full sha256. ``settings``: see the module."""
    from .checkpoints.check import check_fetched
    from .downloads.fetch import fetch_manifest

    settings, opened = settings_with(settings, {"registry": registry, "offline": offline,
                                                "allow_http": allow_http})
    found = open_registry(opened, settings)
    pins = None
    if locked is not None and locked is not False:  # the card as locked, at its hub's locked commit
        from .lock.verify import locked_load

        held = locked_load(name, locked, settings, builds=False,
                           registry=found)
        found, pins = held.registry, held.pins
    manifest = found.resolve(name)
    fetched = fetch_manifest(manifest, settings=settings, locked=pins)
    check_fetched(fetched)
    return [item.path for item in fetched]


def load(
    name: str,
    *args: Any,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: TrustPolicy | bool | None = None,
    strict_weights: bool = True,
    offline: bool | None = None,
    refresh: bool | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> Any:
    """A ready ``mindspore.nn.Cell``: the network of the card ``name`` with its verified weights.

    ``name`` may be a hub UID (``mindspore/1.8/alexnet_cifar10``): the hub is synced on first use
    and the network built by the model zoo's code its card names. ``pretrained=False`` builds it
    without weights; ``device`` is ``cpu``, ``gpu`` or ``ascend``; ``trust=True`` runs code from
    outside the bundled registry without asking; ``strict_weights=False`` loads the checkpoint
    entries that match and leaves the rest; ``offline=True`` serves the cache only (as
    ``HUB_PLUGIN_OFFLINE=1``); ``refresh=True`` re-resolves the branch refs of the hub and the
    zoo code (a pinned commit never is); ``args`` and ``kwargs`` go to ``create_network`` (but
    ``zoo_config="FILE"``, the zoo config to hand zoo code instead of the card's, and
    ``verbose=True``, which shows zoo code's output, ``allow_http=True``, and ``locked``: a lock
    file, ``True`` for ``hub-plugin.lock``, whose pins the load must match exactly, else
    ``LockMismatch``, see :mod:`hub_plugin.lock`). ``settings``: see the
    module (``trust``, ``offline``, ``refresh``, ``registry`` override them). Without MindSpore (the
    light install) it raises :class:`~hub_plugin.errors.MissingDependency`, naming the
    ``pip install``.
    """
    from .core.extras import require
    from .packages.mindspore_log import quiet_mindspore_logs

    require("mindspore", "hub_plugin.load()", "mindspore")
    quiet_mindspore_logs()
    return load_model(
        name, *args, pretrained=pretrained, registry=registry, device=device, trust=trust,
        strict_weights=strict_weights, offline=offline, refresh=refresh, settings=settings, **kwargs
    ).network


def export(
    name: str,
    *,
    format: str,
    output: str | os.PathLike[str] = ".",
    batch_size: int | None = None,
    dynamic_batch: bool = False,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: TrustPolicy | bool | None = None,
    quantize: str | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> ExportResult:
    """Export the network of the card ``name`` to ``format`` (``mindir``, ``onnx``, ``air``), checked.

    Builds it as :func:`load` does, exports it for its declared input shape (``batch_size``
    replaces the batch; ``dynamic_batch=True`` leaves it free in an ONNX file) into ``output``,
    checks the file by a round trip and writes a card beside it. Returns an
    :class:`~hub_plugin.exports.exporter.ExportResult`: ``path``, ``card_path``, ``card`` (the card's
    manifest) and ``check`` (the round trip's ``max_abs`` and ``max_rel``). ``kwargs`` go to
    ``create_network`` (and ``tolerance``, ``asset_base_url``, ``offline`` to the export). Raises
    ``ExportMismatch`` (the file deleted) when the file does not reproduce the network.

    ``quantize="int8"`` (ONNX): an INT8 file, ``<card>.int8.onnx``, calibrated on ``calibration``
    (a folder; default the package's preset, ``calibration_size`` images) and gated on its top-1
    agreement with the float export (``check_images``, ``check_size``, ``min_agreement``, 0.99):
    ``QuantizationMismatch`` (the file deleted) below it; ``result.quantization`` holds the figures.

    ``settings``: see the module (``trust``, ``registry`` and the setting keywords of :func:`load`
    override them).
    """
    from .exports.exporter import export_model, export_requests
    from .packages.mindspore_log import quiet_mindspore_logs

    quiet_mindspore_logs()
    return export_model(*export_requests(
        name, format=format, output=output, batch_size=batch_size, dynamic_batch=dynamic_batch,
        pretrained=pretrained, registry=registry, device=device, trust=trust, quantize=quantize,
        settings=settings, **kwargs,
    ))


def publish(
    card: str | os.PathLike[str],
    *,
    upload: str | None = None,
    endpoint_url: str | None = None,
    public_url: str | None = None,
    hub: str | os.PathLike[str] | None = None,
    publisher: str | None = None,
    branch: str | None = None,
    push: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
    replace: bool = False,
    allow_http: bool | None = None,
    say: Any = None,
    settings: Settings | None = None,
) -> PublishResult:
    """Publish a card (or every card of a run folder): upload its local files, complete it, and
    commit it on a new branch of a hub clone.

    ``upload`` is ``s3://BUCKET/PREFIX`` (``endpoint_url`` for a store other than AWS; credentials
    from boto3's usual chain), ``public_url`` where the bucket's objects are read (the card's links
    are ``public_url/KEY``; each is read back before the card names it). ``hub`` is a local clone of
    the hub repository: the card goes to ``mshub_res/assets/<publisher>/<version>/<stem>.md`` on the
    new branch ``branch`` (the work tree is left as it is), pushed to ``push`` (a remote name or
    URL). ``dry_run`` checks the cards and the hub and changes nothing. ``overwrite`` replaces an
    object that holds other bytes, ``replace`` a card already in the hub. ``say`` gets each step
    as a line (default: nothing). Returns a
    :class:`~hub_plugin.publishing.publication.PublishResult`; raises the typed errors
    (``CardError``, ``S3Error``, ``HubChangeError``, ...) before anything is half-published.
    ``settings``: see the module (``allow_http`` overrides theirs: plain http for the read-back).
    """
    from .core.extras import require
    from .publishing.publication import PublishOptions
    from .publishing.publication import publish as run_publish

    if upload is not None and not dry_run:
        require("boto3", "hub_plugin.publish(upload=...)", "publish")
    options = PublishOptions(
        upload=upload, endpoint_url=endpoint_url, public_url=public_url,
        hub=Path(hub) if hub is not None else None, publisher=publisher, branch=branch, push=push,
        dry_run=dry_run, overwrite=overwrite, replace=replace,
        allow_http=settings_with(settings, {"allow_http": allow_http})[0].allow_http,
    )
    return run_publish(Path(card), options, say=say or (lambda line: None))
