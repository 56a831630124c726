"""The fast path's parts of a predictions file: read in this process, or in ``jobs`` worker processes.

A large file is cut at line ends into ``jobs`` byte ranges of about equal size; each forked worker reads
its own range (the spec's decoder types are inherited, nothing is pickled but the columns it returns) and
numbers its lines from 1, the parts' line numbers are then shifted by the lines before them. Parts come
back in file order, so the result is that of one process whatever ``jobs`` is, and this process may read
exports meanwhile. A worker that dies has its range read here instead; a range that is not of the common
shape (:class:`~specdsl.engine.predictions_fast.NotFast`) stops the workers at once.
"""

from __future__ import annotations

import os

from specdsl import ir
from specdsl.engine.predictions_fast import NotFast, Part, Schema, read_part

MIN_BYTES = 8 << 20  # below this, starting workers costs more than it saves

_STATE: tuple = ()  # (schema, path) of the file being read, set before forking the workers


def numbered_lines(data: bytes) -> list[tuple[int, bytes]]:
    """The non-blank lines of ``data`` with their 1-based numbers."""
    return [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


class Parts:
    def __init__(self, schema: Schema, path: str, lines: list[tuple[int, bytes]] | None,
                 runs: list[tuple[int, int]] = (), executor=None):
        self.schema, self.path, self.lines, self.runs, self.executor = schema, path, lines, list(runs), executor
        self.futures = [executor.submit(_read_inherited, start, stop) for start, stop in runs] if executor else []

    def result(self) -> list[Part]:
        """The parts in file order; :class:`NotFast` when any range needs the general reader."""
        if self.lines is not None:
            return [read_part(self.schema, self.lines)]
        parts = []
        for (start, stop), future in zip(self.runs, self.futures):
            try:
                parts.append(future.result())
            except NotFast:
                raise
            except Exception:  # noqa: BLE001 - a dead worker (killed, out of memory): read its range here
                parts.append(read_range(self.schema, self.path, start, stop))
        return parts

    def all_lines(self) -> list[tuple[int, bytes]]:
        """Every numbered line of the file, for the general reader."""
        if self.lines is None:
            with open(self.path, "rb") as file:
                self.lines = numbered_lines(file.read())
        return self.lines

    def close(self) -> None:
        global _STATE
        if self.executor is not None:
            from specdsl.scale.run import _stop

            _stop(self.executor)
            self.executor = None
        _STATE = ()


def start(spec: ir.Spec, path: str, jobs: int | None) -> Parts:
    """Raises OSError when the file cannot be read."""
    from specdsl.scale.run import usable_cores

    schema = Schema(spec)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        jobs = jobs or usable_cores()
        if jobs < 2 or size < MIN_BYTES:
            return Parts(schema, path, numbered_lines(file.read()))
        runs = _runs(file, size, jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _STATE
    _STATE = (schema, path)
    executor = ProcessPoolExecutor(max_workers=len(runs), mp_context=multiprocessing.get_context("fork"))
    return Parts(schema, path, None, runs, executor)


def read_range(schema: Schema, path: str, start: int, stop: int) -> Part:
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read(stop - start)
    part = read_part(schema, numbered_lines(data))
    part.newlines = data.count(b"\n")
    return part


def _read_inherited(start: int, stop: int) -> Part:
    schema, path = _STATE
    return read_range(schema, path, start, stop)


def _runs(file, size: int, jobs: int) -> list[tuple[int, int]]:
    """``jobs`` byte ranges of about equal size, each ending at a line end (or the end of the file)."""
    cuts = [0]
    for k in range(1, jobs):
        file.seek(size * k // jobs)
        file.readline()
        if cuts[-1] < file.tell() < size:
            cuts.append(file.tell())
    cuts.append(size)
    return list(zip(cuts, cuts[1:]))
