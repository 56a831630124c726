"""BDD100K / Scalabel frames reader on the real bdd100k and scalabel files.

Scalabel's files are vendored (Apache-2.0); BDD100K's labels are under a custom licence, so their tests are
opt-in (``realdata``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest
from conftest import DATA

from specdsl.data.mask import mask_area
from specdsl.data.readers import ReaderError, ReadOptions, read_export, split_items

BDD = "bdd100k/tests/label/testcases"
SCALABEL = DATA / "scalabel"


def read(path: Path, **options):
    return split_items(read_export(path, "scalabel", ReadOptions(**options)))


def test_poly2d_cars_keep_parts_bezier_vertices_and_duplicate_ids(realdata):
    records, issues = read(realdata / BDD / "example_annotation.json")
    assert issues == []
    assert len(records) == 1
    image = records[0].data
    assert (image["id"], image["width"], image["height"]) == ("b1c81faa-3df17267-0000001.jpg", 1280, 720)
    assert (image["video"], image["frame_index"]) == ("b1c81faa-3df17267", 0)
    objects = image["objects"]
    assert [o["id"] for o in objects] == ["a", "b", "a", "c"]  # the duplicate is the checker's to report
    first = objects[0]
    assert len(first["points"]) == 52
    assert first["closed"] is True
    assert first["vertex_types"].count("C") == 4
    assert first["attributes"] == {"crowd": False, "occluded": False, "truncated": False}
    multi = objects[3]
    assert [len(p) for p in multi["polygons"]] == [7, 9, 4, 3, 7]
    # the largest part is the 9-vertex one, with its two Bezier control vertices
    assert multi["points"] is multi["polygons"][1]
    assert multi["vertex_types"] == "LLCCLLLLL"


def test_box2d_is_inclusive_and_null_labels_are_an_empty_frame(realdata):
    records, issues = read(realdata / BDD / "example_ignore_annotation.json")
    assert issues == []
    assert [len(r.data["objects"]) for r in records] == [2, 0]
    other = records[0].data["objects"][0]
    assert other["class"] == "other person"
    assert other["box"] == pytest.approx([1068.051474568342, 362.7665840944419,
                                          1108.7226195720182 - 1068.051474568342 + 1,
                                          466.2931350128905 - 362.7665840944419 + 1])
    assert other["attributes"] == {"Occluded": True, "Truncated": False, "crowd": False}


def test_auto_labels_with_explicit_nulls_and_index_value_pairs():
    records, issues = read(SCALABEL / "examples/image_list_with_auto_labels.json")
    assert issues == []
    assert len(records) == 10
    objects = [o for r in records for o in r.data["objects"]]
    assert Counter(o["class"] for o in objects) == {"car": 11, "traffic sign": 6, "traffic light": 4,
                                                    "truck": 3, "motor": 1}
    assert all("box" in o and "points" not in o for o in objects)
    assert objects[0]["attributes"]["Traffic Light Color"] == "NA"
    assert records[0].data["id"].startswith("https://s3-us-west-2.amazonaws.com/bdd-label/")


def test_lane_boundary_masks_one_label_per_facet():
    records, issues = read(SCALABEL / "tests/eval/testcases/boundary/boundary_gts.json")
    assert issues == []
    assert [len(r.data["objects"]) for r in records] == [9, 6]
    parallel = records[0].data["objects"][0]
    assert parallel["class"] == "parallel"
    assert parallel["mask"]["size"] == [720, 1280]
    assert mask_area(parallel["mask"]) == 11034
    assert records[0].object_pointers[8] == "/0/labels/8"


def test_pose_graphs_become_keypoint_lists():
    records, _ = read(SCALABEL / "tests/eval/testcases/pose/pose_sample.json")
    people = [o for r in records for o in r.data["objects"]]
    assert len(people) == 4
    assert all(len(p["keypoints"]) == 18 for p in people)
    assert Counter(k["visibility"] for p in people for k in p["keypoints"]) == {"V": 67, "N": 5}
    assert people[0]["keypoints"][0] == {"name": "head", "point": [1058.0, 256.0], "visibility": "V"}


def test_dataset_object_with_config_size_and_legacy_vertex_triples(tmp_path):
    doc = {"config": {"imageSize": {"width": 640, "height": 480}},
           "frames": [{"name": "a.jpg", "labels": [
               {"id": 1, "category": "lane/single white", "attributes": {"direction": "parallel"},
                "poly2d": [[1, 2, "L"], [3, 4, "C"], [5, 6, "C"], [7, 8, "L"]]}]}]}
    path = tmp_path / "frames.json"
    path.write_bytes(orjson.dumps(doc))
    records, issues = read(path)
    assert issues == []
    image = records[0].data
    assert (image["width"], image["height"]) == (640, 480)
    assert image["objects"][0]["points"] == [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert (image["objects"][0]["closed"], image["objects"][0]["vertex_types"]) == (False, "LCCL")
    assert records[0].pointer == "/frames/0"


def test_malformed_labels_are_issues_and_the_rest_is_read(tmp_path):
    frames = [{"name": "a.jpg", "labels": [
        {"id": "x", "category": "car", "box2d": {"x1": 0, "y1": 0, "x2": "wide", "y2": 3}},
        {"id": "y", "category": "car",
         "poly2d": [{"vertices": [[0, 0], [1]], "types": "LL", "closed": True}]},
        {"id": "z", "category": "car", "box2d": {"x1": 0, "y1": 0, "x2": 9, "y2": 9}}]},
              {"name": "b.jpg", "labels": "none"}, 7]
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(frames))
    records, issues = read(path)
    assert [[o["id"] for o in r.data["objects"]] for r in records] == [["z"], []]
    assert [(i.pointer, i.objects) for i in issues] == [
        ("/0/labels/0/box2d", ("x",)), ("/0/labels/1/poly2d", ("y",)), ("/1/labels", ()), ("/2", ())]


def test_truncated_frames_name_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes((SCALABEL / "tests/eval/testcases/pose/pose_sample.json").read_bytes()[:200])
    with pytest.raises(ReaderError) as caught:
        read(path)
    assert caught.value.line is not None
    assert caught.value.col >= 1
