"""Line and column of JSON pointers: the value starts exactly there, in documents and in line records."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.data.build import build_dataset
from specdsl.data.mapping import apply_mapping, load_mapping
from specdsl.data.readers.base import ReaderError
from specdsl.data.readers.xml_events import iterparse_positioned, position_of
from specdsl.data.records import ImageRecord, TextPosition
from specdsl.report.finding import Finding
from specdsl.report.locate import ExportLineIndex, JsonLines, locate_findings

KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4)
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=6)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=20)


def pointers(value, prefix: str = ""):
    yield prefix, value
    items = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else ()
    for key, child in items:
        yield from pointers(child, f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}")


def value_at(text: str, line: int, column: int):
    """The JSON value that starts at 1-based ``line``:``column`` of ``text``."""
    offset = sum(len(row) + 1 for row in text.split("\n")[:line - 1]) + column - 1
    return json.JSONDecoder().raw_decode(text, offset)[0]


@settings(max_examples=150, deadline=None)
@given(VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_every_pointer_of_a_document_lands_on_its_value(document, indent, ascii_only) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only)
    index = JsonLines(text)
    for pointer, value in pointers(document):
        line, column = index.position(pointer)
        assert value_at(text, line, column) == value, pointer


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(KEYS, VALUES, min_size=1, max_size=3), min_size=1, max_size=6), st.data())
def test_pointers_inside_a_line_record_land_on_their_value(records, data) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    text = "\n".join(lines) + "\n"
    index = JsonLines(text)
    k = data.draw(st.integers(0, len(records) - 1))
    for pointer, value in pointers(records[k]):
        line, column = index.position_in_line(k + 1, pointer)
        assert line == k + 1
        assert value_at(text, line, column) == value


def test_lines_beyond_the_file_and_missing_pointers_have_no_position() -> None:
    index = JsonLines('{"a": [1, 2]}\n{"b": 3}\n')
    assert index.position_in_line(2, "/b") == (2, 7)
    assert index.position_in_line(3, "") is None
    assert index.position_in_line(1, "/a/5") is None
    assert index.position("/0/a/1") == (1, 11)


def test_locating_keeps_reader_positions_and_fills_the_rest(tmp_path: Path) -> None:
    export = tmp_path / "t.json"
    export.write_text('{"lanes": [[1, 2], [3, 4]]}\n{"lanes": [[5]]}\n', encoding="utf-8")
    from_reader = Finding("c", "rule", "error", "i", (), "m", str(export), "/x", "s.spec:1:1", line=7, column=3)
    in_line = Finding("c", "rule", "error", "i", (), "m", str(export), "/lanes/0", "s.spec:1:1", line=2)
    gone = Finding("c", "rule", "error", "i", (), "m", str(tmp_path / "missing.json"), "/a", "s.spec:1:1")
    located = locate_findings([from_reader, in_line, gone], ExportLineIndex())
    assert [(f.line, f.column) for f in located] == [(7, 3), (2, 12), (None, None)]


def test_a_mapping_keeps_the_positions_of_the_objects_it_keeps(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.toml"
    mapping_file.write_text('drop = ["Tree"]\n\n[classes]\nCar = "car"\n', encoding="utf-8")
    objects = [{"id": "1", "class": "Tree"}, {"id": "2", "class": "Car"}]
    record = ImageRecord({"id": "i", "objects": objects}, "x.xml", "/img", ["/img/box[1]", "/img/box[2]"],
                         TextPosition(3, 3), [TextPosition(4, 5), TextPosition(5, 5)])
    mapped = apply_mapping(record, load_mapping(mapping_file))
    assert (mapped.object_pointers, mapped.object_positions) == (["/img/box[2]"], [TextPosition(5, 5)])
    dataset = build_dataset([mapped], "x.xml")
    assert dataset.images.positions == [TextPosition(3, 3)]
    assert dataset.object_position(0, 0) == TextPosition(5, 5)


def test_xml_elements_know_their_start_and_broken_xml_is_located(tmp_path: Path) -> None:
    good = tmp_path / "a.xml"
    good.write_text('<a>\n  <b x="\u00e9\u00e9"/><c/>\n</a>\n', encoding="utf-8")
    starts = {e.tag: position_of(e) for event, e in iterparse_positioned(good) if event == "start"}
    assert starts == {"a": TextPosition(1, 1), "b": TextPosition(2, 3), "c": TextPosition(2, 14)}
    broken = tmp_path / "b.xml"
    broken.write_text("<a>\n  <b></a>\n", encoding="utf-8")
    try:
        list(iterparse_positioned(broken))
    except ReaderError as exc:
        assert (exc.line, exc.col) == (2, 8)
        assert exc.message.startswith("invalid XML: mismatched tag")
    else:
        raise AssertionError("broken XML was read")


def test_positions_are_the_same_when_raw_values_are_copies(monkeypatch) -> None:
    """msgspec hands raw values back as views of the bytes, and their addresses place them; were they
    copies, the children are found by scanning, at the same places."""
    from specdsl.report import locate

    data = b'{"images": [\n  {"id": "a", "objects": [{"id": "o", "points": [[1, 2], [3, 4]]}]},\n  {"id": "b"}\n]}\n'
    pointers = ["/images/0/objects/0/points/1", "/images/1/id", "/images/0/objects/0", "/images/1"]
    expected = [locate.JsonLines(data).position(pointer) for pointer in pointers]
    monkeypatch.setattr(locate, "address", lambda buffer: 0 if isinstance(buffer, bytes) else -1)  # raw: not in data
    assert [locate.JsonLines(data).position(pointer) for pointer in pointers] == expected
    assert expected == [(2, 58), (3, 10), (2, 27), (3, 3)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(KEYS, VALUES, min_size=1, max_size=3), min_size=1, max_size=6),
       st.lists(st.sampled_from(["", " ", "  \t"]), min_size=6, max_size=6), st.booleans(), st.data())
def test_record_positions_land_on_their_value(records, pads, blank_lines, data) -> None:
    """``record_position`` (a record's line and line start known, no newline counted) lands where the value
    is, whatever blank lines and indentation lie around the records, and non-ASCII text before it."""
    rows = [pads[k] + json.dumps(r, ensure_ascii=False) for k, r in enumerate(records)]
    text = ("\n\n" if blank_lines else "\n").join(rows) + "\n"
    index = JsonLines(text)
    k = data.draw(st.integers(0, len(records) - 1))
    for pointer, value in pointers(records[k]):
        line, column = index.record_position(k, pointer)
        assert value_at(text, line, column) == value, pointer
