"""A large file uploaded in parts, in parallel, and resumed after an interruption.

S3's multipart upload (``CreateMultipartUpload``, ``UploadPart``, ``CompleteMultipartUpload``)
keeps the parts of an unfinished upload on the server until it is completed or aborted. So an
upload that was killed half-way is continued, not restarted: the unfinished uploads of the same key
are listed (``ListMultipartUploads``), the parts each holds (``ListParts``) are checked against the
local file (same part size, and each part's ETag, the MD5 of its bytes, equal to the local bytes'
MD5), and only the missing parts are sent. An upload whose parts do not match the file (another
version of it, another part size) is left alone and a new one is started.

Parts are :data:`DEFAULT_PART_SIZE` (8 MiB, boto3's own), more where the file would need over
10,000 parts (S3's limit), and sent by :data:`~.object_store.UPLOAD_WORKERS` threads at once, as
``boto3``'s ``upload_file`` does (``bench/bench_publish.py`` compares the two).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.progress import Progress, SilentProgress
from ..errors import S3Error
from .object_store import SHA256_METADATA, UPLOAD_WORKERS, ObjectStore

MIN_PART_SIZE = 5 * 1024 * 1024
"""S3's smallest part (all but the last)."""
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000

_CHECKSUMS = ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256", "ChecksumCRC64NVME")


@dataclass(frozen=True)
class Part:
    """Part ``number`` (1-based) of the file: ``length`` bytes from ``offset``."""

    number: int
    offset: int
    length: int


@dataclass(frozen=True)
class MultipartOutcome:
    """What one multipart upload did: ``resumed`` parts were already on the server, ``sent`` bytes
    went up this time."""

    key: str
    parts: int
    resumed: int
    sent: int


