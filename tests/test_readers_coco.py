"""COCO reader on Datumaro's and Label Studio's real COCO files (vendored in tests/data), malformed input, round trips."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.data.mask import mask_area
from specdsl.data.readers import ReaderError, ReadOptions, read_export, split_items

COCO = DATA / "datumaro/coco_dataset"
ANNOTATOR = DATA / "label-studio-sdk/tests/custom/converter/data/test_import_coco/coco_import_input.json"


def read(path: Path, **options):
    return split_items(read_export(path, "coco", ReadOptions(**options)))


def test_instances_val_polygon_rle_and_attributes():
    records, issues = read(COCO / "coco_instances/annotations/instances_val.json")
    assert issues == []
    assert len(records) == 1
    image = records[0].data
    assert (image["id"], image["width"], image["height"]) == ("b.jpg", 5, 10)
    polygon, crowd = image["objects"]
    assert polygon == {"id": "1", "class": "a", "box": [0.0, 0.0, 1.0, 2.0],
                       "points": [[0.0, 0.0], [1.0, 0.0], [1.0, 2.0], [0.0, 2.0]],
                       "attributes": {"x": 1, "y": "hello"}, "iscrowd": False}
    assert crowd["class"] == "b"
    assert crowd["iscrowd"] is True
    assert crowd["mask"] == {"size": [10, 5], "counts": [0, 20, 30]}
    assert mask_area(crowd["mask"]) == 20
    assert records[0].object_pointers == ["/annotations/0", "/annotations/1"]


def test_category_id_gaps_resolve_by_id():
    records, issues = read(COCO / "coco_instances/annotations/instances_train.json")
    assert issues == []
    assert [(o["class"], o["box"]) for o in records[0].data["objects"]] == [("b", [2.0, 2.0, 3.0, 1.0])]


def test_keypoints_as_list_and_as_point_objects():
    path = COCO / "coco_person_keypoints/annotations/person_keypoints_val.json"
    records, _ = read(path)
    first = records[0].data["objects"][0]
    assert first["keypoints"] == [{"name": "kp0", "point": [1, 2], "visibility": 2},
                                  {"name": "kp1", "point": [3, 4], "visibility": 2},
                                  {"name": "kp2", "point": [2, 3], "visibility": 2}]
    records, _ = read(path, coco_keypoints="points")
    objects = records[0].data["objects"]
    assert len(objects) == 8
    assert objects[1] == {"id": "1/kp0", "class": "kp0", "point": [1, 2], "attributes": {"visibility": 2},
                          "parent": "1"}
    assert records[0].object_pointers[1] == "/annotations/0/keypoints"


def test_coco_annotator_export_with_string_iscrowd_and_zero_ids():
    records, issues = read(ANNOTATOR)
    assert issues == []
    assert [(r.data["id"], r.data["width"], r.data["height"]) for r in records] == [
        ("image1.jpg", 4022, 6033), ("image2.jpg", 7050, 4702)]
    objects = [o for r in records for o in r.data["objects"]]
    assert [(o["id"], o["class"], o["iscrowd"]) for o in objects] == [("0", "Class_1", False),
                                                                      ("1000", "Class_2", False)]
    assert objects[0]["box"] == [3651, 872, 113, 114]
    assert len(objects[0]["points"]) > 100


def test_truncated_json_names_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes((COCO / "coco_instances/annotations/instances_val.json").read_bytes()[:700])
    with pytest.raises(ReaderError) as caught:
        read(path)
    assert (caught.value.line, caught.value.col) == (43, 19)  # inside "date_captured"
    assert str(caught.value).startswith(f"{path}:43:19: ")


def test_wrong_shapes_are_issues_with_pointers_and_the_rest_is_read(tmp_path):
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}, "oops"],
           "categories": [{"id": 1, "name": "car"}],
           "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3]},
                           {"id": 6, "image_id": 1, "category_id": 9, "bbox": [1, 2, 3, 4]},
                           {"id": 7, "image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]]},
                           {"id": 8, "image_id": 1, "category_id": 1,
                            "segmentation": {"size": [10, 10], "counts": [5]}},
                           {"id": 9, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]},
                           {"id": 10, "image_id": 77, "category_id": 1, "bbox": [0, 0, 2, 2]}]}
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(doc))
    records, issues = read(path)
    assert [o["id"] for r in records for o in r.data["objects"]] == ["9"]
    assert records[0].object_pointers == ["/annotations/4"]
    assert [(i.pointer, i.objects) for i in issues] == [
        ("/annotations/0", ("5",)), ("/annotations/1", ("6",)), ("/annotations/2", ("7",)),
        ("/annotations/3", ("8",)), ("/images/1", ()), ("/annotations/5", ())]
    assert "bbox" in issues[0].message
    assert "category_id 9" in issues[1].message
    assert "cover 5 pixels" in issues[3].message
    assert "77" in issues[5].message


def test_several_polygon_parts_keep_all_and_point_at_the_largest(tmp_path):
    small, large = [0, 0, 1, 0, 1, 1], [0, 0, 10, 0, 10, 10, 0, 10]
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 20, "height": 20}],
           "categories": [{"id": 1, "name": "car"}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [small, large]}]}
    path = tmp_path / "parts.json"
    path.write_bytes(orjson.dumps(doc))
    obj = read(path)[0][0].data["objects"][0]
    assert obj["points"] == [[0, 0], [10, 0], [10, 10], [0, 10]]
    assert obj["polygons"] == [[[0, 0], [1, 0], [1, 1]], obj["points"]]


# --- round trip: native -> COCO -> reader --------------------------------------------------------

coords = st.floats(0, 4000, allow_nan=False, allow_infinity=False)
boxes = st.tuples(coords, coords, coords, coords).map(list)
polygons = st.lists(st.tuples(coords, coords).map(list), min_size=3, max_size=8)
objects = st.tuples(st.sampled_from(["car", "person", "sign"]), boxes, st.one_of(st.none(), polygons))
images = st.lists(st.tuples(st.integers(1, 5000), st.integers(1, 5000), st.lists(objects, max_size=5)),
                  min_size=1, max_size=4)


def coco_document(images: list) -> dict:
    """COCO of (width, height, [(class, box, polygon | None)]), category ids with gaps."""
    names = sorted({cls for _, _, objs in images for cls, _, _ in objs})
    cat_ids = {name: 3 * k + 1 for k, name in enumerate(names)}
    doc: dict = {"images": [], "annotations": [],
                 "categories": [{"id": cat_ids[n], "name": n} for n in names]}
    for i, (width, height, objs) in enumerate(images):
        doc["images"].append({"id": 100 + i, "file_name": f"img{i}.jpg", "width": width, "height": height})
        for cls, box, polygon in objs:
            ann = {"id": len(doc["annotations"]), "image_id": 100 + i, "category_id": cat_ids[cls],
                   "bbox": box, "iscrowd": 0,
                   "segmentation": [[v for p in polygon for v in p]] if polygon else []}
            doc["annotations"].append(ann)
    return doc


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(images)
def test_coco_round_trip(tmp_path, images):
    path = tmp_path / "round.json"
    path.write_bytes(orjson.dumps(coco_document(images)))
    records, issues = split_items(read_export(path))
    assert issues == []
    assert [(r.data["id"], r.data["width"], r.data["height"]) for r in records] == [
        (f"img{i}.jpg", w, h) for i, (w, h, _) in enumerate(images)]
    for record, (_, _, objs) in zip(records, images, strict=True):
        got = [(o["class"], o["box"], o.get("points")) for o in record.data["objects"]]
        assert got == [(cls, box, polygon) for cls, box, polygon in objs]
