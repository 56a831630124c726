"""Lines and columns of findings in export files, so that every format can say where.

Readers that know a position for free give it (CVAT XML through expat, CULane lines, TuSimple
frames); for JSON the position is found here, after checking, only for the findings there are:
the JSON pointer is followed through the file's bytes. Each container on the way is split into
its children by msgspec as raw slices of the file (no Python objects for the values), so the
offset of a child is where its slice lies in the file; each container is split once.

Two kinds of pointer are followed (docs/formats.md, "Locations"):

- a finding without a line: the pointer is into the whole file (a JSON document, or native JSON
  Lines where ``/images/K`` names the K-th record);
- a finding with a line but no column (a TuSimple lane): the pointer is into the JSON record on
  that line, which gives the column.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import msgspec
import numpy as np

from specdsl.data.readers.native import address
from specdsl.report.finding import Finding

_CHUNK = 1 << 16
MAX_EXPORT_BYTES = 256 << 20  # beyond this, findings go without a line rather than hold the file
_WS = re.compile(rb"[ \t\n\r]*")
_SEPARATOR = re.compile(rb"[ \t\n\r,]*")  # between the elements of an array
# Between the values of an object: separators, the member's key (a JSON string) and its colon.
_MEMBER_KEY = re.compile(rb'[ \t\n\r,]*"(?:[^"\\]|\\.)*"[ \t\n\r]*:[ \t\n\r]*', re.DOTALL)
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ANY = msgspec.json.Decoder(msgspec.Raw)

Position = tuple[int, int]  # 1-based (line, column); columns count Unicode code points, as SARIF's
Span = tuple[int, int]  # byte offset and length of a JSON value in the file


class JsonLines:
    """One export: a JSON document, or JSON Lines (one record per non-blank line)."""

    def __init__(self, data: bytes | str):
        self.data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self._view = memoryview(self.data)
        # Newlines counted per chunk, not listed: a 100 MB export has millions of lines.
        chunks = (self.data.count(b"\n", start, start + _CHUNK) for start in range(0, len(self.data), _CHUNK))
        self._newlines_through_chunk = list(itertools.accumulate(chunks))
        self._children: dict[int, tuple[int, list | dict]] = {}  # container start -> (start, raw children)

    def line(self, pointer: str) -> int | None:
        position = self.position(pointer)
        return None if position is None else position[0]

    def position(self, pointer: str) -> Position | None:
        """Line and column of the value ``pointer`` names in the file; None if it names nothing."""
        try:
            span = self._span(pointer)
        except (msgspec.MsgspecError, ValueError, IndexError, KeyError):  # malformed JSON or a pointer it lacks
            return None
        return None if span is None else self._position_of(span[0])

    def record_position(self, record: int, pointer: str) -> Position | None:
        """Line and column of ``pointer`` inside the ``record``-th JSON Lines record of the data, whatever
        the data looks like as a whole (a chunk of JSON Lines may hold a single record)."""
        records = self._line_records
        if not 0 <= record < len(records.starts):
            return None
        try:
            offset = self._follow(self._line_span(records.starts[record]), _tokens(pointer))[0]
        except (msgspec.MsgspecError, ValueError, IndexError, KeyError):
            return None
        line, line_start = records.lines[record], records.line_starts[record]  # a record is one line
        return line, self._column(line_start, offset)

    @cached_property
    def _line_records(self) -> LineRecords:
        return line_records(self.data)

    def position_in_line(self, line: int, pointer: str) -> Position | None:
        """Line and column of the value ``pointer`` names in the JSON record on ``line``."""
        record = self._line_record(line)
        if record is None:
            return None
        try:
            offset = self._follow(record, _tokens(pointer))[0]
        except (msgspec.MsgspecError, ValueError, IndexError, KeyError):
            return None
        return self._position_of(offset)

    def position_from(self, span: Span, pointer: str) -> Position | None:
        """Line and column of ``pointer`` inside the value at ``span``, a value whose place in the file
        is already known (an image of a split document): nothing above it is split again."""
        try:
            offset = self._follow(span, _tokens(pointer))[0]
        except (msgspec.MsgspecError, ValueError, IndexError, KeyError):
            return None
        return self._position_of(offset)

    def _position_of(self, offset: int) -> Position:
        chunk = offset // _CHUNK
        before = self._newlines_through_chunk[chunk - 1] if chunk else 0
        # a chunk without newlines (inside a long line) is not scanned: nothing to count or find in it
        plain = self._newlines_through_chunk[chunk] == before if chunk < len(self._newlines_through_chunk) else False
        line = before + (0 if plain else self.data.count(b"\n", chunk * _CHUNK, offset)) + 1
        return line, self._column(self._start_of_line(line, chunk, offset, plain), offset)

    def _column(self, line_start: int, offset: int) -> int:
        """The 1-based column, in characters, of ``offset`` on the line starting at ``line_start``."""
        return offset - line_start - self._continuation_bytes(line_start, offset) + 1

    def _start_of_line(self, line: int, chunk: int, offset: int, plain: bool = False) -> int:
        """Where the line holding ``offset`` starts; searched in its own chunk, or in the chunk of the
        newline before it, never back through a long line (a one-line document is megabytes long)."""
        newline = -1 if plain else self.data.rfind(b"\n", chunk * _CHUNK, offset)
        if newline >= 0 or line == 1:
            return newline + 1
        previous = bisect.bisect_left(self._newlines_through_chunk, line - 1)  # chunk of the (line-1)-th newline
        return self.data.rfind(b"\n", previous * _CHUNK, (previous + 1) * _CHUNK) + 1

    def _continuation_bytes(self, start: int, stop: int) -> int:
        """UTF-8 bytes in ``[start, stop)`` that do not start a character: byte columns to character columns."""
        if self._ascii:
            return 0
        first, last = start // _CHUNK, stop // _CHUNK
        if first == last:
            return _count_continuation(self.data[start:stop])
        whole = self._continuation_through_chunk[last - 1] - self._continuation_through_chunk[first]
        return (_count_continuation(self.data[start:(first + 1) * _CHUNK]) + whole
                + _count_continuation(self.data[last * _CHUNK:stop]))

    @cached_property
    def _ascii(self) -> bool:
        return self.data.isascii()

    @cached_property
    def _continuation_through_chunk(self) -> list[int]:
        counts = (_count_continuation(self.data[s:s + _CHUNK]) for s in range(0, len(self.data), _CHUNK))
        return list(itertools.accumulate(counts))

    def _line_start(self, line: int) -> int | None:
        """Byte offset of the first character of 1-based ``line``: its chunk by bisection, then a scan of it."""
        if line == 1:
            return 0
        counts = self._newlines_through_chunk
        if line < 1 or not counts or line - 1 > counts[-1]:
            return None
        chunk = bisect.bisect_left(counts, line - 1)  # the chunk holding the (line - 1)-th newline
        position = chunk * _CHUNK - 1
        for _ in range(line - 1 - (counts[chunk - 1] if chunk else 0)):
            position = self.data.index(b"\n", position + 1)
        return position + 1

    def _line_record(self, line: int) -> Span | None:
        """The span of the JSON value on ``line`` (None for a blank line or one beyond the file)."""
        start = self._line_start(line)
        if start is None:
            return None
        end = self.data.find(b"\n", start)
        end = len(self.data) if end < 0 else end
        record = _WS.match(self.data, start, end).end()
        return None if record >= end else (record, end - record)

    def _span(self, pointer: str) -> Span | None:
        tokens = _tokens(pointer)
        if self._records is None:
            return self._follow((0, len(self.data)), tokens)
        # JSON Lines: "/N/..." or "/images/N/..." names the N-th record, "" the whole file
        if not tokens:
            return (self._records[0], 0) if self._records else None
        if tokens[:1] == ["images"]:
            tokens = tokens[1:]
        if not tokens or not tokens[0].isdigit():
            return None
        return self._follow(self._line_span(self._records[int(tokens[0])]), tokens[1:])

    def _follow(self, span: Span, tokens: list[str]) -> Span:
        if not tokens:  # the value itself: where its first character is
            return self._value_span(span)
        for token in tokens:
            span = self._child(span, token)
        return span

    def _value_span(self, span: Span) -> Span:
        start = _WS.match(self.data, span[0], span[0] + span[1]).end()
        return start, span[0] + span[1] - start

    def _child(self, span: Span, token: str) -> Span:
        children = self._children.get(span[0])
        if children is None:
            children = self._children[span[0]] = self._split(span)
        start, raws = children
        if isinstance(raws, list):
            if not token.isdigit():
                raise KeyError(token)
            raw = raws[int(token)]
        else:
            raw = raws[token]
        offset = address(raw) - self._address  # msgspec's raw values are views of the bytes it decodes
        if 0 <= offset <= len(self.data) - len(raw):
            return offset, len(raw)
        return self._scanned(start, raws)[int(token) if isinstance(raws, list) else token]

    def _split(self, span: Span) -> tuple[int, list[msgspec.Raw] | dict[str, msgspec.Raw]]:
        """Where the array or object in ``span`` starts, and its elements or values as raw slices."""
        start, length = self._value_span(span)
        opening = self.data[start:start + 1]
        if opening not in (b"[", b"{"):
            raise KeyError("not a container")
        piece = self._view[start:start + length]
        if opening == b"[":
            return start, _ARRAY.decode(piece)
        return start, _OBJECT.decode(piece)  # in file order; a repeated key: the last one

    def _scanned(self, start: int, raws: list | dict) -> list[Span] | dict[str, Span]:
        """The spans of a container's children found by scanning from its start past separators and keys,
        for raw values that are copies (never seen, but msgspec does not promise views)."""
        cursor = start + 1
        if isinstance(raws, list):
            items = []
            for raw in raws:
                offset = _SEPARATOR.match(self.data, cursor).end()
                cursor = self._placed(raw, offset)
                items.append((offset, len(raw)))
            return items
        values = {}
        for key, raw in raws.items():
            cursor = self._placed(raw, _MEMBER_KEY.match(self.data, cursor).end())
            values[key] = (cursor - len(raw), len(raw))
        return values

    @cached_property
    def _address(self) -> int:
        return address(self.data)

    def _placed(self, raw: msgspec.Raw, offset: int) -> int:
        """The end of ``raw``, which msgspec found at ``offset`` (only separators and keys lie between values)."""
        if not self.data.startswith(raw, offset):
            raise ValueError("container layout not understood")  # positions are then unknown, never wrong
        return offset + len(raw)

    @cached_property
    def _records(self) -> list[int] | None:
        """None for a single document; every record's span for JSON Lines (found on first use).

        JSON Lines is told apart by its first line alone being a complete value with more after
        it, so that a large single document is not parsed just to learn that it is one.
        """
        first = self._line_record(1) or self._first_record()
        if first is None:
            return None
        start, length = first
        if _WS.match(self.data, start + length).end() >= len(self.data):
            return None  # one value, on one line or not
        try:
            _ANY.decode(self._view[start:start + length])
        except msgspec.MsgspecError:  # the first line is not a whole value: one (pretty-printed) document
            return None
        return line_records(self.data).starts

    def _first_record(self) -> Span | None:
        start = _WS.match(self.data).end()
        return None if start >= len(self.data) else self._line_span(start)

    def _line_span(self, start: int) -> Span:
        end = self.data.find(b"\n", start)
        return start, (len(self.data) if end < 0 else end) - start


@dataclasses.dataclass(frozen=True, slots=True)
class LineRecords:
    """The non-blank lines of JSON Lines data: where each one's value starts, its 1-based line number and
    where the line starts (so that a record's positions need no newline counting)."""

    starts: list[int]
    lines: list[int]
    line_starts: list[int]


def line_records(data: bytes) -> LineRecords:
    """One record per non-blank line, as the native reader reads JSON Lines, so no value needs decoding
    (numpy finds the lines, Python looks only at the few that start with blanks)."""
    array = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(array == 0x0A)
    line_starts = np.concatenate([[0], newlines + 1])
    ends = np.concatenate([newlines, [len(data)]])
    filled = line_starts < ends
    numbers = np.flatnonzero(filled) + 1
    line_starts, ends = line_starts[filled], ends[filled]
    padded = np.isin(array[line_starts], np.frombuffer(b" \t\r", dtype=np.uint8))
    if not padded.any():
        starts = line_starts.tolist()
        return LineRecords(starts, numbers.tolist(), starts)
    found = LineRecords([], [], [])
    for start, end, number, blank_first in zip(line_starts.tolist(), ends.tolist(), numbers.tolist(),
                                               padded.tolist(), strict=True):
        first = _WS.match(data, start, end).end() if blank_first else start
        if first < end:
            found.starts.append(first)
            found.lines.append(number)
            found.line_starts.append(start)
    return found


def _count_continuation(chunk: bytes) -> int:
    array = np.frombuffer(chunk, dtype=np.uint8)
    return int(np.count_nonzero((array & 0xC0) == 0x80))


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


class ExportLineIndex:
    """``(source, pointer) -> line``, and positions for :func:`locate_findings`, reading each export once."""

    def __init__(self) -> None:
        self._exports: dict[str, JsonLines | None] = {}

    def __call__(self, source: str, pointer: str) -> int | None:
        export = self.export(source)
        return export.line(pointer) if export is not None else None

    def export(self, source: str) -> JsonLines | None:
        if source not in self._exports:
            self._exports[source] = _load(source)
        return self._exports[source]

    def locate(self, finding: Finding) -> Finding:
        """``finding`` with the line and column its reader could not give, when the file has them."""
        if finding.line is not None and (finding.column is not None or not finding.pointer):
            return finding
        export = self.export(finding.source)
        if export is None:
            return finding
        if finding.line is None:
            position = export.position(finding.pointer)
        else:
            position = export.position_in_line(finding.line, finding.pointer)
        if position is None:
            return finding
        return dataclasses.replace(finding, line=position[0], column=position[1])


def locate_findings(findings: Iterable[Finding], index: ExportLineIndex | None = None) -> tuple[Finding, ...]:
    """Every finding with the best position known: the reader's, else one found from its pointer."""
    index = index or ExportLineIndex()
    return tuple(index.locate(finding) for finding in findings)


def _load(source: str) -> JsonLines | None:
    from specdsl.data.remote import is_url

    if is_url(source):
        return _load_url(source)
    path = Path(source)
    try:
        if not path.is_file() or path.stat().st_size > MAX_EXPORT_BYTES or _looks_like_xml(path):
            return None
        return JsonLines(path.read_bytes())
    except (OSError, ValueError, IndexError):  # not a readable export: no lines
        return None


def _load_url(url: str) -> JsonLines | None:
    """An export named by a URL (``specc check s3://...``), read through fsspec as a local one is."""
    from specdsl.data.remote import UrlPath

    try:
        with UrlPath(url).open() as handle:
            data = handle.read(MAX_EXPORT_BYTES + 1)
        if len(data) > MAX_EXPORT_BYTES or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return None
        return JsonLines(data)
    except (OSError, ValueError, IndexError):  # unreadable, or fsspec missing: no lines, as for a local file
        return None


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
