"""The fast path's parts of a predictions file: read in this process, or in ``jobs`` worker processes.

A large file's lines are cut into ``jobs`` runs of about equal bytes, each read by a forked worker (which
inherits the lines and the spec's decoder types, nothing is pickled but the columns it returns). Parts
come back in file order, so the result is that of one process whatever ``jobs`` is; the caller may read
its exports meanwhile. A worker that dies has its run read here instead; a run that is not of the common
shape (:class:`~specdsl.engine.predictions_fast.NotFast`) stops the workers at once.
"""

from __future__ import annotations

from specdsl import ir
from specdsl.engine.predictions_fast import NotFast, Part, Schema, read_part

MIN_BYTES = 8 << 20  # below this, starting workers costs more than it saves

_STATE: tuple = ()  # (schema, lines) of the file being read, set before forking the workers


class Parts:
    def __init__(self, schema: Schema, lines: list[tuple[int, bytes]], runs: list[tuple[int, int]], executor=None):
        self.schema, self.lines, self.runs, self.executor = schema, lines, runs, executor
        self.futures = [executor.submit(_read_run, start, stop) for start, stop in runs] if executor else []

    def result(self) -> list[Part]:
        """The parts in file order; :class:`NotFast` when any run needs the general reader."""
        if self.executor is None:
            return [read_part(self.schema, self.lines)]
        parts = []
        for (start, stop), future in zip(self.runs, self.futures):
            try:
                parts.append(future.result())
            except NotFast:
                raise
            except Exception:  # noqa: BLE001 - a dead worker (killed, out of memory): read its run here
                parts.append(read_part(self.schema, self.lines[start:stop]))
        return parts

    def close(self) -> None:
        global _STATE
        if self.executor is not None:
            from specdsl.scale.run import _stop

            _stop(self.executor)
            self.executor = None
        _STATE = ()


def start(spec: ir.Spec, lines: list[tuple[int, bytes]], size: int, jobs: int | None) -> Parts:
    from specdsl.scale.run import usable_cores

    schema = Schema(spec)
    jobs = min(jobs or usable_cores(), len(lines))
    if jobs < 2 or size < MIN_BYTES:
        return Parts(schema, lines, [])
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _STATE
    _STATE = (schema, lines)
    runs = _runs(lines, jobs)
    executor = ProcessPoolExecutor(max_workers=len(runs), mp_context=multiprocessing.get_context("fork"))
    return Parts(schema, lines, runs, executor)


def _read_run(start: int, stop: int) -> Part:
    schema, lines = _STATE
    return read_part(schema, lines[start:stop])


def _runs(lines: list[tuple[int, bytes]], jobs: int) -> list[tuple[int, int]]:
    """``jobs`` contiguous runs of lines of about equal bytes (none empty)."""
    total = sum(len(line) for _, line in lines)
    runs, start, done = [], 0, 0
    for k, (_, line) in enumerate(lines):
        done += len(line)
        if done * jobs >= total * (len(runs) + 1) and len(runs) < jobs - 1:
            runs.append((start, k + 1))
            start = k + 1
    runs.append((start, len(lines)))
    return [run for run in runs if run[1] > run[0]]
