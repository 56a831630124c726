"""Where each image and object of a native export sits in its text, so that a fix rewrites only those it touches.

An export is edited in place: the text of an image no fix touches is copied as it was, and inside a
touched image only the ``objects`` array is rebuilt, from the original text of every untouched object
and a fresh serialisation of each changed one. Untouched objects stay byte-identical, whatever the
input's layout (compact, pretty-printed, key order, number spelling).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


class RawJsonError(ValueError):
    """The text is not the JSON the walker expects (the reader would have reported it first)."""


@dataclass(frozen=True)
class Extent:
    start: int
    end: int


def _skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def _expect(text: str, pos: int, char: str) -> int:
    if text[pos:pos + 1] != char:
        raise RawJsonError(f"expected '{char}' at offset {pos}")
    return pos + 1


def value_end(text: str, pos: int) -> int:
    """The end of the JSON value starting at ``pos``."""
    try:
        return _DECODER.raw_decode(text, pos)[1]
    except json.JSONDecodeError as exc:
        raise RawJsonError(str(exc)) from None


def object_members(text: str, pos: int) -> dict[str, Extent]:
    """Key -> extent of its value, for the JSON object starting at ``pos`` (the last of a repeated key wins,
    as in every JSON reader)."""
    members: dict[str, Extent] = {}
    pos = _skip_ws(text, _expect(text, pos, "{"))
    if text[pos:pos + 1] == "}":
        return members
    while True:
        key_end = value_end(text, pos)
        key = json.loads(text[pos:key_end])
        pos = _skip_ws(text, _expect(text, _skip_ws(text, key_end), ":"))
        end = value_end(text, pos)
        members[key] = Extent(pos, end)
        pos = _skip_ws(text, end)
        if text[pos:pos + 1] == "}":
            return members
        pos = _skip_ws(text, _expect(text, pos, ","))


def array_elements(text: str, pos: int) -> list[Extent]:
    """The extent of each element of the JSON array starting at ``pos``."""
    elements: list[Extent] = []
    pos = _skip_ws(text, _expect(text, pos, "["))
    if text[pos:pos + 1] == "]":
        return elements
    while True:
        end = value_end(text, pos)
        elements.append(Extent(pos, end))
        pos = _skip_ws(text, end)
        if text[pos:pos + 1] == "]":
            return elements
        pos = _skip_ws(text, _expect(text, pos, ","))


def image_extents(text: str, lines: bool) -> list[Extent]:
    """Each image of a native document (``{"images": [...]}``) or of JSON Lines (one per non-blank line)."""
    if lines:
        extents, offset = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = offset + line.index(stripped[0])
                extents.append(Extent(start, start + len(stripped)))
            offset += len(line) + 1
        return extents
    start = _skip_ws(text, 0)
    images = object_members(text, start).get("images")
    if images is None:
        raise RawJsonError("no 'images' array")
    return array_elements(text, images.start)


@dataclass(frozen=True)
class ObjectsArray:
    """An image's ``objects`` array in the image's text: the array and each element."""

    array: Extent
    elements: tuple[Extent, ...]

    def texts(self, image_text: str) -> list[str]:
        return [image_text[e.start:e.end] for e in self.elements]


def objects_array(image_text: str) -> ObjectsArray | None:
    array = object_members(image_text, _skip_ws(image_text, 0)).get("objects")
    if array is None:
        return None
    return ObjectsArray(array, tuple(array_elements(image_text, array.start)))


def rebuild_objects(image_text: str, found: ObjectsArray, pieces: list[str]) -> str:
    """``image_text`` with its ``objects`` array made of ``pieces`` (each an object's JSON text), keeping the
    original whitespace around and between the elements."""
    array, elements = found.array, found.elements
    if not elements or not pieces:
        body = "[" + ", ".join(pieces) + "]"
    else:
        opening = image_text[array.start + 1:elements[0].start]
        closing = image_text[elements[-1].end:array.end - 1]
        separator = image_text[elements[0].end:elements[1].start] if len(elements) > 1 else ", "
        body = "[" + opening + separator.join(pieces) + closing + "]"
    return image_text[:array.start] + body + image_text[array.end:]


def object_texts(image_text: str) -> list[str]:
    """The original text of each object of the image."""
    found = objects_array(image_text)
    return found.texts(image_text) if found is not None else []
