"""The ``<labels>`` declarations in a CVAT XML ``<meta>``: label types and attribute specs.

They tell the reader how to type attribute text (checkbox -> bool, number -> int/float),
and they are offered to callers through :func:`cvat_labels` (e.g. to draft a spec).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specdsl.data.readers.base import ReaderError

# CVAT's own "no value" entry of a radio or select list (its UI shows it blank): specc's generated
# labels start attributes without a spec default on it, and the reader reads it as missing.
UNSET_VALUE = "__undefined__"


@dataclass(frozen=True, slots=True)
class CvatAttribute:
    name: str
    input_type: str  # checkbox, radio, select, text, number
    values: tuple[str, ...]
    default: str | None
    mutable: bool | None


@dataclass(frozen=True, slots=True)
class CvatLabel:
    name: str
    type: str | None  # rectangle, polygon, mask, tag, any ... (None in old exports)
    attributes: dict[str, CvatAttribute]


@dataclass(frozen=True, slots=True)
class CvatMeta:
    labels: dict[str, CvatLabel]
    subsets: tuple[str, ...]
    original_size: tuple[int, int] | None  # (width, height) of video frames


def split_values(text: str | None) -> tuple[str, ...]:
    """New exports separate values by newlines, old ones by spaces."""
    if not text:
        return ()
    parts = text.split("\n") if "\n" in text else text.split()
    return tuple(p.strip() for p in parts if p.strip())


def parse_meta(meta: ET.Element) -> CvatMeta:
    labels = {}
    for label in meta.iter("label"):
        name = label.findtext("name")
        if name is not None:
            labels[name] = _label(name, label)
    subsets = set(split_values(meta.findtext(".//subsets")))
    subsets.update(t.text.strip() for t in meta.iter("subset") if t.text and t.text.strip())
    return CvatMeta(labels, tuple(sorted(subsets)), _original_size(meta))


def _label(name: str, label: ET.Element) -> CvatLabel:
    attributes = {}
    for attr in label.iterfind("attributes/attribute"):
        attr_name = attr.findtext("name")
        if attr_name is None:
            continue
        mutable = attr.findtext("mutable")
        attributes[attr_name] = CvatAttribute(
            attr_name, (attr.findtext("input_type") or "text").strip(), split_values(attr.findtext("values")),
            attr.findtext("default_value"), None if mutable is None else mutable.strip().lower() == "true")
    label_type = label.findtext("type")
    return CvatLabel(name, label_type.strip() if label_type else None, attributes)


def _original_size(meta: ET.Element) -> tuple[int, int] | None:
    size = meta.find(".//original_size")
    if size is None:
        return None
    try:
        return int(size.findtext("width") or ""), int(size.findtext("height") or "")
    except ValueError:
        return None


def is_unset(text: str | None) -> bool:
    """An attribute nobody answered: CVAT's ``__undefined__`` entry or an empty text (the tool's default)."""
    return text is None or text.strip() in ("", UNSET_VALUE)


def typed_value(text: str | None, spec: CvatAttribute | None) -> Any:
    """Attribute text typed by its declaration; undeclared or unparsable text stays a string."""
    text = text or ""
    if spec is None:
        return text
    if spec.input_type == "checkbox" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if spec.input_type == "number":
        return _number(text)
    return text


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def cvat_labels(path: str | Path) -> dict[str, CvatLabel]:
    """The labels declared in a CVAT XML export's ``<meta>``, read without loading the images."""
    for event, elem in iterparse_xml(Path(path)):
        if event == "end" and elem.tag == "meta":
            return parse_meta(elem).labels
    return {}


def iterparse_xml(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """``(event, element)`` for start and end tags; broken XML raises :class:`ReaderError` at its place."""
    try:
        yield from ET.iterparse(path, events=("start", "end"))
    except ET.ParseError as exc:
        line, col = exc.position
        message = str(exc).rsplit(": line ", 1)[0]
        raise ReaderError(path, line, col + 1, f"invalid XML: {message}") from exc
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc
