"""Lines and columns of findings in export files, so that every format can say where.

Readers that know a position for free give it (CVAT XML through expat, CULane lines, TuSimple
frames); for JSON the position is found here, after checking, only for the findings there are:
the JSON pointer is followed through the file's text. Skipping a value is delegated to the C JSON
decoder (``raw_decode``); only the containers on the way to a pointer are walked in Python, and
each container's children are indexed once.

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
import json
import re
from collections.abc import Iterable
from functools import cached_property
from json.decoder import scanstring
from pathlib import Path

from specdsl.report.finding import Finding

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_CHUNK = 1 << 16
MAX_EXPORT_BYTES = 256 << 20  # beyond this, findings go without a line rather than hold the text

Position = tuple[int, int]  # 1-based (line, column); columns count Unicode code points, as SARIF's


class JsonLines:
    """One export's text: a JSON document, or JSON Lines (one image per line)."""

    def __init__(self, text: str):
        self.text = text
        # Newlines counted per chunk, not listed: a 100 MB export has millions of lines.
        chunks = (text.count("\n", start, start + _CHUNK) for start in range(0, len(text), _CHUNK))
        self._newlines_through_chunk = list(itertools.accumulate(chunks))
        self._children: dict[int, list[int] | dict[str, int]] = {}

    def line(self, pointer: str) -> int | None:
        position = self.position(pointer)
        return None if position is None else position[0]

    def position(self, pointer: str) -> Position | None:
        """Line and column of the value ``pointer`` names in the file; None if it names nothing."""
        try:
            offset = self._offset(pointer)
        except (ValueError, IndexError, KeyError):  # malformed JSON or a pointer it lacks
            return None
        return None if offset is None else self._position_of(offset)

    def position_in_line(self, line: int, pointer: str) -> Position | None:
        """Line and column of the value ``pointer`` names in the JSON record on ``line``."""
        start = self._line_start(line)
        if start is None:
            return None
        end = self.text.find("\n", start)
        record = _skip_ws(self.text, start)
        if record >= (len(self.text) if end < 0 else end):  # a blank line holds no record
            return None
        try:
            offset = self._follow(record, _tokens(pointer))
        except (ValueError, IndexError, KeyError):
            return None
        return self._position_of(offset)

    def _position_of(self, offset: int) -> Position:
        chunk = offset // _CHUNK
        before = self._newlines_through_chunk[chunk - 1] if chunk else 0
        line = before + self.text.count("\n", chunk * _CHUNK, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def _line_start(self, line: int) -> int | None:
        """Offset of the first character of 1-based ``line``: its chunk by bisection, then a scan of that chunk."""
        if line == 1:
            return 0
        counts = self._newlines_through_chunk
        if line < 1 or not counts or line - 1 > counts[-1]:
            return None
        chunk = bisect.bisect_left(counts, line - 1)  # the chunk holding the (line - 1)-th newline
        position = chunk * _CHUNK - 1
        for _ in range(line - 1 - (counts[chunk - 1] if chunk else 0)):
            position = self.text.index("\n", position + 1)
        return position + 1

    def _offset(self, pointer: str) -> int | None:
        tokens = _tokens(pointer)
        if self._records is None:
            position = _skip_ws(self.text, 0)
        else:  # JSON Lines: "/N/..." or "/images/N/..." names the N-th record, "" the whole file
            if not tokens:
                return 0
            if tokens[:1] == ["images"]:
                tokens = tokens[1:]
            if not tokens or not tokens[0].isdigit():
                return None
            position, tokens = self._records[int(tokens[0])], tokens[1:]
        return self._follow(position, tokens)

    def _follow(self, position: int, tokens: list[str]) -> int:
        for token in tokens:
            position = self._child(position, token)
        return position

    def _child(self, position: int, token: str) -> int:
        children = self._children.get(position)
        if children is None:
            children = self._children[position] = _index_container(self.text, position)
        if isinstance(children, list):
            if not token.isdigit():
                raise KeyError(token)
            return children[int(token)]
        return children[token]

    @cached_property
    def _records(self) -> list[int] | None:
        """None for a single document; the start of every record for JSON Lines (computed on first use).

        JSON Lines is told apart by its first line alone being a complete value with more after
        it, so that a large single document is not parsed just to learn that it is one.
        """
        start = _skip_ws(self.text, 0)
        first_line_end = self.text.find("\n", start)
        if first_line_end < 0 or _skip_ws(self.text, first_line_end) >= len(self.text):
            return None
        try:
            _, end = _DECODER.raw_decode(self.text[:first_line_end], start)
        except ValueError:  # the first line is not a whole value: one (pretty-printed) document
            return None
        if _skip_ws(self.text, end) < first_line_end:
            return None
        offsets, position = [], start
        while position < len(self.text):
            offsets.append(position)
            _, end = _DECODER.raw_decode(self.text, position)
            position = _skip_ws(self.text, end)
        return offsets


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _skip_ws(text: str, position: int) -> int:
    return _WS.match(text, position).end()


def _index_container(text: str, position: int) -> list[int] | dict[str, int]:
    """Start offsets of the elements of the array, or the values of the object, at ``position``."""
    opening = text[position]
    if opening not in "[{":
        raise KeyError("not a container")
    closing = "]" if opening == "[" else "}"
    items: list[int] = []
    keys: dict[str, int] = {}
    position = _skip_ws(text, position + 1)
    while text[position] != closing:
        if opening == "{":
            key, position = scanstring(text, position + 1)
            position = _skip_ws(text, _skip_ws(text, position) + 1)  # past the colon
            keys.setdefault(key, position)
        else:
            items.append(position)
        _, end = _DECODER.raw_decode(text, position)
        position = _skip_ws(text, end)
        if text[position] == ",":
            position = _skip_ws(text, position + 1)
    return items if opening == "[" else keys


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
    path = Path(source)
    try:
        if not path.is_file() or path.stat().st_size > MAX_EXPORT_BYTES or _looks_like_xml(path):
            return None
        return JsonLines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, IndexError):  # not a readable JSON export: no lines
        return None


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
