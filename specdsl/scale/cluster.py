"""``--dask ADDRESS|local``: chunk tasks (:mod:`specdsl.scale.task`, the diff's impact) on a Dask distributed cluster.

Only this module imports ``distributed`` (the optional extra ``specdsl[dask]``). Each task reads its own
chunk on a worker (byte range of JSON Lines, image range of a document split on that worker, or the whole
file), so the paths must be readable there. Results are taken in chunk order, as with worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from specdsl.scale.plan import Chunk

IN_FLIGHT_PER_WORKER = 4
T = TypeVar("T")


class DaskUnavailable(Exception):
    """``--dask`` without the ``specdsl[dask]`` extra installed."""


class Cluster:
    """A client on a scheduler given by address, or on a LocalCluster started (and ended) by this run."""

    def __init__(self, address: str, workers: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskUnavailable("--dask needs the optional extra: pip install 'specdsl[dask]'") from None
        self.local = None
        if address == "local":
            self.local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=50)
            address = self.local.scheduler_address
        self.client = Client(address, set_as_default=False)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def results(self, task: Callable[[Chunk], T], chunks: list[Chunk]) -> Iterator[T]:
        """``task(chunk)`` for every chunk on the workers, in chunk order; the task (its spec, its reader
        options) is sent to every worker once."""
        from distributed import KilledWorker

        from specdsl.scale.run import WorkerDied

        [task_future] = self.client.scatter([task], broadcast=True, hash=False)
        pending: list = []
        todo = iter(chunks)
        limit = self.workers * IN_FLIGHT_PER_WORKER
        try:
            for chunk in todo:
                pending.append((chunk, self.client.submit(_apply, task_future, chunk, pure=False)))
                if len(pending) >= limit:
                    yield _take(pending, KilledWorker, WorkerDied)
            while pending:
                yield _take(pending, KilledWorker, WorkerDied)
        finally:
            self.client.cancel([future for _, future in pending] + [task_future])

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


def _apply(task: Callable[[Chunk], T], chunk: Chunk) -> T:
    return task(chunk)


def _take(pending: list, killed: type[Exception], died: type[Exception]):
    chunk, future = pending.pop(0)
    try:
        return future.result()
    except killed:
        raise died(chunk) from None