def part_size_for(size: int, requested: int | None = None) -> int:
    """The part size for a file of ``size`` bytes: ``requested`` (at least 5 MiB) or 8 MiB, grown
    in whole MiB until the file fits in 10,000 parts."""
    part = max(requested or DEFAULT_PART_SIZE, MIN_PART_SIZE)
    while -(-size // part) > MAX_PARTS:
        part += 1024 * 1024
    return part


def split_parts(size: int, part_size: int) -> list[Part]:
    return [Part(n + 1, offset, min(part_size, size - offset))
            for n, offset in enumerate(range(0, max(size, 1), part_size))]


def _read(path: Path, part: Part) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(part.offset)
        return handle.read(part.length)


def _entry(number: int, answer: dict[str, Any]) -> dict[str, Any]:
    """The part as ``CompleteMultipartUpload`` wants it: number, ETag and any checksum."""
    entry = {"PartNumber": number, "ETag": answer["ETag"]}
    entry.update({key: answer[key] for key in _CHECKSUMS if answer.get(key)})
    return entry


def _listed_parts(store: ObjectStore, key: str, upload_id: str) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    marker = 0
    while True:
        page = store.call(f"listing the uploaded parts of {key}", store.client.list_parts,
                          Key=key, UploadId=upload_id, PartNumberMarker=marker)
        parts += page.get("Parts") or []
        if not page.get("IsTruncated"):
            return parts
        marker = int(page["NextPartNumberMarker"])


def resumable_upload(store: ObjectStore, key: str, path: Path,
                     parts: list[Part]) -> tuple[str, dict[int, dict[str, Any]]] | None:
    """An unfinished upload of ``key`` whose parts all match ``path``: its id and those parts."""
    listing = store.call(f"listing unfinished uploads of {key}", store.client.list_multipart_uploads,
                         Prefix=key)
    uploads = [u for u in listing.get("Uploads") or [] if u.get("Key") == key]
    uploads.sort(key=lambda u: u.get("Initiated") or 0, reverse=True)
    by_number = {part.number: part for part in parts}
    for upload in uploads:
        kept: dict[int, dict[str, Any]] = {}
        for listed in _listed_parts(store, key, upload["UploadId"]):
            part = by_number.get(int(listed["PartNumber"]))
            if part is None or int(listed["Size"]) != part.length:
                break
            local = hashlib.md5(_read(path, part), usedforsecurity=False).hexdigest()
            if str(listed["ETag"]).strip('"') != local:
                break
            kept[part.number] = _entry(part.number, listed)
        else:
            return upload["UploadId"], kept
    return None


def upload_multipart(
    store: ObjectStore,
    path: Path,
    key: str,
    *,
    size: int,
    sha256: str,
    part_size: int | None = None,
    workers: int = UPLOAD_WORKERS,
    progress: Progress | None = None,
    after_part: Callable[[int], None] | None = None,
) -> MultipartOutcome:
    """Upload ``path`` to ``key`` in parts, resuming an unfinished upload of the same bytes.

    ``after_part(done)`` is called after each part with the number of parts on the server (a
    test interrupts the upload by raising there). An interruption leaves the upload unfinished on
    the server, for the next call to continue.
    """
    progress = progress or SilentProgress()
    parts = split_parts(size, part_size_for(size, part_size))
    found = resumable_upload(store, key, path, parts)
    done: dict[int, dict[str, Any]]
    if found is None:
        created = store.call(f"starting the upload of {path.name}", store.client.create_multipart_upload,
                             Key=key, Metadata={SHA256_METADATA: sha256})
        upload_id, done = str(created["UploadId"]), {}
    else:
        upload_id, done = found
    resumed = len(done)
    progress.start(path.name, size, sum(p.length for p in parts if p.number in done))

    from s3transfer.utils import ReadFileChunk  # boto3's own transfer library, installed with it

    def send(part: Part) -> dict[str, Any]:
        # A seekable window on the file, as boto3's upload_file sends: botocore streams it with a
        # trailing checksum instead of hashing a copy in memory first (about 12 % faster here).
        body = ReadFileChunk.from_filename(str(path), part.offset, part.length, enable_callbacks=False)
        try:
            answer = store.call(f"uploading part {part.number} of {path.name}", store.client.upload_part,
                                Key=key, UploadId=upload_id, PartNumber=part.number, Body=body)
        finally:
            body.close()
        return _entry(part.number, answer)

    todo = [part for part in parts if part.number not in done]
    sent = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="upload") as pool:
        pending: dict[Future[dict[str, Any]], Part] = {}
        try:
            queue = iter(todo)
            for part in queue:
                pending[pool.submit(send, part)] = part
                if len(pending) < workers:
                    continue
                sent += _collect(pending, done, progress, after_part)
            while pending:
                sent += _collect(pending, done, progress, after_part)
        except BaseException as error:
            for future in pending:
                future.cancel()
            if isinstance(error, S3Error):
                raise S3Error(error.message, code=error.code, hint="the parts sent are kept on the "
                              "server: run the same command again to resume") from error
            raise
    progress.finish()
    store.call(f"completing the upload of {path.name}", store.client.complete_multipart_upload,
               Key=key, UploadId=upload_id,
               MultipartUpload={"Parts": [done[number] for number in sorted(done)]})
    stored = store.stored(key)
    if stored is not None and stored.sha256 != sha256:  # resumed an upload made for other metadata
        store.set_digest(key, sha256)
    return MultipartOutcome(key, len(parts), resumed, sent)


def _collect(pending: dict[Future[dict[str, Any]], Part], done: dict[int, dict[str, Any]],
             progress: Progress, after_part: Callable[[int], None] | None) -> int:
    """Wait for at least one part to finish; record it; the bytes it sent."""
    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
    sent = 0
    for future in finished:
        part = pending.pop(future)
        done[part.number] = future.result()
        sent += part.length
        progress.advance(part.length)
        if after_part is not None:
            after_part(len(done))
    return sent


__all__ = [
    "DEFAULT_PART_SIZE",
    "MIN_PART_SIZE",
    "MultipartOutcome",
    "Part",
    "part_size_for",
    "resumable_upload",
    "split_parts",
    "upload_multipart",
]
