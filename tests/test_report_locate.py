"""Line numbers of JSON pointers, checked on real export files (vendored in tests/data; BDD100K opt-in)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import DATA

from specdsl.report.locate import ExportLineIndex, JsonLines

SCALABEL = DATA / "scalabel" / "examples" / "image_list_with_auto_labels.json"
LABEL_STUDIO = DATA / "label-studio-sdk" / "tests" / "custom" / "converter" / "data" / "test_export_coco" / "data.json"
LABEL_STUDIO_TABS = DATA / "label-studio-converter" / "tests" / "data" / "test_export_yolo" / "data_obb.json"
TUSIMPLE = DATA / "tusimple-benchmark" / "example" / "label_data.first50.json"
CVAT = DATA / "datumaro" / "cvat_dataset" / "for_video" / "annotations.xml"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
BDD = "bdd100k/tests/label/testcases/example_annotation.json"


def resolve(document, pointer: str):
    for token in pointer.split("/")[1:]:
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def pointers(document, prefix: str = "", depth: int = 8):
    """Every pointer into ``document`` down to ``depth`` levels."""
    yield prefix
    if depth == 0:
        return
    items = enumerate(document) if isinstance(document, list) else document.items() if isinstance(document, dict) else ()
    for key, value in items:
        yield from pointers(value, f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}", depth - 1)


def assert_every_pointer_lands_on_its_value(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document, index, lines = json.loads(text), JsonLines(text), text.splitlines()
    checked = 0
    for pointer in pointers(document):
        line = index.line(pointer)
        value = resolve(document, pointer)
        source_line = lines[line - 1]
        if isinstance(value, (dict, list)):
            assert source_line.rstrip().endswith(("{", "[", "{}", "[]", "},", "],")), (pointer, source_line)
        else:  # a scalar is written on the line that holds it
            assert written_on(value, source_line), (pointer, source_line)
        key = pointer.rsplit("/", 1)[-1]
        if pointer and not isinstance(resolve(document, pointer.rsplit("/", 1)[0] or ""), list):
            assert f'"{key}"' in source_line, (pointer, source_line)
        checked += 1
    assert checked > 100


def written_on(value, source_line: str) -> bool:
    """The scalar's text is on the line: floats by value (files may carry more digits than a double keeps)."""
    if isinstance(value, float):
        return any(float(number) == value for number in NUMBER.findall(source_line))
    spellings = (json.dumps(value, ensure_ascii=False), str(value))
    return any(spelling.lower() in source_line.lower() for spelling in spellings)


@pytest.mark.parametrize("path", [SCALABEL, LABEL_STUDIO, LABEL_STUDIO_TABS],
                         ids=["scalabel", "label-studio", "label-studio-tabs"])
def test_every_pointer_of_a_real_export_lands_on_its_value(path: Path) -> None:
    assert_every_pointer_lands_on_its_value(path)


def test_every_pointer_of_the_bdd100k_export_lands_on_its_value(realdata: Path) -> None:
    assert_every_pointer_lands_on_its_value(realdata / BDD)


def test_json_lines_records_are_the_lines_of_the_file() -> None:
    index = JsonLines(TUSIMPLE.read_text(encoding="utf-8"))
    assert index.line("/0") == 1
    assert index.line("") == 1
    assert index.line("/17") == 18
    assert index.line("/images/17/lanes/0") == 18
    assert index.line("/49/raw_file") == 50
    assert index.line("/50") is None
    assert index.line("/x/1") is None


def test_missing_pointers_and_escaped_tokens() -> None:
    index = JsonLines('{\n  "a/b": {\n    "~c": [\n      1,\n      2\n    ]\n  }\n}\n')
    assert index.line("/a~1b/~0c/1") == 5
    assert index.line("") == 1
    for missing in ("/nope", "/a~1b/~0c/7", "/a~1b/~0c/x", "/a~1b/~0c/0/deeper"):
        assert index.line(missing) is None


def test_export_index_reads_each_file_once_and_gives_up_quietly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"images": [', encoding="utf-8")
    lookup = ExportLineIndex()
    assert lookup(str(SCALABEL), "/0/labels/0") == 10  # the "{" opening the first label
    assert lookup(str(CVAT), "/0") is None  # XML is not JSON: no lines, no error
    assert lookup(str(tmp_path / "missing.json"), "/0") is None
    assert lookup(str(broken), "/images/0") is None
