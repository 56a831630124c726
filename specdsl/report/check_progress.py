"""The progress of ``specc check`` over one export argument: chunks and images over their totals.

A chunked export (JSON Lines, a native document) knows its chunks and images once planned, so progress says
``checked 3/10 chunks, 12000/50000 images (24%)``. Where the image total is unknown (a whole-file format whose
records cannot be counted cheaply, or the shards of a folder, which are planned one at a time so that only one
split document is held) the percentage is of the bytes of the file(s):
``checked 2/5 shards, 14 chunks, 3100 images, 5.2/20.0 MB (26%)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from specdsl.report.progress import ProgressSink, make_progress


@dataclass
class CheckCounts:
    shards: int = 0
    shard_total: int = 1
    chunks: int = 0
    chunk_total: int | None = None  # None: unknown (several shards, planned one by one)
    images: int = 0
    image_total: int | None = None  # None: unknown, the percentage is of bytes
    bytes: int = 0
    byte_total: int = 0

    def line(self) -> str:
        parts = [f"{self.shards}/{self.shard_total} shards"] if self.shard_total > 1 else []
        parts.append(_of(self.chunks, self.chunk_total, "chunks"))
        parts.append(_of(self.images, self.image_total, "images"))
        if self.image_total is None:
            parts.append(_bytes_of(self.bytes, self.byte_total))
        done, total = self.measure()
        percent = f" ({min(100, done * 100 // total)}%)" if total else ""
        return "checked " + ", ".join(parts) + percent

    def measure(self) -> tuple[int, int | None]:
        """What the bar and the percentage count: images when their total is known, else bytes."""
        if self.image_total is not None:
            return self.images, self.image_total
        return self.bytes, self.byte_total or None


def _of(done: int, total: int | None, unit: str) -> str:
    if total is None:
        return f"{done} {unit.removesuffix('s') if done == 1 else unit}"
    return f"{done}/{total} {unit}"


def _bytes_of(done: int, total: int) -> str:
    if total < 1 << 20:
        return f"{done}/{total} bytes"
    return f"{done / (1 << 20):.1f}/{total / (1 << 20):.1f} MB"


class CheckProgress:
    """Counts of one export argument fed by the chunk loop; shown by a bar, lines, or nothing (``mode``)."""

    def __init__(self, mode: str, shards: list[str], fmt: str | None, **sink_options):
        self.fmt = fmt
        self.quiet = mode == "none"
        sizes = [] if self.quiet else [_size(shard) for shard in shards]
        self.counts = CheckCounts(shard_total=len(shards), byte_total=sum(sizes))
        self.sizes = dict(zip(shards, sizes))
        self.sink: ProgressSink = make_progress(mode, None, "images", describe=self.counts.line, **sink_options)
        self._shard_start = 0  # bytes done before the current shard
        self._shard_images = 0  # images of the current shard, when planning counted them

    def start_shard(self, shard: str, chunks: list) -> None:
        if self.quiet:
            return
        counts = self.counts
        self._shard_start = counts.bytes
        self._shard_images = sum(chunk.images or 0 for chunk in chunks)
        if counts.shard_total == 1:  # one shard: its chunks and images are the totals
            counts.chunk_total = len(chunks)
            counts.image_total = _images(shard, chunks, self.fmt)
        self.sink.rescale(*counts.measure())

    def chunk_done(self, chunk, images: int) -> None:
        counts = self.counts
        counts.chunks += 1
        counts.images += images
        size = self.sizes.get(chunk.path, 0)
        counts.bytes = min(self._shard_start + size, counts.bytes + _chunk_bytes(chunk, size, self._shard_images))
        self._advance()

    def end_shard(self, shard: str) -> None:
        counts = self.counts
        counts.shards += 1
        counts.bytes = self._shard_start + self.sizes.get(shard, 0)  # every byte of the shard is read
        self._advance()

    def _advance(self) -> None:
        if not self.quiet:
            self.sink.rescale(*self.counts.measure())
            self.sink.advance(0)

    def __enter__(self) -> CheckProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.sink.close()


def _images(shard: str, chunks: list, fmt: str | None) -> int | None:
    if all(chunk.images is not None for chunk in chunks):
        return sum(chunk.images for chunk in chunks)  # counted while planning: no second read of the file
    from specdsl.report.progress import expected_records

    return expected_records(Path(shard), fmt)


def _chunk_bytes(chunk, size: int, shard_images: int) -> int:
    """The bytes a chunk covers: its byte range in JSON Lines, its share of a document's images, the file."""
    from specdsl.scale.plan import ChunkKind

    if chunk.kind is ChunkKind.LINES:
        return chunk.stop - chunk.start
    if chunk.kind is ChunkKind.DOCUMENT and shard_images:
        return size * (chunk.images or 0) // shard_images
    return size


def _size(shard: str) -> int:
    """Bytes of a file, or of the files of a folder export (CULane, OpenLane); 0 when unknown (a URL)."""
    try:
        path = Path(shard)
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return os.path.getsize(shard)
    except OSError:
        return 0
