"""Checking cards against the real files: live links and matching digests.

``validate --check-links`` and ``--verify-assets`` add what the text alone can't tell to a
:class:`~hub_plugin.validation.report.ValidationReport`, each finding at the line of the value it is
about:

- **links** (:class:`RemoteChecks` with ``check_links``): every ``asset-link`` and ``repo-link`` is
  probed (:mod:`.probe`); a dead one is an error ``link/dead``; the size a server announces
  for an asset is a note ``link/size``;
- **assets** (``verify_assets``): every link is asked in every run, whatever the cache holds, so
  that a verdict depends on the link alone, never on the order of the cards, ``jobs`` or the cache:

  1. each digest is brought into the cache once (:func:`..download.fetch.fetch`: downloaded and
     its full sha256 checked), from its links in a fixed order (sorted) until one serves it; a
     digest already cached is not downloaded again;
  2. then each link is compared with the cached file of its digest (:mod:`.served_file`: the
     size and the bytes, whole for a small file, at seeded ranges for a large one). A link that
     does not answer is ``link/dead``; one that serves another file is ``asset/sha256-mismatch``
     at ``asset-sha256``. When no link served the digest, each link's finding is that of its own
     download (naming both digests). A card that gives only a prefix gets a note
     ``asset/full-sha256`` with the whole digest, ready to paste.

When this machine has no network at all (no resolver answers, no route leads out: decided by the
one HTTP client, :func:`~hub_plugin.core.http.network_missing`), the run stops at the first request
that shows it and :class:`~hub_plugin.errors.NoNetworkAccess` is raised (exit 2): no card is
judged by a runner's missing network.

Cards that failed the text checks are still checked, from the front matter kept in their report.
The requests run on a :class:`~.host_pool.HostPool` (``jobs`` in all, ``per_host`` per host), and
the cache index is written once at the end (:meth:`~..cache.index.CacheIndex.deferred`). With both
checks, an asset's link is asked by the comparison (a dead link is as dead to both), and an asset
without a usable digest is probed as ``--check-links`` alone would.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..cache.asset_cache import AssetCache
from ..cards.asset_link import CardOrigin
from ..cards.card import Defect
from ..cards.manifest import Asset, unwrap_link
from ..core.http import TransferPolicy
from ..core.progress import Activity
from ..downloads.fetch import FetchedAsset, fetch
from ..downloads.mirrors import MirrorMap, card_source
from ..downloads.transfer import HttpTransfer
from ..errors import (
    CacheError,
    DownloadError,
    HubPluginError,
    IntegrityError,
    LinkRefused,
    NoNetworkAccess,
)
from .host_pool import DEFAULT_JOBS, DEFAULT_PER_HOST, HostPool, Job
from .probe import LinkProbe
from .report import FileReport, ValidationReport
from .served_file import SAMPLE_LENGTH, ServedFile, compare_served, human_size

_DIGEST_OR_PREFIX = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True)
class _Target:
    """One value of one card to check: where it is and what it says."""

    report: FileReport
    pointer: str
    label: str
    link: str
    asset: Asset | None = None
    digest_pointer: str = ""


@dataclass
class RemoteChecks:
    """The options of a run of checks; :meth:`run` adds the findings to a report."""

    check_links: bool = False
    verify_assets: bool = False
    policy: TransferPolicy = field(default_factory=TransferPolicy)
    allow_http: bool = False
    jobs: int = DEFAULT_JOBS
    per_host: int = DEFAULT_PER_HOST
    cache: AssetCache | None = None
    mirrors: MirrorMap | None = None
    #: The most requests that were in flight at once per host in the last run (for the bench).
    peak: dict[str, int] = field(default_factory=dict)

    def run(self, report: ValidationReport) -> None:
        """Check every card of ``report`` and file what was found in its file reports."""
        mirrors = self.mirrors if self.mirrors is not None else MirrorMap.from_environment()
        cache = self.cache or AssetCache()
        probe = LinkProbe(self.policy, allow_http=self.allow_http)
        local = threading.local()

        def transfer() -> HttpTransfer:
            made: HttpTransfer | None = getattr(local, "transfer", None)
            if made is None:
                made = local.transfer = HttpTransfer(self.policy, allow_http=self.allow_http)
            return made

        targets = list(self._targets(report))
        verified = [t for t in targets if self._verifies(t)]
        verifying = {id(t) for t in verified}
        pool = HostPool(self.jobs, self.per_host)
        with cache.index.deferred():
            # 1. every digest into the cache, from its links in a fixed order, until one serves it
            groups: dict[str, list[_Target]] = {}
            for target in verified:
                groups.setdefault(_expected(target), []).append(target)
            obtain: list[Job[dict[str, list[Defect]]]] = []
            for digest, group in sorted(groups.items()):
                ordered = sorted(group, key=lambda t: (mirrors.apply(t.link), t.report.path))
                obtain.append(Job(_host_of(mirrors.apply(ordered[0].link)),
                                  partial(self._obtain, digest, ordered, cache, mirrors, transfer)))
            failed: dict[tuple[str, str], list[Defect]] = {}
            obtained_all: list[dict[str, list[Defect]] | BaseException] = pool.map(
                obtain, stop_on=(NoNetworkAccess,))
            for digest, obtained in zip(sorted(groups), obtained_all, strict=True):
                if isinstance(obtained, BaseException):
                    raise obtained
                failed.update({(digest, link): found for link, found in obtained.items()})
            # 2. every link asked, each against what the cache now holds (so not against the order)
            jobs: list[Job[list[Defect]]] = []
            reports: list[FileReport] = []
            for target in targets:
                link = mirrors.apply(target.link)
                if id(target) in verifying:
                    jobs.append(Job(_host_of(link), partial(self._compare, target, link, cache, probe,
                                                            failed, mirrors, transfer)))
                elif self.check_links:
                    jobs.append(Job(_host_of(link), partial(self._probe, target, link, probe, mirrors)))
                else:
                    continue
                reports.append(target.report)
            with Activity("checking cards", total=len(set(map(id, reports)))) as shown:
                results = pool.map(_counting(jobs, reports, shown), stop_on=(NoNetworkAccess,))
        self.peak = dict(pool.peak)
        for file, result in zip(reports, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            for defect in result:
                file.add(defect)

    def _verifies(self, target: _Target) -> bool:
        """Whether ``--verify-assets`` checks this target: an asset with a usable digest."""
        return (self.verify_assets and target.asset is not None
                and _DIGEST_OR_PREFIX.fullmatch(_expected(target)) is not None)

    def _targets(self, report: ValidationReport) -> Iterator[_Target]:
        for file in report.files:
            fields = file.fields or {}
            repo = fields.get("repo-link")
            if self.check_links and isinstance(repo, str) and repo.strip():
                yield _Target(file, "/repo-link", "repo-link", unwrap_link(repo))
            assets = fields.get("asset")
            for index, item in enumerate(assets if isinstance(assets, list) else []):
                if not isinstance(item, dict):
                    continue
                link, digest = item.get("asset-link"), item.get("asset-sha256")
                if not isinstance(link, str) or not link.strip():
                    continue
                base = f"/asset/{index}"
                asset = Asset(unwrap_link(link), digest if isinstance(digest, str) else "",
                              str(item.get("file-format", "")))
                yield _Target(file, f"{base}/asset-link", "asset-link", asset.link, asset,
                              f"{base}/asset-sha256")

    def _probe(self, target: _Target, link: str, probe: LinkProbe, mirrors: MirrorMap) -> list[Defect]:
        # A card being checked may name network links only (a hub's cards come by pull request):
        # a local path or file:// link is refused unread; a local mirror the user set is read.
        try:
            source = card_source(target.link, _checked_origin(target), mirrors)
        except LinkRefused as refused:
            return [_refused(target, refused)]
        if source.path is not None:
            if source.path.is_file():
                return [_at(target, target.pointer, "link/size", "note",
                            f"'{target.label}' is a local file of {human_size(source.path.stat().st_size)}")]
            return [_at(target, target.pointer, "link/dead", "error",
                        f"'{target.label}' names a local file that does not exist: {source.path}")]
        result = probe.probe(link)
        if not result.alive:
            return [_at(target, target.pointer, "link/dead", "error",
                        f"'{target.label}' is dead: {result.reason} ({link})")]
        if target.asset is not None and result.size is not None:
            return [_at(target, target.pointer, "link/size", "note",
                        f"'{target.label}' answers HTTP {result.status}: {human_size(result.size)}")]
        return []

    def _obtain(self, digest: str, group: list[_Target], cache: AssetCache, mirrors: MirrorMap,
                transfer: Callable[[], HttpTransfer]) -> dict[str, list[Defect]]:
        """Download ``digest`` from the first link of ``group`` that serves it (none when it is
        cached); the findings of each link that failed, by link."""
        failed: dict[str, list[Defect]] = {}
        for target in group:
            link = mirrors.apply(target.link)
            if link in failed or cache.find(digest) is not None:
                continue  # asked already, or stored (by this group or one of its prefix)
            try:
                self._fetch(target, cache, mirrors, transfer)
                return failed
            except LinkRefused as refused:
                failed[link] = [_refused(target, refused)]
            except IntegrityError as error:
                got = f"sha256 {error.actual} ({human_size(error.received)})"
                failed[link] = [_at(target, target.digest_pointer, "asset/sha256-mismatch", "error",
                                    f"the file at {error.url} has {got}, but the card says {error.expected}")]
            except (CacheError, NoNetworkAccess):
                raise
            except DownloadError as error:
                reason = f"HTTP {error.status}" if error.status else error.reason
                tries = f" after {error.tries} tries" if error.tries > 1 and not error.status else ""
                failed[link] = [_dead(target, f"{reason}{tries}", link)]
            except HubPluginError as error:
                failed[link] = [_dead(target, str(error), link)]
        return failed

    def _fetch(self, target: _Target, cache: AssetCache, mirrors: MirrorMap,
               transfer: Callable[[], HttpTransfer]) -> FetchedAsset:
        assert target.asset is not None
        return fetch(target.asset, card=Path(target.report.path).stem, cache=cache, offline=False,
                     allow_http=self.allow_http, mirrors=mirrors, transfer=transfer(),
                     base_dir=Path(target.report.path).parent,
                     retry_command="hub-plugin validate --verify-assets " + target.report.path,
                     origin=_checked_origin(target))

    def _compare(self, target: _Target, link: str, cache: AssetCache, probe: LinkProbe,
                 failed: dict[tuple[str, str], list[Defect]], mirrors: MirrorMap,
                 transfer: Callable[[], HttpTransfer]) -> list[Defect]:
        """Whether ``link`` serves the cached file of its digest (its own failure when no link did)."""
        asset = target.asset
        assert asset is not None
        digest = _expected(target)
        entry = cache.find(digest)
        if entry is None:
            if (digest, link) in failed:
                return failed[digest, link]
            try:  # a prefix several blobs share: the card's own view resolves it
                fetched = self._fetch(target, cache, mirrors, transfer)
            except LinkRefused as refused:
                return [_refused(target, refused)]
            except NoNetworkAccess:
                raise
            except HubPluginError as error:
                return [_dead(target, str(error), link)]
            entry_path, sha256, size = fetched.blob, fetched.sha256, fetched.size
        else:
            entry_path, sha256, size = entry.path, entry.sha256, entry.size
        try:  # network links only; a local mirror the user set is read
            source = card_source(target.link, _checked_origin(target), mirrors)
        except LinkRefused as refused:
            return [_refused(target, refused)]
        if source.path is not None:
            served = _compare_local(source.path, entry_path)
        else:
            served = compare_served(probe, link, entry_path, size, seed=f"{sha256} {link}")
        if served.verdict == "dead":
            return [_dead(target, served.detail, link)]
        if served.verdict == "different":
            return [_at(target, target.digest_pointer, "asset/sha256-mismatch", "error",
                        f"the file at {link} is not the file of sha256 {asset.sha256}: {served.detail}")]
        what = ("every byte the link serves compared" if served.ranges == 1 or source.path is not None
                else f"the link's size and {served.ranges} ranges of {SAMPLE_LENGTH // 1024} KiB compared")
        found = [_at(target, target.pointer, "link/size", "note",
                     f"'{target.label}': {human_size(size)}, sha256 verified, {what}")]
        if asset.is_digest_prefix:
            found.append(_at(target, target.digest_pointer, "asset/full-sha256", "note",
                             f"the card gives {len(asset.sha256)} of 64 digits; the full sha256 is "
                             f"{sha256}"))
        found.extend(_not_a_checkpoint(target, entry_path))
        return found


def _not_a_checkpoint(target: _Target, blob: Path) -> list[Defect]:
    """``asset/not-a-checkpoint`` when a ``.ckpt`` asset's verified bytes do not parse as one
    (issue 29: a card can name a broken file, digest and all)."""
    from ..checkpoints.check import RULE, check_checkpoint, is_checkpoint_name
    from ..errors import CheckpointError

    if target.asset is None or not is_checkpoint_name(target.asset.file_name):
        return []
    try:
        check_checkpoint(blob, shown_as=target.asset.file_name)
    except CheckpointError as error:
        return [_at(target, target.pointer, RULE, "error",
                    f"'{target.label}': the file of sha256 {target.asset.sha256} is not a MindSpore "
                    f"checkpoint: {error.reason}")]
    return []


def _checked_origin(target: _Target) -> CardOrigin:
    """The origin of a card read to be checked: network links only, views under ``checked/``."""
    return CardOrigin.checked(Path(target.report.path))


def _compare_local(path: Path, blob: Path) -> ServedFile:
    """A local link against the blob: the whole file (it is on this disk)."""
    try:
        size = path.stat().st_size
        if size != blob.stat().st_size:
            return ServedFile("different", f"it has {human_size(size)}, the file of this sha256 "
                              f"has {human_size(blob.stat().st_size)}")
        with open(path, "rb") as mine, open(blob, "rb") as theirs:
            offset = 0
            while chunk := mine.read(1024 * 1024):
                if theirs.read(len(chunk)) != chunk:
                    return ServedFile("different", f"its bytes differ from the file of this "
                                      f"sha256 at offset {offset}")
                offset += len(chunk)
    except OSError as error:
        return ServedFile("dead", f"cannot read {path}: {error.strerror or error}")
    return ServedFile("same", compared=size, ranges=1)


def _expected(target: _Target) -> str:
    assert target.asset is not None
    return target.asset.sha256.strip().lower()


def _refused(target: _Target, refused: LinkRefused) -> Defect:
    return _at(target, target.pointer, "link/refused", "error", f"'{target.label}': {refused}")


def _dead(target: _Target, reason: str, link: str) -> Defect:
    return _at(target, target.pointer, "link/dead", "error", f"'{target.label}' is dead: {reason} ({link})")


def _counting(jobs: list[Job[list[Defect]]], reports: list[FileReport],
              shown: Activity) -> list[Job[list[Defect]]]:
    """``jobs``, each advancing ``shown`` by one card when the last job of its card is done."""
    left: dict[int, int] = {}
    for report in reports:
        left[id(report)] = left.get(id(report), 0) + 1
    lock = threading.Lock()

    def counted(work: Callable[[], list[Defect]], report: FileReport) -> list[Defect]:
        try:
            return work()
        finally:
            with lock:
                left[id(report)] -= 1
                if not left[id(report)]:
                    shown.advance()

    return [Job(job.host, partial(counted, job.run, report))
            for job, report in zip(jobs, reports, strict=True)]


def _at(target: _Target, pointer: str, rule: str, severity: Any, message: str) -> Defect:
    position = target.report.positions.get(pointer)
    return Defect(target.report.path, position.line if position else None,
                  position.column if position else None, rule, message, pointer, severity)


def _host_of(link: str) -> str:
    """The host a link talks to (``""`` for a local file): the key of the per-host limit."""
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").lower()
