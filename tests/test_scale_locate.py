"""Findings of a native JSON document checked in chunks are located by the chunk's task (in the worker),
at the lines and columns report/locate.py finds in the whole file; the parent has nothing left to find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from specdsl.compiler import compile_source
from specdsl.data import load_export
from specdsl.data.readers import ReadOptions
from specdsl.report.locate import locate_findings
from specdsl.scale.plan import ChunkSize, forget_document, plan_chunks
from specdsl.scale.run import check_export
from specdsl.source import Source
from specdsl.validate import run_checks


@pytest.fixture(scope="module")
def spec():
    result = compile_source(Source("lanes.spec", (ROOT / "specs" / "lanes.spec").read_text()))
    assert result.ok, result.diagnostics
    return result.spec


def _image(i: int) -> dict:
    objects = [
        {"id": f"ligne-é{i}", "class": "lane_line", "points": [[10, 700], [12, 600 - i % 3 * 299]],
         "attributes": {"color": ["white", "orange", "yellow"][i % 3], "style": "solid"}},
        {"id": "v", "class": "vehicle", "box": [100, 100, 3, 3] if i % 2 else [100, 100, 40, 30], "attributes": {"blinker": "off"}},
    ]
    if i % 5 == 1:
        objects.append({"id": "v", "class": "vehicle", "box": [1, 1, "wide", 50]})  # two schema problems
    return {"id": f"img{i}", "width": 1920, "height": 1080, "attributes": {"weather": "dry"}, "objects": objects}


def _document(tmp_path: Path, indent: int | None) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"spec": "lanes", "images": [_image(i) for i in range(40)]}, indent=indent,
                               ensure_ascii=False), encoding="utf-8")
    return path


def _chunk_findings(spec, path: Path, jobs: int) -> list:
    chunks = plan_chunks(str(path), None, ChunkSize(images=6))
    try:
        return check_export(spec, str(path), chunks, ReadOptions(), jobs).findings
    finally:
        forget_document(str(path))


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("jobs", [1, 2])
def test_document_chunks_come_back_located_as_the_whole_file_locates_them(spec, tmp_path, indent, jobs):
    path = _document(tmp_path, indent)
    whole = [f for f in run_checks(spec, load_export(path)) if f.kind != "quota"]  # quotas: merged by the parent
    expected = sorted(locate_findings(whole), key=lambda f: f.sort_key())
    found = sorted(_chunk_findings(spec, path, jobs), key=lambda f: f.sort_key())
    assert [f.to_dict() for f in found] == [f.to_dict() for f in expected]
    assert {f.kind for f in found} >= {"schema", "constraint"}
    assert all(f.line is not None for f in found)
    assert len({f.line for f in found}) > 1 if indent else {f.line for f in found} == {1}


def test_a_document_too_large_to_locate_is_not_located_in_chunks_either(spec, tmp_path, monkeypatch):
    import specdsl.report.locate as locate

    path = _document(tmp_path, None)
    monkeypatch.setattr(locate, "MAX_EXPORT_BYTES", path.stat().st_size - 1)
    findings = _chunk_findings(spec, path, 1)
    assert findings
    assert all(f.line is None for f in findings)
    assert all(f.line is None for f in locate_findings(findings))


def _naive_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8")) + 1


@pytest.mark.parametrize("newlines", ["none", "some"])
def test_positions_inside_lines_longer_than_the_newline_index_chunks(newlines):
    from specdsl.report.locate import JsonLines

    long_line = "é" * 40_000 + "x" * 100_000  # about 3 index chunks of 64 KB without a newline
    value = {"pad": long_line, "images": [{"id": f"i{k}", "note": "ü" * k} for k in range(50)], "tail": long_line}
    text = json.dumps(value, ensure_ascii=False, indent=None if newlines == "none" else 1)
    data = text.encode("utf-8")
    lines = JsonLines(data)
    # every 997th byte that starts a character and a value's text (not a blank)
    offsets = [o for o in range(0, len(data), 997) if data[o] not in b" \n" and data[o] & 0xC0 != 0x80]
    assert len(offsets) > 250
    assert [lines.position_from((o, 1), "") for o in offsets] == [_naive_position(data, o) for o in offsets]
