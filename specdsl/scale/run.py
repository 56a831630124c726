"""Run the chunk tasks of an export (a check, a diff's impact) in source order: in this process, or in
``--jobs`` worker processes.

Results are consumed in chunk order whatever order workers finish in, so the merged findings, counters
and the first read error are those of a one-process run. At most two chunks per worker are in flight,
which bounds memory. A worker that dies fails the run naming its chunk; no partial result is returned.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from specdsl import ir
from specdsl.report.finding import Finding
from specdsl.scale.image_ids import FirstImages
from specdsl.scale.plan import Chunk
from specdsl.scale.task import CheckTask, ChunkResult, raise_failure

IN_FLIGHT_PER_WORKER = 2
T = TypeVar("T")


class WorkerDied(Exception):
    """A worker process ended without a result (killed, out of memory)."""

    def __init__(self, chunk: Chunk):
        self.chunk = chunk
        super().__init__(f"a worker process died while checking {chunk.describe()}; no result was written")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class ExportResult:
    """One export's merged chunks."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    images: int = 0
    objects: int = 0
    shares: np.ndarray | None = None
    first_record: tuple[int, int] | None = None  # where quota findings point in JSON Lines (line, column)
    first_images: FirstImages | None = None  # duplicate image ids over the whole export argument

    def add(self, result: ChunkResult) -> None:
        raise_failure(result.failure)
        self._count(result)
        if self.first_images is not None:
            self.findings += self.first_images.duplicates(result)
        if result.first_record is not None:
            self.first_record = result.first_record

    def absorb(self, shard: ExportResult) -> None:
        """Another shard of the same export argument (its duplicate image ids were found against this one's)."""
        self._count(shard)

    def _count(self, part: ChunkResult | ExportResult) -> None:
        self.findings += part.findings
        self.images += part.images
        self.objects += part.objects
        self.shares = part.shares if self.shares is None else self.shares + part.shares


def check_export(spec: ir.Spec, path: str, chunks: list[Chunk], options, jobs: int,
                 on_chunk: Callable[[ChunkResult], None] | None = None, cluster=None,
                 first_images: FirstImages | None = None) -> ExportResult:
    """Every chunk of one export checked and merged in order; quotas are left to the caller.
    ``cluster``: a :class:`~specdsl.scale.cluster.Cluster` that runs the chunks instead of ``jobs``;
    ``first_images``: the image ids seen so far in the export argument (its earlier shards), which this
    export's images are added to; a new one for this export alone when None."""
    from specdsl.scale.quotas import share_terms

    merged = ExportResult(path, shares=np.zeros((len(share_terms(spec)), 2), dtype=np.int64),
                          first_images=first_images if first_images is not None else FirstImages(spec))
    results = run_chunks(CheckTask(spec, options), chunks, jobs, cluster)
    with closing(results):  # a failing chunk stops the workers now, not when the generator is collected
        for result in results:
            merged.add(result)
            if on_chunk is not None:
                on_chunk(result)
    return merged


def run_chunks(task: Callable[[Chunk], T], chunks: list[Chunk], jobs: int, cluster=None) -> Iterator[T]:
    """``task(chunk)`` for every chunk, in chunk order: here, in ``jobs`` forked workers, or on ``cluster``.
    ``task`` is a picklable callable (a frozen dataclass of its inputs, see scale/task.py)."""
    if cluster is not None:
        return cluster.results(task, chunks)
    if jobs <= 1 or len(chunks) <= 1:
        return (task(chunk) for chunk in chunks)
    return _in_workers(task, chunks, min(jobs, len(chunks)))


_WORKER_TASK: Callable | None = None  # set before forking so workers inherit the task unpickled


def _run_inherited(chunk: Chunk):
    return _WORKER_TASK(chunk)


def _in_workers(task: Callable[[Chunk], T], chunks: Iterable[Chunk], jobs: int) -> Iterator[T]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORKER_TASK
    _WORKER_TASK = task
    # fork: workers inherit the task (its spec) and the split documents (scale/plan.py) without pickling them
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    pending: deque = deque()
    todo = iter(chunks)
    try:
        for chunk in todo:
            pending.append((chunk, _submit(executor, chunk, pending, BrokenProcessPool)))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield _next(pending, BrokenProcessPool)
        while pending:
            yield _next(pending, BrokenProcessPool)
    except BaseException:
        _stop(executor)
        raise
    else:
        executor.shutdown(wait=True)
    finally:
        _WORKER_TASK = None


def _submit(executor, chunk: Chunk, pending: deque, broken: type[Exception]):
    """A chunk handed to the pool; a pool a dead worker broke refuses it, and the run fails naming the first
    chunk that has no result (as waiting for it would)."""
    try:
        return executor.submit(_run_inherited, chunk)
    except broken:
        raise WorkerDied(pending[0][0] if pending else chunk) from None


def _next(pending: deque, broken: type[Exception]):
    chunk, future = pending.popleft()
    try:
        return future.result()
    except broken:
        raise WorkerDied(chunk) from None


def _stop(executor) -> None:
    """Cancel what has not started and end the workers at once (Ctrl-C, a failure, a dead worker)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()
