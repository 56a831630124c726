"""Line numbers of JSON pointers in export files, so that CI annotations land on the right line.

Skipping a value is delegated to the C JSON decoder (``raw_decode``); only the containers on the
way to a pointer are walked in Python, and each container's children are indexed once.
"""

from __future__ import annotations

import itertools
import json
import re
from json.decoder import scanstring
from pathlib import Path

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_CHUNK = 1 << 16
MAX_EXPORT_BYTES = 256 << 20  # beyond this, annotations go without a line rather than hold the text


class JsonLines:
    """One export's text: a JSON document, or JSON Lines (one image per line)."""

    def __init__(self, text: str):
        self.text = text
        # Newlines counted per chunk, not listed: a 100 MB export has millions of lines.
        chunks = (text.count("\n", start, start + _CHUNK) for start in range(0, len(text), _CHUNK))
        self._newlines_through_chunk = list(itertools.accumulate(chunks))
        self._children: dict[int, list[int] | dict[str, int]] = {}
        self._records = self._record_offsets()

    def line(self, pointer: str) -> int | None:
        try:
            offset = self._offset(pointer)
        except (ValueError, IndexError, KeyError):  # malformed JSON or a pointer it lacks
            return None
        return None if offset is None else self._line_of(offset)

    def _line_of(self, offset: int) -> int:
        chunk = offset // _CHUNK
        before = self._newlines_through_chunk[chunk - 1] if chunk else 0
        return before + self.text.count("\n", chunk * _CHUNK, offset) + 1

    def _offset(self, pointer: str) -> int | None:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []
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

    def _record_offsets(self) -> list[int] | None:
        """None for a single document; the start of every record for JSON Lines.

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
    """``(source, pointer) -> line``, the :data:`RenderContext.pointer_line` hook, reading each export once."""

    def __init__(self) -> None:
        self._exports: dict[str, JsonLines | None] = {}

    def __call__(self, source: str, pointer: str) -> int | None:
        if source not in self._exports:
            self._exports[source] = _load(source)
        export = self._exports[source]
        return export.line(pointer) if export is not None else None


def _load(source: str) -> JsonLines | None:
    path = Path(source)
    try:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            return None
        return JsonLines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, IndexError):  # not a readable JSON export: no lines
        return None
