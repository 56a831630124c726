"""End-to-end ``specc check`` / ``compile`` / ``test`` / ``explain`` on real files, in fresh processes."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import ROOT, SPECS, git, run_specc

LANES = str(SPECS / "lanes.spec")
EXAMPLE = str(SPECS / "examples" / "lanes.json")
FINDING_KEYS = ["check", "kind", "severity", "image", "objects", "message", "source", "pointer", "spec_location"]

BROKEN = {"spec": "lanes", "images": [
    {"id": "i1", "width": 200, "height": 100, "spec_version": 3, "attributes": {"weather": "fog"},
     "objects": [
         {"id": "o1", "class": "lane_line", "points": [[10, 90], [190, 10]], "attributes": {"color": "orange"}},
         {"id": "o2", "class": "lane_line", "points": [[14, 92], [194, 12]], "attributes": {"color": "white"}},
         {"id": "o3", "class": "lane_line", "points": [[1, 2], [3, "x"]], "attributes": {"color": "white"}},
         {"id": "o3", "class": "lane_line", "points": [[1, 2], [300, 2]], "attributes": {"color": "Purple"}},
         {"id": "o5", "class": "Vehicle", "box": [1, 2, 3, 4], "attributes": {}},
         {"id": "o6", "class": "vehicle", "attributes": {"blinker": "off", "parked": "no"}},
         {"id": "o7", "class": "vehicle", "box": [1, 2, -3, 4], "attributes": {"blinker": "off", "parked": False}}]},
    {"id": "i2", "objects": []},
    "not an image"]}


def _check_json(tmp_path, document, *extra):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    proc = run_specc("check", LANES, str(path), "--format", "json", *extra)
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def test_example_export_passes_with_warnings_only() -> None:
    proc = run_specc("check", LANES, EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert "dashed_is_one_line" in proc.stdout
    assert "specs/lanes.spec:48" in proc.stdout  # the spec line that demanded it
    assert "1 warning in 4 images (9 objects)" in proc.stdout  # the dashed pair, reported once


def test_fail_on_warning_and_exit_zero() -> None:
    assert run_specc("check", LANES, EXAMPLE, "--fail-on", "warning").returncode == 1
    assert run_specc("check", LANES, EXAMPLE, "--fail-on", "warning", "--exit-zero").returncode == 0


def test_json_record_contract(tmp_path) -> None:
    proc, doc = _check_json(tmp_path, BROKEN)
    assert proc.returncode == 1
    assert doc["spec"] == "lanes"
    assert doc["version"] == 3
    assert doc["summary"]["images"] == 3
    assert doc["summary"]["objects"] == 7
    for finding in doc["findings"]:
        assert list(finding)[:9] == FINDING_KEYS
    by_check = {}
    for f in doc["findings"]:
        by_check.setdefault(f["check"], []).append(f)
    rule = by_check["orange_overrides_white"][0]
    assert rule["objects"] == ["o1", "o2"]
    assert rule["kind"] == "rule"
    assert rule["severity"] == "error"
    assert rule["pointer"] == "/images/0/objects/1"
    assert rule["spec_location"].endswith("lanes.spec:40:1")
    assert rule["message"].startswith("Where an orange line runs within 8 px")


def test_malformed_records_are_schema_findings_and_the_rest_is_checked(tmp_path) -> None:
    _, doc = _check_json(tmp_path, BROKEN)
    schema = [(f["pointer"], f["message"]) for f in doc["findings"] if f["kind"] == "schema"]
    messages = " | ".join(m for _, m in schema)
    assert ("/images/0/objects/2", "'points' vertex 1 must be a pair of numbers [x, y], not [3, 'x']") in schema
    assert "duplicate object id 'o3' in image" in messages
    assert "unknown class 'Vehicle'; did you mean 'vehicle'?" in messages
    assert "vehicle is a box: 'box' is missing" in messages
    assert "box width and height must not be negative" in messages
    assert ("/images/2", "an image must be a JSON object, not a string") in schema
    attributes = {(f["check"], tuple(f["objects"])) for f in doc["findings"] if f["kind"] == "attribute"}
    assert ("lane_line.color", ("o3",)) in attributes  # Purple is not in the enum
    assert ("vehicle.parked", ("o6",)) in attributes
    assert any(f["check"] == "image.weather" and f["image"] == "i1" for f in doc["findings"])


def test_unreadable_json_is_exit_2_with_line_and_column(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"images": [\n  {"id": "a",, }\n]}')
    proc = run_specc("check", LANES, str(path))
    assert proc.returncode == 2
    assert f"{path}:2:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_export_and_empty_export(tmp_path) -> None:
    proc = run_specc("check", LANES, str(tmp_path / "nope.json"))
    assert proc.returncode == 2
    assert "nope.json" in proc.stderr
    empty = tmp_path / "empty.json"
    empty.write_text('{"spec": "lanes", "images": []}')
    proc = run_specc("check", LANES, str(empty), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["images"] == 0


def test_jsonl_export_and_jsonl_format(tmp_path) -> None:
    images = json.loads((SPECS / "examples" / "lanes.json").read_text())["images"]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in images) + "\n")
    proc = run_specc("check", LANES, str(path), "--format", "jsonl")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [f["check"] for f in lines] == ["dashed_is_one_line"]  # a symmetric rule: one finding per pair
    assert lines[0]["pointer"].startswith("/images/2/objects/")


def test_spec_errors_exit_2_with_caret(tmp_path) -> None:
    spec = tmp_path / "bad.spec"
    spec.write_text("spec x version 1\nclass a: box { c: enum { red } }\nrule r: error { for o in a where o.c == rde require true }\n")
    proc = run_specc("check", str(spec), EXAMPLE)
    assert proc.returncode == 2
    assert "bad.spec:3:41" in proc.stderr
    assert "^^^" in proc.stderr
    assert "did you mean 'red'?" in proc.stderr
    assert run_specc("compile", str(spec)).returncode == 2


def test_compile_emits_ir_and_a_jsonschema_the_example_satisfies() -> None:
    proc = run_specc("compile", LANES, "--emit", "ir")
    assert proc.returncode == 0
    spec_ir = json.loads(proc.stdout)
    assert spec_ir["name"] == "lanes"
    assert [c["name"] for c in spec_ir["classes"]] == ["lane_line", "vehicle"]
    schema = json.loads(run_specc("compile", LANES, "--emit", "jsonschema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((SPECS / "examples" / "lanes.json").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(BROKEN, schema)


def test_specc_test_passes_and_names_failing_examples(tmp_path) -> None:
    assert run_specc("test", LANES).returncode == 0
    spec = tmp_path / "t.spec"
    spec.write_text((SPECS / "lanes.spec").read_text().replace(
        'lane_line { color: white, overridden: true, points: [(14, 92), (194, 12)] }',
        'lane_line { color: white, points: [(14, 92), (194, 12)] }'))
    proc = run_specc("test", str(spec))
    assert proc.returncode == 1
    assert 'example "Orange over white"' in proc.stderr
    assert "FAIL" in proc.stderr
    assert "orange_overrides_white" in proc.stderr
    assert "1 passed, 1 failed" in proc.stdout


def test_explain_codes_and_rules() -> None:
    proc = run_specc("explain", "E0104")
    assert proc.returncode == 0
    assert "unknown enum value" in proc.stdout
    proc = run_specc("explain", "orange_overrides_white", "--spec", LANES)
    assert proc.returncode == 0
    assert "rule orange_overrides_white (error)" in proc.stdout
    assert "within 8 px of a white line" in proc.stdout  # the rule's description
    assert "require w.overridden" in proc.stdout
    assert run_specc("explain", "E9999").returncode == 2


def test_spec_at_git_revision(tmp_path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "s.spec").write_text("spec s version 1\nclass a: box { }\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    (repo / "s.spec").write_text("spec s version 2\nclass a: bx { }\n")
    assert run_specc("compile", str(repo / "s.spec")).returncode == 2
    assert run_specc("compile", f"{repo / 's.spec'}@HEAD").returncode == 0
    proc = run_specc("compile", f"{repo / 's.spec'}@nosuchrev")
    assert proc.returncode == 2
    assert "nosuchrev" in proc.stderr


def test_no_traceback_without_debug(tmp_path) -> None:
    proc = run_specc("check", LANES, str(ROOT))  # a directory is not an export
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
