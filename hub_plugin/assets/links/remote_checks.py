"""Checking cards against the real files: live links and matching digests.

``validate --check-links`` and ``--verify-assets`` add what the text alone can't tell to a
:class:`~hub_plugin.registry.validation.report.ValidationReport`, each finding at the line of the value it is
about:

- **links** (:class:`RemoteChecks` with ``check_links``): every ``asset-link`` and ``repo-link`` is
  probed (:mod:`.probe`); a dead one is an error ``link/dead``; the size a server announces
  for an asset is a note ``link/size``;
- **assets** (``verify_assets``): every asset is fetched through the cache (:func:`..download.fetch.fetch`,
  so a second run downloads nothing) and its full sha256 compared with the card's; a mismatch is
  an error ``asset/sha256-mismatch`` at ``asset-sha256`` naming both digests; a card that gives
  only a prefix gets a note ``asset/full-sha256`` with the whole digest, ready to paste.

Cards that failed the text checks are still checked, from the front matter kept in their report.
The requests run on a :class:`~.host_pool.HostPool` (``jobs`` in all, ``per_host`` per host), and
the cache index is written once at the end (:meth:`~..cache.index.CacheIndex.deferred`). With both
checks, an asset's link is proved by its download, so it is asked for once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import CacheError, HubPluginError, IntegrityError, UsageError
from ...registry.cards.card import Defect
from ...registry.cards.manifest import Asset, unwrap_link
from ...registry.validation.report import FileReport, ValidationReport
from ..cache.asset_cache import AssetCache
from ..download.fetch import fetch
from ..download.progress import Activity
from ..download.transfer import HttpTransfer, TransferPolicy
from .host_pool import DEFAULT_JOBS, DEFAULT_PER_HOST, HostPool, Job
from .link_rules import locate
from .mirrors import MirrorMap
from .probe import LinkProbe


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

        jobs: list[Job[list[Defect]]] = []
        reports: list[FileReport] = []
        for target in self._targets(report):
            link = mirrors.apply(target.link)
            host = _host_of(link)
            if target.asset is not None and self.verify_assets:
                jobs.append(Job(host, partial(self._verify, target, cache, mirrors, transfer)))
            elif self.check_links:
                jobs.append(Job(host, partial(self._probe, target, link, probe)))
            else:
                continue
            reports.append(target.report)
        pool = HostPool(self.jobs, self.per_host)
        with cache.index.deferred(), Activity("checking cards", total=len(set(map(id, reports)))) as shown:
            results = pool.map(_counting(jobs, reports, shown))
        self.peak = dict(pool.peak)
        for file, result in zip(reports, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            for defect in result:
                file.add(defect)

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

    def _probe(self, target: _Target, link: str, probe: LinkProbe) -> list[Defect]:
        source = locate(link, base_dir=Path(target.report.path).parent)
        if source.path is not None:
            if source.path.is_file():
                return [_at(target, target.pointer, "link/size", "note",
                            f"'{target.label}' is a local file of {_size(source.path.stat().st_size)}")]
            return [_at(target, target.pointer, "link/dead", "error",
                        f"'{target.label}' names a local file that does not exist: {source.path}")]
        result = probe.probe(link)
        if not result.alive:
            return [_at(target, target.pointer, "link/dead", "error",
                        f"'{target.label}' is dead: {result.reason} ({link})")]
        if target.asset is not None and result.size is not None:
            return [_at(target, target.pointer, "link/size", "note",
                        f"'{target.label}' answers HTTP {result.status}: {_size(result.size)}")]
        return []

    def _verify(self, target: _Target, cache: AssetCache, mirrors: MirrorMap,
                transfer: Callable[[], HttpTransfer]) -> list[Defect]:
        asset = target.asset
        assert asset is not None
        card = Path(target.report.path).stem
        try:
            fetched = fetch(asset, card=card, cache=cache, offline=False, allow_http=self.allow_http,
                            mirrors=mirrors, transfer=transfer(), base_dir=Path(target.report.path).parent,
                            retry_command="hub-plugin validate --verify-assets " + target.report.path)
        except IntegrityError as error:
            return [_at(target, target.digest_pointer, "asset/sha256-mismatch", "error",
                        f"the file at {error.url} has sha256 {error.actual} ({_size(error.received)}), "
                        f"but the card says {error.expected}")]
        except CacheError:
            raise
        except UsageError:  # no usable digest to compare: the text checks already report it
            return []
        except HubPluginError as error:
            return [_at(target, target.pointer, "link/dead", "error",
                        f"'{target.label}' could not be downloaded: {error}")]
        how = "downloaded" if fetched.downloaded else "from the cache"
        found = [_at(target, target.pointer, "link/size", "note",
                     f"'{target.label}': {_size(fetched.size)}, sha256 verified ({how})")]
        if fetched.weak_check:
            found.append(_at(target, target.digest_pointer, "asset/full-sha256", "note",
                             f"the card gives {len(asset.sha256)} of 64 digits; the full sha256 is "
                             f"{fetched.sha256}"))
        return found


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


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit} ({size} bytes)"
        value /= 1024
    raise AssertionError("unreachable")
