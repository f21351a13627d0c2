"""Running network jobs concurrently, with a bound in all and one per host.

:class:`HostPool` runs ``jobs`` worker threads. Each job is filed under a key (the host it talks
to); a worker takes the first waiting job whose host has a free slot, so no host ever has more
than ``per_host`` jobs in flight, and a worker never sits holding a slot while it waits for a busy
host (it takes another host's job instead, or waits for any job to end). Results come back in the
order the jobs were given. A job that raises has its exception returned in its place, so one
failure never stops the others (:meth:`HostPool.map` re-raises nothing; the caller decides),
except an exception of a kind given in ``stop_on``: it says the whole run is pointless (this
machine has no network, :class:`~hub_plugin.errors.NoNetworkAccess`), so no further job starts
and ``map`` raises it once the jobs already running have ended.

The work is network-bound (``requests`` and ``hashlib`` release the GIL), so threads suffice.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

#: Concurrent requests in all, unless told otherwise (``--jobs``).
DEFAULT_JOBS = 8
#: Concurrent requests to one host (``--per-host``). As many as ``DEFAULT_JOBS``: a hub's assets
#: usually sit on one download host, which 8 connections do not strain; the limit is what keeps a
#: raised ``--jobs`` (for links spread over many hosts) from piling onto one of them.
DEFAULT_PER_HOST = 8


@dataclass(frozen=True)
class Job(Generic[T]):
    """A unit of work: the host it talks to, and the call that does it."""

    host: str
    run: Callable[[], T]


class HostPool:
    """Runs :class:`Job` s with at most ``jobs`` at once and ``per_host`` per host."""

    def __init__(self, jobs: int = DEFAULT_JOBS, per_host: int = DEFAULT_PER_HOST) -> None:
        if jobs < 1 or per_host < 1:
            raise ValueError("jobs and per_host must be at least 1")
        self.jobs = jobs
        self.per_host = per_host
        #: The most jobs that were in flight at once for each host, over the pool's life.
        self.peak: Counter[str] = Counter()

    def map(self, jobs: Sequence[Job[T]], *,
            stop_on: tuple[type[BaseException], ...] = ()) -> list[T | BaseException]:
        """Run every job; each one's result, or the exception it raised, in the given order. The
        first exception that is one of ``stop_on`` stops the run and is raised."""
        waiting: OrderedDict[str, deque[int]] = OrderedDict()
        for index, job in enumerate(jobs):
            waiting.setdefault(job.host, deque()).append(index)
        results: dict[int, T | BaseException] = {}
        busy: Counter[str] = Counter()
        changed = threading.Condition()
        stopped: list[BaseException] = []

        def take() -> int | None:
            with changed:
                while waiting:
                    for host, queue in waiting.items():
                        if busy[host] < self.per_host:
                            index = queue.popleft()
                            if not queue:
                                del waiting[host]
                            busy[host] += 1
                            self.peak[host] = max(self.peak[host], busy[host])
                            return index
                    changed.wait()
                return None

        def work() -> None:
            while (index := take()) is not None:
                job = jobs[index]
                try:
                    results[index] = job.run()
                except BaseException as error:  # handed back to the caller, in its place
                    results[index] = error
                    if isinstance(error, stop_on):
                        with changed:
                            stopped.append(error)
                            waiting.clear()  # no further job starts
                finally:
                    with changed:
                        busy[job.host] -= 1
                        changed.notify_all()

        workers = [threading.Thread(target=work, daemon=True) for _ in range(min(self.jobs, len(jobs)))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if stopped:
            raise stopped[0]
        return [results[index] for index in range(len(jobs))]
