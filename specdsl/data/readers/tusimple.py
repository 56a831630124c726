"""TuSimple lane JSON lines, a batch of lines at a time, with an optional per-lane class file.

Each line ``{"lanes": [[x, ...], ...], "h_samples": [y, ...], "raw_file": ...}`` is one
image (id ``raw_file``). Lane ``k`` keeps the points whose x is not ``-2`` (TuSimple's
"no marking on this row"); a lane with no point is skipped but still numbered, so
object ids and pointers are the lane's index in ``lanes``. A class file (one line per
frame, one int per lane, aligned line by line) adds the attribute ``class_id``.

Locations (docs/formats.md): the source is the file, the position the frame's line, and the
pointer is into that line's record: ``""`` for the frame, ``/lanes/K`` for a lane.

Like the native reader, lines are decoded by orjson a batch at a time, and a well-formed batch
is converted with numpy: the x of every lane, the y of its row and the ``-2`` mask are arrays over
the whole batch, and each lane's points are one slice of one list. A batch with anything
malformed is read frame by frame, which names each problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from specdsl.data.geometry_parse import types_of
from specdsl.data.readers.base import Issues, Item, ReadOptions, image_size, new_image, numbers, read_bytes
from specdsl.data.readers.native import gc_paused, numbered_lines
from specdsl.data.records import ImageRecord, TextPosition

TUSIMPLE_SIZE = (1280, 720)
MISSING_X = -2
DECODE_BATCH = 500
_NUMBER_TYPES = {int, float}

Line = tuple[int, bytes]  # 1-based line number and its bytes


def read_tusimple(path: Path, options: ReadOptions) -> Iterator[Item]:
    frames = Frames(str(path), options)
    lines = numbered_lines(read_bytes(path))
    with gc_paused():  # every list made here stays alive in the dataset: collecting mid-way is wasted work
        for start in range(0, len(lines), DECODE_BATCH):
            batch = lines[start:start + DECODE_BATCH]
            records = frames.fast_batch(batch)
            if records is not None:
                yield from records
                continue
            for line in batch:
                yield from frames.one(line)


def _class_file_lines(class_file: Path | None) -> dict[int, bytes] | None:
    """Line number -> text of the class file (every line, blank ones too: they align with the frames)."""
    if class_file is None:
        return None
    data = read_bytes(Path(class_file))
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":  # the newline that ends the last line starts no line of its own
        lines.pop()
    return dict(enumerate(lines, start=1))


class Frames:
    """Turns TuSimple lines into records, collecting the problems of the file."""

    def __init__(self, source: str, options: ReadOptions) -> None:
        self.source, self.options = source, options
        self.name = Path(source).name
        self.issues = Issues(source)
        self.classes = _class_file_lines(options.class_file)
        self.size = image_size(options, TUSIMPLE_SIZE)

    def fast_batch(self, batch: list[Line]) -> list[Item] | None:
        """Records (and class-file issues) of a well-formed batch; None when a frame needs a closer look."""
        try:
            decoded = orjson.loads(b"[" + b",".join(line for _, line in batch) + b"]")
        except orjson.JSONDecodeError:
            return None
        lanes = _well_formed_lanes(decoded, len(batch))
        if lanes is None:
            return None
        points, lane_counts, starts, ends = lanes
        items: list[Item] = []
        first_lane = 0
        for frame, (line_no, _), n_lanes in zip(decoded, batch, lane_counts, strict=True):
            spans = zip(starts[first_lane:first_lane + n_lanes], ends[first_lane:first_lane + n_lanes], strict=True)
            first_lane += n_lanes
            image_id = self._image_id(frame, line_no)
            objects = [(k, points[a:b]) for k, (a, b) in enumerate(spans) if b > a]
            items.append(self._record(image_id, line_no, n_lanes, objects))
            items += self.issues.drain()
        return items

    def one(self, line: Line) -> Iterator[Item]:
        """The record of one line read on its own, with every problem it has."""
        record = self._frame(*line)
        if record is not None:
            yield record
        yield from self.issues.drain()

    def _frame(self, line_no: int, line: bytes) -> ImageRecord | None:
        where = TextPosition(line_no, 1)
        try:
            frame = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            self.issues.add("", f"invalid JSON at column {exc.colno}: {exc.msg}", position=where)
            return None
        if not isinstance(frame, dict):
            self.issues.add("", "a TuSimple line must be a JSON object", position=where)
            return None
        image_id = self._image_id(frame, line_no)
        h_samples = numbers(frame.get("h_samples"))
        if h_samples is None or not isinstance(frame.get("lanes"), list):
            self.issues.add("", "a TuSimple frame needs 'lanes' and numeric 'h_samples' lists", image_id,
                            position=where)
            return None
        objects = []
        for k, lane in enumerate(frame["lanes"]):
            xs = numbers(lane)
            if xs is None or len(xs) != len(h_samples):
                self.issues.add(f"/lanes/{k}", f"lane {k} must be {len(h_samples)} numbers, one per h_sample",
                                image_id, (str(k),), TextPosition(line_no))
                continue
            points = [[x, y] for x, y in zip(xs, h_samples, strict=True) if x != MISSING_X]
            if points:
                objects.append((k, points))
        return self._record(image_id, line_no, len(frame["lanes"]), objects)

    def _image_id(self, frame: dict, line_no: int) -> str:
        raw_file = frame.get("raw_file")
        return raw_file if isinstance(raw_file, str) else f"{self.name}:{line_no}"

    def _record(self, image_id: str, line_no: int, n_lanes: int, objects: list[tuple[int, list]]) -> ImageRecord:
        data = new_image(image_id, *self.size, self.options)
        class_ids = self._class_ids(line_no, n_lanes, image_id)
        lane_class = self.options.lane_class
        data["objects"] = [{"id": str(k), "class": lane_class, "points": points,
                            "attributes": {} if class_ids is None else {"class_id": class_ids[k]}}
                           for k, points in objects]
        # One position object for every lane of the frame: the column is found only for findings.
        in_line = TextPosition(line_no)
        return ImageRecord(data, self.source, "", [f"/lanes/{k}" for k, _ in objects], TextPosition(line_no, 1),
                           [in_line] * len(objects))

    def _class_ids(self, line_no: int, n_lanes: int, image_id: str) -> list[int] | None:
        if self.classes is None:
            return None
        class_file, where = self.options.class_file, TextPosition(line_no, 1)
        text = self.classes.get(line_no)
        if text is None:
            self.issues.add("", f"the class file {class_file} has no line for this frame", image_id, position=where)
            return None
        try:
            ids = [int(v) for v in text.split()]
        except ValueError:
            self.issues.add("", f"{class_file}:{line_no}: class ids must be integers", image_id, position=where)
            return None
        if len(ids) != n_lanes:
            self.issues.add("", f"{class_file}:{line_no} has {len(ids)} class ids for {n_lanes} lanes", image_id,
                            position=where)
            return None
        return ids


def _well_formed_lanes(decoded: Any, expected: int) -> tuple[list, list[int], list[int], list[int]] | None:
    """The kept points of every lane of a batch as one list of ``[x, y]``, lanes per frame, and each
    lane's slice of that list; None unless every frame is an object with numeric ``h_samples`` and
    ``lanes`` of as many numbers each."""
    if not isinstance(decoded, list) or len(decoded) != expected or types_of(decoded) != {dict}:
        return None
    h_lists = [frame.get("h_samples") for frame in decoded]
    lanes = [frame.get("lanes") for frame in decoded]
    if types_of(h_lists) != {list} or types_of(lanes) != {list}:
        return None
    all_lanes = list(chain.from_iterable(lanes))
    if all_lanes and types_of(all_lanes) != {list}:
        return None
    h_lens = np.fromiter(map(len, h_lists), dtype=np.int64, count=len(h_lists))
    lane_counts = np.fromiter(map(len, lanes), dtype=np.int64, count=len(lanes))
    lane_lens = np.fromiter(map(len, all_lanes), dtype=np.int64, count=len(all_lanes))
    if not np.array_equal(lane_lens, np.repeat(h_lens, lane_counts)):
        return None
    arrays = _numbers(list(chain.from_iterable(all_lanes))), _numbers(list(chain.from_iterable(h_lists)))
    if arrays[0] is None or arrays[1] is None:
        return None
    xs, hs = arrays
    lane_starts = np.cumsum(lane_lens) - lane_lens
    frame_of_lane = np.repeat(np.arange(len(decoded)), lane_counts)
    h_starts = (np.cumsum(h_lens) - h_lens)[frame_of_lane]
    # The i-th x of a lane lies on the frame's i-th row: index of that row in the batch's h_samples.
    row = np.arange(len(xs)) - np.repeat(lane_starts - h_starts, lane_lens)
    keep = xs != MISSING_X
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    points = np.column_stack([xs[keep], hs[row[keep]]]).tolist()
    return (points, lane_counts.tolist(), kept_before[lane_starts].tolist(),
            kept_before[lane_starts + lane_lens].tolist())


def _numbers(values: list) -> np.ndarray | None:
    """An array of JSON numbers (ints stay ints, so points read as written); None for anything else."""
    found = types_of(values)
    if not found <= _NUMBER_TYPES:
        return None
    try:
        return np.fromiter(values, dtype=np.int64 if found == {int} else np.float64, count=len(values))
    except OverflowError:  # an integer beyond 64 bits: the one-by-one path reads it as Python does
        return None
