"""Line numbers of JSON pointers, checked on real export files from shared/realdata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specdsl.report.locate import ExportLineIndex, JsonLines

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
if not REALDATA.exists():
    REALDATA = Path("/work/shared/realdata")
BDD = REALDATA / "bdd100k" / "tests" / "label" / "testcases" / "example_annotation.json"
LABEL_STUDIO = REALDATA / "label-studio-sdk" / "tests" / "custom" / "converter" / "data" / "test_export_coco" / "data.json"
TUSIMPLE = REALDATA / "tusimple-benchmark" / "example" / "label_data.first500.json"
CVAT = REALDATA / "datumaro" / "cvat_dataset" / "for_video" / "annotations.xml"

pytestmark = pytest.mark.skipif(not BDD.exists(), reason="shared/realdata is not next to the checkout")


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


@pytest.mark.parametrize("path", [BDD, LABEL_STUDIO], ids=["bdd100k", "label-studio"])
def test_every_pointer_of_a_real_export_lands_on_its_value(path: Path) -> None:
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
            assert json.dumps(value, ensure_ascii=False) in source_line or str(value).lower() in source_line.lower()
        key = pointer.rsplit("/", 1)[-1]
        if pointer and not isinstance(resolve(document, pointer.rsplit("/", 1)[0] or ""), list):
            assert f'"{key}"' in source_line, (pointer, source_line)
        checked += 1
    assert checked > 100


def test_json_lines_records_are_the_lines_of_the_file() -> None:
    index = JsonLines(TUSIMPLE.read_text(encoding="utf-8"))
    assert index.line("/0") == 1
    assert index.line("") == 1
    assert index.line("/17") == 18
    assert index.line("/images/17/lanes/0") == 18
    assert index.line("/499/raw_file") == 500
    assert index.line("/500") is None
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
    assert lookup(str(BDD), "/0/labels/0") == 7
    assert lookup(str(CVAT), "/0") is None  # XML is not JSON: no lines, no error
    assert lookup(str(tmp_path / "missing.json"), "/0") is None
    assert lookup(str(broken), "/images/0") is None
