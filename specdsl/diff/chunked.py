"""The impact of a spec change on an export, chunk by chunk: the same tasks and workers as ``specc check``.

Images are independent for the impact, so each chunk's :class:`~specdsl.diff.impact.Impact` is computed
where the chunk is read (this process, ``--jobs`` workers or a Dask worker) and the parts of one export
are joined in source order by :func:`~specdsl.diff.impact.join_parts`, which gives exactly the impact of
the export read whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from specdsl import ir
from specdsl.data.readers.native import gc_paused
from specdsl.diff.impact import Impact, analyze_impact
from specdsl.scale.plan import Chunk
from specdsl.scale.task import ReadFailure, read_chunk


@dataclass(frozen=True, slots=True)
class ImpactPart:
    chunk: Chunk
    impact: Impact | None
    images: int = 0
    failure: ReadFailure | OSError | ValueError | None = None


@dataclass(frozen=True, slots=True)
class ImpactTask:
    """Assess one chunk's labels against ``new``; ``known`` holds every version at hand."""

    new: ir.Spec
    known: Mapping[int, ir.Spec]
    default_version: int
    labeled_under: int | None
    options: object  # ReadOptions
    export: str | None = None  # the argument the chunk's shard belongs to: what the notes name

    def __call__(self, chunk: Chunk) -> ImpactPart:
        read = read_chunk(chunk, self.options)
        if read.failure is not None:
            return ImpactPart(chunk, None, failure=read.failure)
        dataset = read.dataset if self.export is None else replace(read.dataset, source=self.export)
        with gc_paused():  # an item per affected image and no garbage cycle
            impact = analyze_impact(dataset, self.new, self.known, self.default_version, self.labeled_under)
        return ImpactPart(chunk, impact, len(read.dataset.images))
