"""Label Studio JSON export reader on the real converter fixtures (label-studio-converter / -sdk, vendored)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import pytest
from conftest import DATA

from specdsl.data.readers import ReaderError, ReadOptions, read_export, split_items
from specdsl.validate.geometry import box_corners

CONVERTER = DATA / "label-studio-converter/tests/data"
SDK = DATA / "label-studio-sdk/tests/custom/converter/data"


def read(path: Path, **options):
    return split_items(read_export(path, "label-studio", ReadOptions(**options)))


def test_rotated_butterflies_keep_case_rotation_and_corners():
    records, issues = read(CONVERTER / "test_export_yolo/data_obb.json")
    assert issues == []
    assert [r.data["id"] for r in records] == ["/image1", "/image2", "/image3"]
    objects = [o for r in records for o in r.data["objects"]]
    assert Counter(o["class"] for o in objects) == {"Butterfly": 24, "butterfly": 1}
    first = records[0].data["objects"][0]
    assert (records[0].data["width"], records[0].data["height"]) == (597, 768)
    assert first["id"] == "veUGPaahTw"
    assert first["rotation"] == pytest.approx(328.33240366032834)
    # percent -> pixels: x 10.537% of 597, y 79.558% of 768
    # the box is kept turned about its centre: its first corner is Label Studio's x, y (pixels)
    corners = box_corners(np.array([first["box"]]), np.array([first["rotation"]]))[0]
    assert corners[0] == pytest.approx([62.906288, 611.002959])
    assert first["box"][2:] == pytest.approx([113.701456, 62.457769])
    side = math.dist(corners[0], corners[1])
    assert side == pytest.approx(first["box"][2])  # rotation keeps the box's size
    assert all(0 < o["rotation"] < 360 for o in objects)


def test_every_annotation_or_only_the_latest():
    path = CONVERTER / "test_export_yolo/data.json"
    records, _ = read(path)
    assert [(r.data["id"], r.data["annotation"], r.pointer) for r in records] == [
        ("/image1", "1", "/0/annotations/0"), ("/image1", "2", "/0/annotations/1"),
        ("/image2", "3", "/1/annotations/0")]
    assert sum(len(r.data["objects"]) for r in records) == 6
    latest, _ = read(path, ls_annotation="latest")
    assert [r.data["annotation"] for r in latest] == ["2", "3"]
    assert latest[0].object_pointers == ["/0/annotations/1/result/0", "/0/annotations/1/result/1"]


def test_keypoints_link_to_their_box_and_relations_are_kept():
    records, issues = read(SDK / "test_export_yolo/data_keypoints.json")
    assert issues == []
    image = records[0].data
    assert (image["width"], image["height"]) == (216, 174)
    by_class = {o["class"]: o for o in image["objects"]}
    assert set(by_class) == {"nose", "left_eye", "right_eye", "person"}
    assert by_class["nose"]["parent"] == "hplPm0Szvc" == by_class["person"]["id"]
    assert by_class["nose"]["point"] == pytest.approx([64.44444444444444 * 2.16, 39.290780141843975 * 1.74])
    assert len(image["relations"]) == 5
    assert {"from": "hplPm0Szvc", "to": "hplPm0Szvc", "direction": "right"} in image["relations"]


def test_coco_fixture_has_all_three_geometries():
    records, _ = read(SDK / "test_export_coco/data.json")
    objects = records[0].data["objects"]
    assert [(o["class"], next(k for k in ("box", "points", "point") if k in o)) for o in objects] == [
        ("rectangle_label", "box"), ("polygon_label", "points"), ("keypoint_label1", "point"),
        ("keypoint_label2", "point")]
    assert objects[1]["points"][0] == pytest.approx([41.74228675136116 * 5, 3.546099290780142 * 3.2])


def test_choices_become_image_attributes_verbatim():
    records, _ = read(CONVERTER / "test_export_csv/csv_test2.json")
    value = records[0].data["attributes"]["uri_selection"]
    assert value == 'Yes " "" \n \t \t \u0430 \u0431 \u0432 \n'  # Cyrillic letters
    records, _ = read(CONVERTER / "test_export_csv/csv_test_history.json")
    assert records[0].data["attributes"] == {"sentiment": "Positive"}


def test_per_region_taxonomy_attaches_to_the_region_with_the_same_id():
    records, _ = read(CONVERTER / "test_export_json_min/data_repeater.json")
    (obj,) = records[0].data["objects"]
    assert obj["class"] == "Document Title"
    assert obj["attributes"] == {"categories_0": "Archaea"}
    assert records[0].data["id"] == "86"  # no data.image: the task id


def test_missing_image_size_is_an_issue_unless_given():
    path = SDK / "test_export_doclang/data.json"
    records, issues = read(path)
    assert len(records) == 2  # the third task's only annotation was cancelled
    assert [(i.pointer, i.objects) for i in issues] == [("/0/annotations/0/result/0", ("sec-1",)),
                                                        ("/1/annotations/0/result/0", ("0",))]
    assert all("original_width" in i.message for i in issues)
    records, issues = read(path, image_size=(1000, 2000))
    assert issues == []
    obj = records[0].data["objects"][0]
    assert obj["box"] == [50.0, 200.0, 400.0, 300.0]
    assert obj["class"] == "Section-header"
    assert obj["attributes"] == {}
    # the textarea result has its own id, so it describes the page, not the region
    assert records[0].data["attributes"]["doclang"].startswith("<doclang><section>Intro")


def test_malformed_results_are_issues_and_the_rest_is_read(tmp_path):
    size = {"original_width": 200, "original_height": 100}
    tasks = [{"id": 1, "data": {"image": "a.jpg"}, "annotations": [{"id": 1, "result": [
        {"id": "r1", "type": "rectanglelabels", "value": {"x": "ten", "y": 0, "width": 5, "height": 5,
                                                         "rectanglelabels": ["car"]}, **size},
        {"id": "r2", "type": "brushlabels", "value": {"rle": [1, 2], "brushlabels": ["car"]}, **size},
        "junk",
        {"id": "r3", "type": "rectanglelabels", "value": {"x": 10, "y": 10, "width": 50, "height": 50,
                                                         "rectanglelabels": ["car"]}, **size}]}]},
             "not a task"]
    path = tmp_path / "ls.json"
    path.write_bytes(orjson.dumps(tasks))
    records, issues = read(path)
    assert [o["id"] for o in records[0].data["objects"]] == ["r3"]
    assert records[0].data["objects"][0]["box"] == [20.0, 10.0, 100.0, 50.0]
    assert [i.pointer for i in issues] == ["/0/annotations/0/result/0", "/0/annotations/0/result/2",
                                           "/0/annotations/0/result/1", "/1"]
    assert "not supported" in issues[2].message


def test_truncated_export_names_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes((CONVERTER / "test_export_yolo/data.json").read_bytes()[:300])
    with pytest.raises(ReaderError) as caught:
        read(path)
    assert caught.value.line > 1
    assert caught.value.col >= 1
    assert caught.value.path == str(path)
