"""OpenLane lane (2D/3D) and CIPO reader on the real OpenLane evaluation examples.

OpenLane's data is CC BY-NC-SA, so the real examples stay out of the repository: those tests are opt-in
(``realdata``); the malformed-input tests always run.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from specdsl.data.readers import ReaderError, ReadOptions, read_export, split_items

EVAL = "openlane/eval"
SEGMENT = "segment-10203656353524179475_7625_000_7645_000_with_camera_labels"
LANE2D = f"{EVAL}/LANE_evaluation/lane2d/example"
LANE3D = f"{EVAL}/LANE_evaluation/lane3d/example"


def read(path: Path, **options):
    return split_items(read_export(path, "openlane", ReadOptions(**options)))


def test_lane2d_directory_is_read_in_sorted_order(realdata):
    annotations = realdata / LANE2D / "annotations"
    records, issues = read(annotations)
    assert issues == []
    assert [r.data["id"] for r in records] == [f"validation/{SEGMENT}/152268801497018700.jpg",
                                               f"validation/{SEGMENT}/152268801507012900.jpg"]
    assert records[0].source == str(annotations / SEGMENT / "152268801497018700.json")
    assert (records[0].data["width"], records[0].data["height"]) == (1920, 1280)
    lanes = records[0].data["objects"]
    assert [(o["attributes"]["category"], o["attributes"]["attribute"], o["track_id"]) for o in lanes] == [
        (20, 0, 1), (21, 0, 2), (1, 4, 3), (1, 3, 4), (2, 0, 5)]
    assert [len(o["points"]) for o in lanes] == [15, 10, 10, 11, 20]
    raw = orjson.loads((annotations / SEGMENT / "152268801497018700.json").read_bytes())
    assert lanes[0]["points"][0] == [raw["lane_lines"][0]["uv"][0][0], raw["lane_lines"][0]["uv"][1][0]]
    assert records[0].object_pointers[4] == "/lane_lines/4"


def test_lane3d_ground_truth_uses_uv_and_track_id_and_predictions_have_no_points(realdata):
    records, issues = read(realdata / LANE3D)
    assert issues == []
    assert len(records) == 4
    truth = records[0].data["objects"]
    assert [len(o["points"]) for o in truth] == [343, 293, 85, 219, 392]  # uv, not the 1173 xyz points
    assert Counter(o["attributes"]["category"] for o in truth) == {21: 1, 2: 1, 20: 1, 1: 2}
    predictions = records[2]
    assert "results" in predictions.source
    assert [len(o["points"]) for o in predictions.data["objects"]] == [0, 0, 0, 0, 0]


def test_cipo_boxes_with_string_ids(realdata):
    records, issues = read(realdata / EVAL / "CIPO_evaluation")
    assert issues == []
    assert [len(r.data["objects"]) for r in records] == [42, 38]
    first = records[0].data
    assert first["id"].startswith("training/segment-1146261869236413282_1680_000_1700_000")
    box = first["objects"][0]
    assert box["class"] == "cipo"
    assert box["track_id"] == "4"
    assert box["attributes"] == {"type": 1}
    assert box["box"] == pytest.approx([1494.026145, 776.22411, 425.973855, 443.37618])
    assert Counter(o["attributes"]["type"] for r in records for o in r.data["objects"])[1] > 0


def test_broken_lanes_are_issues_and_the_rest_is_read(tmp_path):
    doc = {"file_path": "validation/x.jpg", "lane_lines": [
        {"category": 1, "uv": [[1, 2, 3], [4, 5]]}, "lane",
        {"category": 2, "uv": [[1, 2], [3, 4]], "trackid": 9}]}
    (tmp_path / "b.json").write_bytes(orjson.dumps(doc))
    (tmp_path / "a.json").write_bytes(b'{"something": "else"}')
    records, issues = read(tmp_path)
    assert [(o["id"], o["points"], o["track_id"]) for o in records[0].data["objects"]] == [
        ("2", [[1, 3], [2, 4]], 9)]
    assert [(Path(i.source).name, i.pointer, i.objects) for i in issues] == [
        ("a.json", "", ()), ("b.json", "/lane_lines/0", ("0",)), ("b.json", "/lane_lines/1", ("1",))]


def test_truncated_file_names_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(b'{"file_path": "a.jpg",\n "lane_lines": [{"uv": [[1, 2')
    with pytest.raises(ReaderError) as caught:
        read(path)
    assert (caught.value.line, caught.value.col) == (2, 30)  # just past "[[1, 2"
