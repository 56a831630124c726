"""``iterparse`` for XML exports that also says where each element starts (line and column).

ElementTree's own ``iterparse`` hides its expat parser, so the line of an element is lost. Here
expat drives a C ``TreeBuilder`` directly and stamps every element, as its start tag is read,
with the parser's current position: the cost is one Python call per tag, and the position lives
on the element, so memory is freed with it (a reader that clears the tree as it goes keeps memory
flat). Events come in file order, a chunk of the file at a time.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from specdsl.data.readers.base import ReaderError
from specdsl.data.records import TextPosition

CHUNK_BYTES = 1 << 16


class PositionedElement(ET.Element):
    """An element that remembers where its start tag begins in the file."""

    __slots__ = ("position",)


def position_of(element: ET.Element) -> TextPosition | None:
    return getattr(element, "position", None)


def iterparse_positioned(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """``("start" | "end", element)`` like ``ET.iterparse(path, events=("start", "end"))``, with each
    element's :func:`position_of`; broken XML raises :class:`ReaderError` at its line and column."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc
    with handle:
        yield from _events(path, handle)


def _events(path: Path, handle) -> Iterator[tuple[str, ET.Element]]:
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder(element_factory=PositionedElement)
    pending: list[tuple[str, ET.Element]] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(tag, attributes)
        element.position = TextPosition(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        pending.append(("start", element))

    def end(tag: str) -> None:
        pending.append(("end", builder.end(tag)))

    def refused(text: str) -> None:
        # An entity expat could not expand itself (external, or through an external parameter entity)
        # reaches here: refuse it as ElementTree does, never fetch it (XXE).
        if text.startswith("&"):
            raise ReaderError(path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1,
                              f"invalid XML: undefined entity {text}")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.DefaultHandlerExpand = refused
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True  # one data call per text node, not one per line of it
    final = False
    while not final:
        chunk = handle.read(CHUNK_BYTES)
        final = not chunk
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise ReaderError(path, exc.lineno, exc.offset + 1, f"invalid XML: {expat.ErrorString(exc.code)}") from exc
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            raise ReaderError(path, 1, 1, f"cannot read XML: {exc}") from exc
        yield from pending
        pending.clear()
