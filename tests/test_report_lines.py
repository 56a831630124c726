"""Every export format gives a line (and column) to every renderer of ``specc check`` (issue 8, "CI shows where").

Each case writes a small export of one format whose one bad object starts at a known line and
column, runs the real command line (in this process) with every ``--format``, and looks for that
place in the output the way its consumer would: editors in ``concise``, GitHub in workflow
commands and SARIF regions, GitLab in Code Quality lines, people in ``text`` and JUnit bodies.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from specdsl.cli.main import main
from specdsl.report.progress import PlainProgress, expected_records

SPEC = """spec where version 1

class lane: polyline {
  require length >= 500  "Too short."
}

class car: box {
  require area >= 1000000  "Too small."
}
"""
GOOD_LANE = [[0, 0], [400, 500]]
DOCS = "https://example.org/docs/where.html"


@dataclass(frozen=True)
class Case:
    """An export in ``path`` whose one finding is at ``line``:``column``, pointed at by ``pointer``."""

    path: Path
    line: int
    column: int
    pointer: str


def _at(text: str, marker: str) -> tuple[int, int]:
    """1-based line and column of the first ``marker`` in ``text``."""
    offset = text.index(marker)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _write(path: Path, text: str, marker: str, pointer: str) -> Case:
    path.write_text(text, encoding="utf-8")
    return Case(path, *_at(text, marker), pointer)


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def native_json(tmp: Path) -> Case:
    bad = {"id": "bad", "class": "car", "box": [1, 2, 3, 4], "attributes": {}}
    image = {"id": "i1", "width": 640, "height": 480, "attributes": {}, "objects": [
        {"id": "ok", "class": "car", "box": [0, 0, 2000, 2000], "attributes": {}}, bad]}
    text = json.dumps({"spec": "where", "images": [image]}, indent=2)
    return _write(tmp / "export.json", text, '{\n          "id": "bad"', "/images/0/objects/1")


def native_jsonl(tmp: Path) -> Case:
    ok = {"id": "i1", "width": 640, "height": 480, "attributes": {}, "objects": []}
    bad = {"id": "i2", "width": 640, "height": 480, "attributes": {},
           "objects": [{"id": "bad", "class": "car", "box": [1, 2, 3, 4], "attributes": {}}]}
    text = f"{_dumps(ok)}\n\n{_dumps(bad)}\n"
    return _write(tmp / "export.jsonl", text, '{"id":"bad"', "/images/1/objects/0")


def coco(tmp: Path) -> Case:
    ann = {"id": 7, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]}
    ok = {"id": 6, "image_id": 1, "category_id": 3, "bbox": [0, 0, 2000, 2000]}
    text = ('{"images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}],\n'
            ' "categories": [{"id": 3, "name": "car"}],\n'
            f' "annotations": [\n  {_dumps(ok)},\n  {_dumps(ann)}\n ]}}\n')
    return _write(tmp / "coco.json", text, '{"id":7', "/annotations/1")


def label_studio(tmp: Path) -> Case:
    result = {"id": "bad", "type": "rectanglelabels", "from_name": "label", "to_name": "image",
              "original_width": 640, "original_height": 480,
              "value": {"x": 1, "y": 1, "width": 0.1, "height": 0.1, "rectanglelabels": ["car"]}}
    text = ('[{"id": 1, "data": {"image": "a.jpg"}, "annotations": [{"id": 5, "result": [\n'
            f'    {_dumps(result)}\n]}}]}}]\n')
    return _write(tmp / "ls.json", text, '{"id":"bad"', "/0/annotations/0/result/0")


def scalabel(tmp: Path) -> Case:
    label = {"id": "bad", "category": "car", "box2d": {"x1": 1, "y1": 1, "x2": 2, "y2": 2}}
    text = f'[\n {{"name": "a.jpg", "labels": [\n   {_dumps(label)}\n ]}}\n]\n'
    return _write(tmp / "frames.json", text, '{"id":"bad"', "/0/labels/0")


def openlane(tmp: Path) -> Case:
    lane = {"uv": [[1, 2], [3, 4]]}
    text = ('{"file_path": "seg/a.jpg",\n "lane_lines": [\n'
            f'  {_dumps({"uv": [[0, 400], [0, 500]]})},\n  {_dumps(lane)}\n ]}}\n')
    path = tmp / "openlane"
    path.mkdir()
    return _write(path / "frame.json", text, '{"uv":[[1,2]', "/lane_lines/1")


def tusimple(tmp: Path) -> Case:
    h = [100, 300, 500]
    frames = [{"lanes": [[10, 200, 400]], "h_samples": h, "raw_file": "a.jpg"},
              {"lanes": [[10, 200, 400], [5, 6, -2]], "h_samples": h, "raw_file": "b.jpg"}]
    text = "\n".join(_dumps(f) for f in frames) + "\n"
    return _write(tmp / "labels.json", text, "[5,6,-2]", "/lanes/1")


def culane(tmp: Path) -> Case:
    text = "10.5 590 400.5 10\n\n20.5 580 21.5 579\n"
    return _write(tmp / "00000.lines.txt", text, "20.5", "")


def cvat(tmp: Path) -> Case:
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n'
            '  <image id="0" name="a.jpg" width="640" height="480">\n'
            '    <box label="car" xtl="0" ytl="0" xbr="2000" ybr="2000" occluded="0"/>\n'
            '    <box label="car" xtl="1" ytl="1" xbr="2" ybr="2" occluded="0"/>\n'
            '  </image>\n</annotations>\n')
    return _write(tmp / "annotations.xml", text, '<box label="car" xtl="1"', "/annotations/image[1]/box[2]")


CASES = {"native-json": native_json, "native-jsonl": native_jsonl, "coco": coco, "label-studio": label_studio,
         "scalabel": scalabel, "openlane": openlane, "tusimple": tusimple, "culane": culane, "cvat": cvat}
INPUT_FORMAT = {"openlane": "openlane", "culane": "culane"}


def run_check(tmp: Path, case: Case, export: Path, fmt: str, *extra: str) -> str:
    spec = tmp / "where.spec"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp / f"out.{fmt}"
    code = main(["check", str(spec), str(export), "--format", fmt, "-o", str(out), "--progress", "none", "-q",
                 *extra])
    assert code == 1, f"expected findings, got exit {code}"
    return out.read_text(encoding="utf-8")


@pytest.fixture(params=sorted(CASES))
def located(request, tmp_path: Path):
    case = CASES[request.param](tmp_path)
    export = case.path.parent if request.param in INPUT_FORMAT else case.path
    return tmp_path, case, export


def test_json_records_carry_the_line_and_column(located) -> None:
    tmp, case, export = located
    findings = json.loads(run_check(tmp, case, export, "json"))["findings"]
    assert [(f["source"], f["pointer"], f["line"], f["column"]) for f in findings] == [
        (str(case.path), case.pointer, case.line, case.column)]
    lines = run_check(tmp, case, export, "jsonl").splitlines()
    assert [(r["line"], r["column"]) for r in map(json.loads, lines)] == [(case.line, case.column)]


def test_every_human_and_ci_format_shows_the_line(located) -> None:
    tmp, case, export = located
    place = f"{case.path}:{case.line}:{case.column}"
    assert place in run_check(tmp, case, export, "text")
    assert run_check(tmp, case, export, "concise").startswith(place + ": ")
    assert f"line={case.line},col={case.column}," in run_check(tmp, case, export, "github")
    issue = json.loads(run_check(tmp, case, export, "gitlab"))[0]
    assert issue["location"] == {"path": str(case.path), "lines": {"begin": case.line}}
    result = json.loads(run_check(tmp, case, export, "sarif"))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": case.line,
                                                                    "startColumn": case.column}
    failure = ET.fromstring(run_check(tmp, case, export, "junit")).find(".//failure")
    assert place in failure.text


def test_line_oriented_pointers_do_not_repeat_the_path(tmp_path: Path) -> None:
    case = tusimple(tmp_path)
    text = run_check(tmp_path, case, case.path, "text")
    assert f"{case.path}:2:{case.column}#/lanes/1" in text
    assert text.count(str(case.path)) == 1
    assert "labels.json#" not in text
    concise = run_check(tmp_path, case, case.path, "concise")
    assert concise == f"{case.path}:2:{case.column}: lane.require.1 Too short. (at /lanes/1)\n"


def test_read_problems_of_a_tusimple_lane_are_located_in_its_line(tmp_path: Path) -> None:
    text = '{"lanes": [[1, 2, 3]], "h_samples": [1, 2, 3]}\n{"lanes": [[1, 2, 3], [4, 5]], "h_samples": [1, 2, 3]}\n'
    case = _write(tmp_path / "t.json", text, "[4, 5]", "/lanes/1")
    findings = json.loads(run_check(tmp_path, case, case.path, "json"))["findings"]
    schema = [f for f in findings if f["check"] == "schema"]
    assert [(f["pointer"], f["line"], f["column"]) for f in schema] == [("/lanes/1", 2, case.column)]


def test_docs_url_reaches_every_renderer(tmp_path: Path) -> None:
    case = native_json(tmp_path)
    link = f"{DOCS}#class-car"
    for fmt in ("text", "github", "gitlab", "junit", "sarif", "json", "jsonl"):
        assert link in run_check(tmp_path, case, case.path, fmt, "--docs-url", DOCS), fmt
    record = json.loads(run_check(tmp_path, case, case.path, "jsonl", "--docs-url", DOCS))
    assert record["help_url"] == DOCS + record["help"]


def test_output_file_is_replaced_whole_and_a_bad_place_is_a_clear_error(tmp_path: Path, capsys) -> None:
    case = native_json(tmp_path)
    spec = tmp_path / "where.spec"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "report.json"
    out.write_text("x" * 100000, encoding="utf-8")
    assert main(["check", str(spec), str(case.path), "--format", "json", "-o", str(out), "-q"]) == 1
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["errors"] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
    missing = tmp_path / "no" / "such" / "dir" / "report.json"
    assert main(["check", str(spec), str(case.path), "--output-file", str(missing), "-q"]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not missing.exists()


def test_plain_progress_says_the_total_and_percent(tmp_path: Path) -> None:
    case = tusimple(tmp_path)
    total = expected_records(case.path)
    assert total == 2
    stream = io.StringIO()
    with PlainProgress(total, "images", stream, interval=0.0) as progress:
        progress.advance(1)
    assert stream.getvalue().splitlines()[0] == "checked 1/2 images (50%)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_progress_total_is_the_number_of_images_read(tmp_path: Path, name: str) -> None:
    case = CASES[name](tmp_path)
    export = case.path.parent if name in INPUT_FORMAT else case.path
    spec = tmp_path / "where.spec"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "report.json"
    main(["check", str(spec), str(export), "--format", "json", "-o", str(out), "-q"])
    images = json.loads(out.read_text(encoding="utf-8"))["summary"]["images"]
    assert expected_records(export, INPUT_FORMAT.get(name)) in (images, None)
