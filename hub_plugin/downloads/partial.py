"""A download in progress: a temporary file in the cache and the running sha256 of its bytes.

Each process writes its own file, ``tmp/<key>.<pid>.part``, and only while it holds the asset's lock
(see :meth:`AssetCache.claim_partial
<hub_plugin.cache.asset_cache.AssetCache.claim_partial>`), so no two writers ever share one.
A file left behind by a process that died is adopted by the next one that takes the lock, and the
download resumes from its end. The digest covers every byte in the file, so
the final check is always over the whole content, whatever was resumed.

Writing and hashing each run on a worker thread of their own, fed through short queues, so that
they overlap with each other and with the network reads of the caller's thread (``hashlib`` and
file writes release the GIL): the download goes as fast as the slowest of the three, not their
sum. Memory stays bounded by the queues: ``QUEUE_CHUNKS`` chunks of at most the transfer's chunk
size (both queues hold the same bytes objects).

(Asking the kernel to write back while downloading, with ``fdatasync`` from a helper thread every
64 MiB, was measured and dropped: on the benchmark machine it cost 0.7 CPU-seconds per GiB and
made the download slower overall than one fsync at the end.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..core.hashing import FileDigest, StreamDigest

#: Chunks that may wait between the network and the disk (16 chunks of 1 MiB: 16 MiB at most).
QUEUE_CHUNKS = 16


def fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform can open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class PartialDownload:
    """An open temporary file being appended to, with the digest of its content so far.

    ``resumed_from`` is the size it had when opened (bytes from an earlier, interrupted try).
    :meth:`write` only queues a chunk; every other method first waits for the queue to empty and
    re-raises any error the writer met (a full disk), so callers see the same behaviour as if
    the writes were immediate.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.exists():
            self._digest = StreamDigest.of_file(self.path)
        else:
            self._digest = StreamDigest()
        self.resumed_from = self._digest.size
        self._accepted = self._digest.size
        self._handle: BinaryIO | None = open(self.path, "ab")  # noqa: SIM115 (closed by finish)
        # one queue and thread for the file, one for the digest: each chunk goes to both
        self._queues: tuple[queue.Queue[bytes | None], ...] = ()
        self._workers: list[threading.Thread] = []
        self._failure: BaseException | None = None

    # --- state ------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Bytes written so far (queued ones included)."""
        return self._accepted

    @property
    def digest(self) -> StreamDigest:
        """The running digest of the file's content (after the queued writes are done)."""
        self._drain()
        return self._digest

    def _file(self) -> BinaryIO:
        if self._handle is None:
            raise ValueError(f"{self.path} is closed")
        return self._handle

    # --- the writer thread ------------------------------------------------------------------

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` and fold it into the digest (on the worker threads)."""
        if self._failure is not None:
            raise self._failure
        self._file()
        if not self._workers:
            self._start_workers()
        for pending in self._queues:
            pending.put(chunk)
        self._accepted += len(chunk)

    def _start_workers(self) -> None:
        self._queues = (queue.Queue(QUEUE_CHUNKS), queue.Queue(QUEUE_CHUNKS))
        self._workers = [
            threading.Thread(target=self._consume, args=(self._queues[0], self._append), daemon=True),
            threading.Thread(target=self._consume, args=(self._queues[1], self._digest_update), daemon=True),
        ]
        for worker in self._workers:
            worker.start()

    def _append(self, chunk: bytes) -> None:
        self._file().write(chunk)

    def _digest_update(self, chunk: bytes) -> None:
        self._digest.update(chunk)

    def _consume(self, pending: queue.Queue[bytes | None], work: Callable[[bytes], None]) -> None:
        while True:
            chunk = pending.get()
            try:
                if chunk is None:
                    return
                if self._failure is None:
                    work(chunk)
            except BaseException as error:  # reported to the caller by _drain
                self._failure = error
            finally:
                pending.task_done()

    def _drain(self) -> None:
        for pending in self._queues:
            pending.join()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _stop_threads(self) -> None:
        for pending in self._queues:
            pending.put(None)
        for worker in self._workers:
            worker.join()
        self._queues, self._workers = (), []

    # --- the file ---------------------------------------------------------------------------

    def ensure_room(self, total: int) -> None:
        """Fail early, with ``ENOSPC``, when the disk cannot hold a file of ``total`` bytes.

        Called once the server has announced the length, so a download that cannot fit stops
        before it starts instead of filling the disk.
        """
        needed = total - self.size
        if needed <= 0:
            return
        free = shutil.disk_usage(self.path.parent).free
        if needed > free:
            raise OSError(
                errno.ENOSPC, f"No space left: {needed} more bytes needed, {free} free", str(self.path)
            )

    def restart(self) -> None:
        """Drop everything written so far (the server will send the content from byte 0)."""
        self._drain()
        handle = self._file()
        handle.flush()
        handle.truncate(0)
        handle.seek(0)
        self._digest = StreamDigest()
        self._accepted = 0
        self.resumed_from = 0

    def finish(self) -> FileDigest:
        """Flush and fsync the file, close it, and return the digest of its whole content."""
        try:
            self._drain()
        finally:
            self._stop_threads()
        handle = self._file()
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        self._handle = None
        return self._digest.result()

    def close(self) -> None:
        """Close the file and keep it, so that a later try can resume from it.

        Never raises: it is called after a failure that is already being reported (a full disk
        fails the buffered bytes' flush again, and that second error says nothing new).
        """
        try:
            with contextlib.suppress(Exception):
                self._drain()
        finally:
            self._stop_threads()
        if self._handle is not None:
            handle, self._handle = self._handle, None
            with contextlib.suppress(OSError):
                handle.close()

    def discard(self) -> None:
        """Close and delete the file: its bytes must never be used."""
        self.close()
        self.path.unlink(missing_ok=True)
