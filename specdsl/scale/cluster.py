"""``--dask ADDRESS|local``: the chunk tasks of :mod:`specdsl.scale.task` on a Dask distributed cluster.

Only this module imports ``distributed`` (the optional extra ``specdsl[dask]``). Each task reads its own
chunk on a worker (byte range of JSON Lines, image range of a document split on that worker, or the whole
file), so the paths must be readable there. Results are taken in chunk order, as with worker processes.
"""

from __future__ import annotations

from collections.abc import Iterator

from specdsl.scale.plan import Chunk
from specdsl.scale.task import ChunkResult, check_chunk

IN_FLIGHT_PER_WORKER = 4


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

    def results(self, spec, chunks: list[Chunk], options) -> Iterator[ChunkResult]:
        from distributed import KilledWorker

        from specdsl.scale.run import WorkerDied

        spec_future, options_future = self.client.scatter([spec, options], broadcast=True, hash=False)
        pending: list = []
        todo = iter(chunks)
        limit = self.workers * IN_FLIGHT_PER_WORKER
        try:
            for chunk in todo:
                pending.append((chunk, self._submit(spec_future, chunk, options_future)))
                if len(pending) >= limit:
                    yield _take(pending, KilledWorker, WorkerDied)
            while pending:
                yield _take(pending, KilledWorker, WorkerDied)
        finally:
            self.client.cancel([future for _, future in pending] + [spec_future, options_future])

    def _submit(self, spec_future, chunk: Chunk, options_future):
        return self.client.submit(check_chunk, spec_future, chunk, options_future, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


def _take(pending: list, killed: type[Exception], died: type[Exception]) -> ChunkResult:
    chunk, future = pending.pop(0)
    try:
        return future.result()
    except killed:
        raise died(chunk) from None
