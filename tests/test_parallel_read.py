"""Reading an export in two forked halves gives exactly what one pass gives."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, SPECS

from specdsl.compiler import compile_file
from specdsl.data.build import build_dataset
from specdsl.data.parallel import load_split
from specdsl.data.readers import ReadOptions, read_export
from specdsl.validate import run_checks

LANES = compile_file(SPECS / "lanes.spec")


def _export(tmp_path: Path) -> Path:
    import subprocess
    import sys

    path = tmp_path / "lanes.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "3000", str(path), "--seed", "5"], check=True)
    document = json.loads(path.read_text())
    late = document["images"][-3]
    late["objects"][0]["points"] = [[1, "x"]]  # a malformed record in the second half
    late["objects"][1]["class"] = "Lane_line"
    late["attributes"]["weather"] = 7
    document["images"][-1]["objects"][2]["attributes"]["color"] = "teal"
    path.write_text(json.dumps(document))
    return path


def _keys(findings):
    return sorted((f.check, f.image or "", f.objects, f.pointer, f.message) for f in findings)


def test_two_halves_equal_one_pass(tmp_path) -> None:
    path = _export(tmp_path)
    serial = build_dataset(read_export(path), str(path))
    split = load_split(path, ReadOptions())
    assert split is not None
    assert split.images.ids == serial.images.ids
    assert split.n_objects == serial.n_objects
    assert sorted(split.tables) == sorted(serial.tables)
    for name, table in serial.tables.items():
        other = split.tables[name]
        assert other.ids == table.ids
        assert (other.image_index == table.image_index).all()
        assert (other.geometry.points.coords == table.geometry.points.coords).all()
        for attr, column in table.attributes.items():
            assert list(other.attributes[attr].values()) == list(column.values())
    findings = run_checks(LANES, split)
    assert _keys(findings) == _keys(run_checks(LANES, serial))
    assert {"schema", "lane_line.color", "image.weather"} <= {f.check for f in findings}


def test_jsonl_and_small_files_are_not_split(tmp_path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "objects": []}\n{"id": "b", "objects": []}\n')
    assert load_split(path, ReadOptions()) is None
