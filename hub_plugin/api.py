"""The Python API: the same jobs as the command line, as calls that return data or raise.

>>> import hub_plugin
>>> hub_plugin.list_models()[:2]
['simclr_encoder_cifar10', 'simclr_linearclassifier_cifar10']
>>> net = hub_plugin.load("simclr")                       # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cards.manifest import Manifest
from .cards.profiles import Profile
from .packages.loading import RegistryArgument, load_model, open_registry
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
) -> list[str]:
    """The address of every card of every registry (UID where there is one, else the file stem);
    with ``hub``, the UIDs of that hub's cards (synced on first use), of ``version`` only and
    holding ``filter`` in their UID, name or summary when given."""
    if hub is None:
        return [entry.address for entry in open_registry(registry).cards()]
    from .hubs.index import matches
    from .hubs.sync import hub_snapshot

    snapshot = hub_snapshot(hub)
    return [str(e["uid"]) for e in snapshot.index() if matches(e, version=version, text=filter)]


def info(
    name: str, *, registry: RegistryArgument = None, offline: bool | None = None,
    refresh: bool = False,
) -> Manifest:
    """The validated manifest of the card ``name`` addresses. ``offline=True`` makes no network
    connection (a hub never synced is then an error); ``refresh=True`` syncs the hub that answers
    a UID again first, if it follows a branch."""
    return open_registry(registry, offline=offline, refresh=refresh).resolve(name)


def validate(paths: Iterable[str | os.PathLike[str]], *, profile: Profile = "strict") -> ValidationReport:
    """Validate cards (files, or folders searched recursively); see :class:`ValidationReport`."""
    return validate_paths(paths, profile)


def download(
    name: str,
    *,
    registry: RegistryArgument = None,
    offline: bool | None = None,
    allow_http: bool = False,
) -> list[Path]:
    """Download and verify the assets of the card ``name``; their local paths, in card order."""
    from .checkpoints.check import check_fetched
    from .downloads.fetch import fetch_manifest

    manifest = open_registry(registry).resolve(name)
    fetched = fetch_manifest(manifest, offline=offline, allow_http=allow_http)
    check_fetched(fetched)  # a .ckpt must parse, whatever its digest (issue 29)
    return [item.path for item in fetched]


def load(
    name: str,
    *args: Any,
    pretrained: bool = True,
    registry: RegistryArgument = None,
    device: str | None = None,
    trust: bool | None = None,
    strict_weights: bool = True,
    offline: bool | None = None,
    refresh: bool = False,
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
    ``verbose=True``, which shows zoo code's output). Without MindSpore (the light install) it raises
    :class:`~hub_plugin.core.extras.MissingDependency`, naming the ``pip install``.
    """
    from .core.extras import require
    from .packages.mindspore_log import quiet_mindspore_logs

    require("mindspore", "hub_plugin.load()", "mindspore")
    quiet_mindspore_logs()
    return load_model(
        name, *args, pretrained=pretrained, registry=registry, device=device, trust=trust,
        strict_weights=strict_weights, offline=offline, refresh=refresh, **kwargs
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
    trust: bool | None = None,
    quantize: str | None = None,
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
    """
    from .exports.exporter import export_model, export_requests
    from .packages.mindspore_log import quiet_mindspore_logs

    quiet_mindspore_logs()
    return export_model(*export_requests(
        name, format=format, output=output, batch_size=batch_size, dynamic_batch=dynamic_batch,
        pretrained=pretrained, registry=registry, device=device, trust=trust, quantize=quantize,
        **kwargs,
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
    allow_http: bool = False,
    say: Any = None,
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
    """
    from .core.extras import require
    from .publishing.publication import PublishOptions
    from .publishing.publication import publish as run_publish

    if upload is not None and not dry_run:
        require("boto3", "hub_plugin.publish(upload=...)", "publish")
    options = PublishOptions(
        upload=upload, endpoint_url=endpoint_url, public_url=public_url,
        hub=Path(hub) if hub is not None else None, publisher=publisher, branch=branch, push=push,
        dry_run=dry_run, overwrite=overwrite, replace=replace, allow_http=allow_http,
    )
    return run_publish(Path(card), options, say=say or (lambda line: None))
