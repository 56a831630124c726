"""The fast path's parts of a predictions file: read in this process, or in ``jobs`` worker processes.

A large file is cut at line ends into ``jobs`` byte ranges of about equal size; each forked worker
(:mod:`specdsl.engine.forked`) reads its own range (the spec's decoder types are inherited, nothing is
pickled but the columns it returns, distributions already settled) and numbers its lines from 1; the
parts' line numbers are then
shifted by the lines before them. Parts come back in file order, so the result is that of one process
whatever ``jobs`` is, and this process may read exports meanwhile. A worker that dies has its range read
here instead; a range that is not of the common shape (:class:`~specdsl.engine.predictions_fast.NotFast`)
stops the other workers at once.
"""

from __future__ import annotations

import mmap
import os

from specdsl import ir
from specdsl.data.readers.native import numbered_lines
from specdsl.engine.forked import in_child
from specdsl.engine.predictions_fast import NotFast, Part, Schema, read_text, settle

MIN_BYTES = 8 << 20  # below this, starting workers costs more than it saves


class Parts:
    def __init__(self, schema: Schema, path: str, renormalize: bool, data: bytes | None,
                 runs: list[tuple[int, int]] = ()):
        """``data``: the whole file, read in this process; else ``runs``, each read by a worker."""
        self.schema, self.path, self.renormalize, self.data, self.runs = schema, path, renormalize, data, list(runs)
        self.lines: list[tuple[int, bytes]] | None = None
        self.received: list[Part | str] | None = None  # the workers' parts, once :meth:`wait` has them
        # plain forked children (no executor threads here): a later fork of this process stays safe
        self.children = [in_child(lambda start=start, stop=stop: _read_or_refuse(schema, path, start, stop,
                                                                                  renormalize),
                                  _shared_bytes(stop - start)) for start, stop in self.runs]

    def result(self) -> list[Part]:
        """The parts in file order; :class:`NotFast` when any range needs the general reader."""
        if self.data is not None:
            return [settle(read_text(self.schema, self.data), self.schema, self.renormalize)]
        self.wait()
        if any(isinstance(part, str) for part in self.received):  # REFUSED
            raise NotFast
        return self.received

    def wait(self) -> None:
        """Until every worker has sent its part (kept for :meth:`result`), or one refused its range (the
        others are then stopped by :meth:`close`, not waited for)."""
        if self.data is not None or self.received is not None:
            return
        self.received = []
        for k, (start, stop) in enumerate(self.runs):
            child, self.children[k] = self.children[k], None
            part = child.result() if child is not None else None
            if part is None:  # a dead worker (killed, out of memory): read its range here
                part = _read_or_refuse(self.schema, self.path, start, stop, self.renormalize)
            self.received.append(part)
            if isinstance(part, str):
                return

    def all_lines(self) -> list[tuple[int, bytes]]:
        """Every numbered line of the file, for the general reader."""
        if self.lines is None:
            if self.data is None:
                with open(self.path, "rb") as file:
                    self.data = file.read()
            self.lines = numbered_lines(self.data)
        return self.lines

    def close(self) -> None:
        """Stop the workers still running (a range refused the fast path, or the caller gave up), and let go of
        the parts received (joined by now: their shared memory is unmapped once nothing views it)."""
        for child in self.children:
            if child is not None:
                child.stop()
        self.children = []
        self.received = None


def start(spec: ir.Spec, path: str, jobs: int | None, renormalize: bool = False) -> Parts:
    """Raises OSError when the file cannot be read."""
    from specdsl.scale.run import usable_cores

    schema = Schema(spec)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        jobs = jobs or usable_cores()
        if jobs < 2 or size < MIN_BYTES:
            return Parts(schema, path, renormalize, file.read())
        runs = _runs(file, size, jobs)
    return Parts(schema, path, renormalize, None, runs)


REFUSED = "not of the common shape"


def _shared_bytes(text_bytes: int) -> int:
    """Room for the columns of a range: more than its text makes for common lines (a distribution value
    takes 8 bytes, and its text more; the columns of a distribution a line leaves out are zeros). Only the
    part written is backed by memory; what does not fit goes through the pipe."""
    return 2 * text_bytes + (16 << 20)


def _read_or_refuse(schema: Schema, path: str, start: int, stop: int, renormalize: bool) -> Part | str:
    try:
        return settle(read_range(schema, path, start, stop), schema, renormalize)
    except NotFast:
        return REFUSED


def read_range(schema: Schema, path: str, start: int, stop: int) -> Part:
    """The part of bytes ``start:stop``, decoded where the file's pages lie (mapped, not copied)."""
    with open(path, "rb") as file:
        if stop <= start:
            return read_text(schema, b"")
        aligned = start - start % mmap.ALLOCATIONGRANULARITY
        try:
            pages = mmap.mmap(file.fileno(), stop - aligned, offset=aligned, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # shorter than when it was cut, or not mappable: its bytes, as they are now
            file.seek(start)
            return read_text(schema, file.read(stop - start))
        with pages:
            return read_text(schema, pages, start - aligned)


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
