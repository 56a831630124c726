"""The queue's Label Studio tasks import into a project made with `specc export-config`: the prediction
regions name the controls of that config, so a labeler sees the existing labels on the image instead of a
task Label Studio refuses, and the attribute values come along in that config's controls (issue 9: labels
as predictions; issue 8: round trips with the tools)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_specc

from specdsl.configs.label_studio import LABEL_TAGS
from specdsl.queue.label_studio import CONTROLS

SPEC = """spec roads version 1

class lane_line: polyline {
  color: enum { white, yellow }
}

class car: box {
  parked: bool
  speed: int 0..300
}

class area: polygon {
  note: string = ""
}

class cone: point {
}
"""

EXPORT = {"spec": "roads", "images": [{"id": "a.jpg", "width": 200, "height": 100, "spec_version": 1, "objects": [
    {"id": "l1", "class": "lane_line", "points": [[10, 90], [20, 10]], "attributes": {"color": "blue"}},
    {"id": "l2", "class": "lane_line", "points": [[30, 90], [40, 10]], "attributes": {"color": "white"}},
    {"id": "c1", "class": "car", "box": [20, 10, 40, 30], "attributes": {"parked": True, "speed": 40}},
    {"id": "p1", "class": "area", "points": [[0, 0], [100, 0], [100, 50]], "attributes": {"note": "kerb"}},
    {"id": "k1", "class": "cone", "point": [50, 25], "attributes": {}}]}]}


def test_prediction_controls_are_the_export_config_label_controls() -> None:
    kinds = {"rectanglelabels": "box", "polygonlabels": "polygon", "vectorlabels": "polyline",
             "keypointlabels": "point"}
    assert {kind: LABEL_TAGS[geometry][1] for kind, geometry in kinds.items()} == CONTROLS


def test_tasks_validate_against_the_config_of_specc_export_config(tmp_path: Path) -> None:
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "export.json").write_text(json.dumps(EXPORT))
    config = run_specc("export-config", "roads.spec", "--target", "label-studio", cwd=tmp_path)
    assert config.returncode == 0, config.stderr
    findings = run_specc("check", "roads.spec", "export.json", "--format", "jsonl", "--progress", "none",
                         cwd=tmp_path)
    assert findings.returncode == 1, findings.stderr
    (tmp_path / "findings.jsonl").write_text(findings.stdout)
    for args in (("build", "findings.jsonl"),
                 ("export", "--format", "label-studio", "-o", "tasks.json", "--labels", "export.json",
                  "--spec", "roads.spec")):
        step = run_specc("queue", args[0], "--queue", "q.db", *args[1:], cwd=tmp_path)
        assert step.returncode == 0, step.stderr
    (task,) = json.loads((tmp_path / "tasks.json").read_text())
    (prediction,) = task["predictions"]
    assert {r["type"] for r in prediction["result"]} == set(CONTROLS) | {"choices", "number", "textarea"}
    interface = label_interface.LabelInterface(config.stdout)
    assert interface.validate_prediction(prediction, return_errors=True) == []
    # Attribute values ride along on their region; a value the spec does not allow (blue) is left to set.
    values = {(r["id"], r["from_name"]): r["value"] for r in prediction["result"] if r["type"] not in CONTROLS}
    assert values == {("l2", "color"): {"choices": ["white"]}, ("c1", "parked"): {"choices": ["true"]},
                      ("c1", "speed"): {"number": 40}, ("p1", "note"): {"text": ["kerb"]}}
