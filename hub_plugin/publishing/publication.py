"""``hub-plugin publish``: a model's files uploaded, its card completed, and a hub branch made.

The steps, in an order that never leaves a card naming a file that is not there with its digest:

1. **Plan**: read each card (a file, or every card of a run folder); find its local assets (a path
   relative to the card's folder, or a file of the link's name beside the card: what ``eval`` and
   ``export`` write), hash them, check each against the ``asset-sha256`` the card gives, and
   complete the card with the public links
   (``--public-url`` + key) and full digests (:mod:`~hub_plugin.cards.completion`). The
   completed card must pass ``validate`` under ``strict`` and ``mindspore-hub``, and the hub must
   take it (a clean clone, a new branch, no card at its path unless ``--replace``), or nothing
   happens.
2. **Upload**: the bucket and credentials are checked, then every object: one already there with
   the same sha256 is kept, one with other bytes stops everything unless ``--overwrite``; then each
   file goes up (:mod:`.multipart` for large ones, resumed after an interruption).
3. **Read back** every public link (:mod:`.public_link`).
4. **Write**: the local card is rewritten with the public links; the hub branch is committed (its
   copy of each card names the cards it ``requires`` by the UIDs they are published at) and
   pushed (:mod:`~hub_plugin.publishing.hub_branch`); a failed push deletes the branch again.

``dry_run`` runs step 1 (no network) and reports the rest as it would do it.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..cards.card import parse_card
from ..cards.card_files import is_card_file
from ..cards.checks import check_card
from ..cards.completion import (
    AssetFill,
    complete_card,
    file_format_for,
    hub_layout_path,
    replace_value,
)
from ..cards.manifest import Manifest, unwrap_link
from ..core.atomic_file import write_atomically
from ..core.hashing import hash_file
from ..core.progress import Progress
from ..downloads.link_rules import contained_file
from ..errors import CardError, HubChangeError, LinkRefused, S3Error, UsageError
from ..validation.validator import validate_file
from .hub_branch import HubClone, check_branch_name, pull_request_url
from .object_store import MULTIPART_THRESHOLD, ObjectStore, S3Location


@dataclass(frozen=True)
class PublishOptions:
    """The choices of one publish (the CLI's options)."""

    upload: str | None = None
    endpoint_url: str | None = None
    public_url: str | None = None
    hub: Path | None = None
    publisher: str | None = None
    branch: str | None = None
    push: str | None = None
    dry_run: bool = False
    overwrite: bool = False
    replace: bool = False
    allow_http: bool = False


@dataclass(frozen=True)
class LocalAsset:
    """A file of a card that goes to the bucket: where it is, its size and digest, its key and link."""

    card: Path
    index: int
    path: Path
    size: int
    sha256: str
    key: str
    link: str


@dataclass
class PlannedCard:
    """A card as it will be published: its completed text, manifest, and path in the hub."""

    source: Path
    text: str
    manifest: Manifest
    assets: list[LocalAsset]
    hub_path: str | None = None
    hub_text: str | None = None  # the text that goes to the hub: ``requires`` named by UID


@dataclass
class PublishResult:
    """What publish did (or, with ``dry_run``, would do)."""

    cards: list[PlannedCard]
    uploaded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    branch: str | None = None
    commit: str | None = None
    pushed_to: str | None = None
    pull_request: str | None = None
    dry_run: bool = False


def card_paths(target: Path) -> list[Path]:
    """The card ``target`` names, or the cards directly in the run folder ``target``."""
    if target.is_file():
        return [target]
    if target.is_dir():
        found = sorted(p for p in target.iterdir() if p.is_file() and is_card_file(p))
        if not found:
            raise UsageError(f"no model card (*.md) in {target}")
        return found
    raise UsageError(f"no such card or folder: {target}")


def _public_base(options: PublishOptions, location: S3Location) -> str:
    if options.public_url:
        return options.public_url.rstrip("/")
    if options.endpoint_url:
        return f"{options.endpoint_url.rstrip('/')}/{location.bucket}"
    return f"https://{location.bucket}.s3.amazonaws.com"


def _local_file(card: Path, link: str, options: PublishOptions) -> Path | None:
    """The local file an asset link stands for, or ``None`` when the asset is already published.

    A local asset lies inside the card's folder, always (issue 27, hole 10: ``<~/.aws/credentials>``
    was uploaded to a public bucket): the link is a relative path with no ``~``, no ``..``, no
    absolute path, no ``file://``, and no step of it a symbolic link
    (:func:`~hub_plugin.downloads.link_rules.contained_file`); an ``https`` link stands for the
    file of its name beside the card, under the same rules. Anything else is a :class:`UsageError`.
    """
    scheme = urlsplit(link).scheme.lower()
    if scheme in ("http", "https"):
        name = link.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        beside = card.parent / name
        if not (options.upload and name and name not in (".", "..") and os.path.lexists(beside)):
            return None
        return _inside(card, (name,), link)
    if len(scheme) > 1:  # file:// names an absolute path; other schemes are no file
        raise UsageError(f"{card}: the asset link {link!r} is not a file in the card's folder",
                         hint="write a local asset's path relative to the card's folder")
    relative = PurePosixPath(link.replace("\\", "/"))
    if (link.startswith("~") or relative.is_absolute() or not relative.parts
            or ".." in link.replace("\\", "/").split("/")):
        raise UsageError(f"{card}: the asset link {link!r} leads outside the card's folder",
                         hint="publish uploads only files inside the card's folder, named by a "
                              "relative path without '..' or '~'")
    return _inside(card, relative.parts, link)


def _inside(card: Path, parts: tuple[str, ...], link: str) -> Path:
    """``card``'s folder joined with ``parts``: real folders and a regular file, no link."""
    try:
        return contained_file(card.parent, parts, link)
    except LinkRefused as error:
        raise UsageError(f"{card}: {error.message}",
                         hint="publish uploads only regular files inside the card's folder") from None


def _mindspore_version() -> str | None:
    """The installed MindSpore's ``major.minor`` from its metadata (MindSpore is not imported)."""
    try:
        return ".".join(importlib.metadata.version("mindspore").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        return None


def plan_card(card: Path, options: PublishOptions, *, today: str) -> PlannedCard:
    """Step 1 for one card (see the module docstring)."""
    report = validate_file(card, "strict")
    if report.fields is None:
        raise CardError(str(card), report.errors)
    location = S3Location.parse(options.upload) if options.upload else None
    fills: list[AssetFill] = []
    assets: list[LocalAsset] = []
    for index, entry in enumerate(report.fields.get("asset") or []):
        if not isinstance(entry, dict):
            continue
        link = unwrap_link(str(entry.get("asset-link") or ""))
        written = str(entry.get("asset-sha256") or "").strip().lower()
        local = _local_file(card, link, options) if link else None
        if local is None:
            continue
        if location is None:
            raise UsageError(f"{card}: the asset {local.name} is a local file",
                             hint="pass --upload s3://BUCKET/PREFIX to publish it")
        hexadecimal = bool(written) and all(c in "0123456789abcdef" for c in written)
        if not hexadecimal:  # TBD, empty: nothing to check the file against (issue 27, hole 10)
            given = str(entry.get("asset-sha256") or "").strip() or "nothing"
            raise UsageError(f"{card}: asset {index} ({local.name}) gives no sha256 to check the file "
                             f"against (asset-sha256: {given})",
                             hint=f"write its sha256 into the card (sha256sum {local.name}); "
                                  "eval and export write it for you")
        digest = hash_file(local)
        if not digest.sha256.startswith(written):
            raise UsageError(f"{card}: asset {index} gives sha256 {written}, but {local} has {digest.sha256}",
                             hint="the file changed since the card was written: write the card again")
        key = location.key_for(local.name)
        public = f"{_public_base(options, location)}/{quote(key)}"
        assets.append(LocalAsset(card, index, local, digest.size, digest.sha256, key, public))
        fills.append(AssetFill(index, public, digest.sha256, file_format_for(local.name)))
    text = complete_card(card.read_text(encoding="utf-8"), report.fields, report.positions, fills,
                         update_time=today, mindspore_version=_mindspore_version())
    manifest = None
    for profile in ("mindspore-hub", "strict"):
        checked = check_card(parse_card(str(card), text.encode("utf-8")), profile)
        if checked.manifest is None:
            raise CardError(str(card), [f"{defect} (under --profile {profile}, as published)"
                                        for defect in checked.errors])
        manifest = checked.manifest
    assert manifest is not None
    return PlannedCard(card, text, manifest, assets)


def _hub_paths(hub: HubClone, cards: list[PlannedCard], options: PublishOptions) -> None:
    root = "mshub_res/assets" if hub.has_folder("mshub_res/assets") else ""
    for planned in cards:
        manifest = planned.manifest
        publisher = options.publisher or str(manifest.fields.get("user-id") or "")
        version = manifest.mindspore_version or manifest.model_version
        planned.hub_path = hub_layout_path(publisher, version, planned.source.stem, root=root)
        there = hub.file_at_head(planned.hub_path)
        if there is not None and not options.replace:
            raise HubChangeError(f"the hub already has a card at {planned.hub_path}",
                                 hint="pass --replace to replace it, or publish under another name")


def _uid(hub_path: str) -> str:
    """The UID of a card at ``hub_path``: its last three parts, without ``.md``."""
    return "/".join(PurePosixPath(hub_path).with_suffix("").parts[-3:])


def _hub_requires(hub: HubClone, cards: list[PlannedCard]) -> None:
    """Each card's ``requires`` as the hub will hold it (issue 28): a card named by the name it
    is published under, in this publish or already in the hub beside it, becomes its UID; a name
    neither is an error (the hub's card would find someone else's weights, or none)."""
    published = {c.source.stem: _uid(str(c.hub_path)) for c in cards}
    for planned in cards:
        planned.hub_text = planned.text
        names = planned.manifest.requires
        if not names:
            continue
        beside = PurePosixPath(str(planned.hub_path)).parent
        uids = []
        for name in names:
            if "/" in name:
                uids.append(name)
            elif name in published:
                uids.append(published[name])
            elif hub.file_at_head(str(beside / f"{name}.md")) is not None:
                uids.append(_uid(str(beside / f"{name}.md")))
            else:
                raise UsageError(
                    f"{planned.source}: 'requires' names the card {name!r}, which this publish "
                    f"does not publish and the hub does not hold at {beside}/{name}.md",
                    hint=f"publish {name}.md with it (publish the run folder), or name its UID")
        text = replace_value(planned.text, planned.manifest.positions, "requires", " ".join(uids))
        for profile in ("mindspore-hub", "strict"):
            checked = check_card(parse_card(str(planned.source), text.encode("utf-8")), profile)
            if checked.manifest is None:
                raise CardError(str(planned.source), [f"{d} (under --profile {profile}, as "
                                                      "published to the hub)" for d in checked.errors])
        planned.hub_text = text
    for planned in cards:
        if hub.file_at_head(str(planned.hub_path)) == (planned.hub_text or planned.text).encode("utf-8"):
            raise HubChangeError(f"the hub's card at {planned.hub_path} is already this one: "
                                 "nothing to change")


def _commit_message(cards: list[PlannedCard]) -> str:
    names = ", ".join(sorted({c.manifest.model_name or c.source.stem for c in cards}))
    lines = [f"Add {names} ({len(cards)} card{'s' if len(cards) != 1 else ''})", ""]
    for planned in cards:
        lines.append(f"{planned.hub_path}:")
        lines += [f"  {asset.file_format} {asset.sha256} {asset.link}" for asset in planned.manifest.assets]
    lines += ["", "Published with hub-plugin publish: every asset read back from its link."]
    return "\n".join(lines) + "\n"


def publish(
    target: Path,
    options: PublishOptions,
    *,
    say: Callable[[str], None] = print,
    progress: Progress | None = None,
    store: ObjectStore | None = None,
    after_part: Callable[[int], None] | None = None,
) -> PublishResult:
    """Publish the card(s) at ``target``; see the module docstring. ``say`` gets one line per step."""
    today = _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    cards = [plan_card(card, options, today=today) for card in card_paths(target)]
    result = PublishResult(cards, dry_run=options.dry_run)
    would = "would " if options.dry_run else ""
    for planned in cards:
        say(f"card {planned.source}: valid under strict and mindspore-hub as published")
    hub = HubClone.open(options.hub) if options.hub is not None else None
    if hub is not None:
        _hub_paths(hub, cards, options)
        _hub_requires(hub, cards)
        stem = cards[0].manifest.model_name or cards[0].source.stem
        digest = next((a.sha256 for c in cards for a in c.manifest.assets), "0" * 12)
        result.branch = check_branch_name(options.branch or f"publish/{stem}-{digest[:12]}")
        if hub.branch_exists(result.branch):
            raise HubChangeError(f"the branch {result.branch} already exists in {hub.path}",
                                 hint="pass --branch NAME, or delete the old branch")
        if options.push is not None:
            remote_url = hub.remote_url(options.push)
            if not options.dry_run and hub.remote_has_branch(options.push, result.branch):
                raise HubChangeError(f"{options.push} already has a branch {result.branch}",
                                     hint="pass --branch NAME")
            result.pull_request = pull_request_url(remote_url, result.branch)
    elif options.push or options.branch:
        raise UsageError("--push and --branch need --hub DIR (a clone of the hub repository)")
    uploads = [asset for planned in cards for asset in planned.assets]
    if uploads:
        _upload(uploads, options, result, say=say, progress=progress, store=store, after_part=after_part)
    for planned in cards:
        say(f"{would}write {planned.source} with the public links")
        if not options.dry_run:
            write_atomically(planned.source, planned.text)
    if hub is not None and result.branch is not None:
        say(f"{would}commit {', '.join(str(c.hub_path) for c in cards)} on the new branch "
            f"{result.branch} of {hub.path} (from {hub.head[:12]})")
        if not options.dry_run:
            files = {str(c.hub_path): (c.hub_text or c.text).encode("utf-8") for c in cards}
            result.commit = hub.commit_on_new_branch(result.branch, files, _commit_message(cards))
        if options.push is not None:
            say(f"{would}push {result.branch} to {options.push}")
            if not options.dry_run:
                assert result.commit is not None
                try:
                    hub.push(options.push, result.branch)
                except HubChangeError:
                    hub.delete_branch(result.branch, result.commit)
                    raise
                result.pushed_to = options.push
            if result.pull_request:
                say(f"open the pull request at {result.pull_request}")
    return result


def _upload(uploads: list[LocalAsset], options: PublishOptions, result: PublishResult, *,
            say: Callable[[str], None], progress: Progress | None, store: ObjectStore | None,
            after_part: Callable[[int], None] | None) -> None:
    location = S3Location.parse(str(options.upload))
    by_key: dict[str, LocalAsset] = {}
    for asset in uploads:  # one object per key: the same file named by two cards goes up once
        first = by_key.setdefault(asset.key, asset)
        if first.sha256 != asset.sha256:
            raise UsageError(f"{first.path} and {asset.path} would both be s3://{location.bucket}/"
                             f"{asset.key}", hint="rename one of them")
    uploads = list(by_key.values())
    if options.dry_run:
        for asset in uploads:
            say(f"would upload {asset.path} ({asset.size} bytes, sha256 {asset.sha256}) to "
                f"s3://{location.bucket}/{asset.key} unless it is there with that sha256")
            say(f"would read {asset.link} back and compare it with {asset.path.name}")
        return
    from .multipart import upload_multipart
    from .public_link import read_back

    store = store or ObjectStore(location, endpoint_url=options.endpoint_url)
    store.check_bucket()
    todo: list[LocalAsset] = []
    for asset in uploads:  # every conflict is found before anything is sent
        stored = store.stored(asset.key)
        if stored is not None and stored.sha256 == asset.sha256 and stored.size == asset.size:
            result.kept.append(asset.key)
            say(f"s3://{location.bucket}/{asset.key} is already there with sha256 {asset.sha256[:12]}: kept")
        elif stored is not None and not options.overwrite:
            other = f"sha256 {stored.sha256}" if stored.sha256 else "no sha256 in its metadata"
            raise S3Error(f"s3://{location.bucket}/{asset.key} already holds other bytes ({other})",
                          hint="pass --overwrite to replace it, or publish under another --upload prefix")
        else:
            todo.append(asset)
    for asset in todo:
        say(f"upload {asset.path} ({asset.size} bytes) to s3://{location.bucket}/{asset.key}")
        if asset.size >= MULTIPART_THRESHOLD:
            outcome = upload_multipart(store, asset.path, asset.key, size=asset.size,
                                       sha256=asset.sha256, progress=progress, after_part=after_part)
            if outcome.resumed:
                say(f"resumed an unfinished upload: {outcome.resumed} of {outcome.parts} parts were "
                    f"there already, {outcome.sent} bytes sent")
        else:
            store.put_small(asset.path, asset.key, asset.sha256)
        result.uploaded.append(asset.key)
    for asset in uploads:
        checked = read_back(asset.link, asset.path, size=asset.size, sha256=asset.sha256,
                            allow_http=options.allow_http)
        how = "all of it" if checked.whole else f"{checked.compared} bytes sampled"
        say(f"read back {asset.link}: {checked.size} bytes, {how}, as uploaded")


__all__ = [
    "LocalAsset", "PlannedCard", "PublishOptions", "PublishResult", "card_paths", "plan_card", "publish",
]
