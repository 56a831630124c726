"""CVAT for images / video 1.1 XML reader, on the real app.cvat.ai export and Datumaro's fixtures.

Datumaro's fixtures are vendored (MIT); the app.cvat.ai export has no licence, so its tests are opt-in
(``realdata``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.data.mask import decode, mask_area, mask_bbox
from specdsl.data.readers import ReaderError, ReadOptions, read_export, split_items
from specdsl.data.readers.cvat_labels import cvat_labels

URBAN = "cvat-urban-scene/annotations.xml"
DATUMARO = DATA / "datumaro/cvat_dataset"
GEOMETRY_KEYS = ("mask", "box", "points", "point")


@pytest.fixture(scope="module")
def urban(realdata):
    return split_items(read_export(realdata / URBAN, "cvat"))


def geometry(obj: dict) -> str:
    return next((k for k in GEOMETRY_KEYS if k in obj), "tag")


def test_urban_scene_counts_match_sources(urban):
    records, issues = urban
    assert issues == []
    objects = [o for r in records for o in r.data["objects"]]
    assert len(records) == 20
    assert len(objects) == 333
    assert Counter((o["class"], geometry(o)) for o in objects) == {
        ("CAR", "mask"): 160, ("PEDESTRIAN", "mask"): 65, ("ROAD_SURFACE", "mask"): 20,
        ("TRAFFIC_SIGN", "box"): 68, ("Daytime_Clear", "tag"): 9, ("Daytime_Cloudy", "tag"): 6,
        ("Daytime_Rainy", "tag"): 2, ("Nighttime_Clear", "tag"): 2, ("Nighttime_Rainy", "tag"): 1}
    assert len({(r.data["width"], r.data["height"]) for r in records}) == 17


def test_urban_scene_first_image_and_mask(urban):
    record = urban[0][0]
    assert record.data["id"] == "adam-borkowski-NyPV7oHdlSo-unsplash.jpg"
    assert (record.data["width"], record.data["height"]) == (5720, 7150)
    assert record.pointer == "/annotations/image[1]"
    first = record.data["objects"][0]
    assert first["class"] == "PEDESTRIAN"
    assert first["id"] == "0"
    assert first["mask"]["size"] == [7150, 5720]
    assert mask_bbox(first["mask"]) == (4562, 3653, 261, 688)
    assert mask_area(first["mask"]) == 90522
    assert record.object_pointers[:3] == ["/annotations/image[1]/mask[1]", "/annotations/image[1]/mask[2]",
                                          "/annotations/image[1]/box[1]"]


def test_occluded_flag_and_attribute_stay_apart(urban):
    shapes = [o for r in urban[0] for o in r.data["objects"] if "occluded" in o["attributes"]]
    disagree = [o for o in shapes if o["occluded"] != (o["attributes"]["occluded"] == "yes")]
    assert len(disagree) == 9
    assert all(isinstance(o["occluded"], bool) for o in shapes)
    assert {o["attributes"]["occluded"] for o in shapes} == {"yes", "no"}
    box = next(o for r in urban[0] for o in r.data["objects"] if "box" in o)
    assert box == {"id": box["id"], "class": "TRAFFIC_SIGN",
                   "box": pytest.approx([4224.60, 3224.13, 164.14, 161.45]),
                   "attributes": {"occluded": "no", "truncated": "no"}, "occluded": False, "z_order": 0,
                   "source": "manual", "tool_shape": "box"}


def test_cvat_labels_reads_the_declarations(realdata):
    labels = cvat_labels(realdata / URBAN)
    assert len(labels) == 10
    assert labels["CAR"].type == "mask"
    assert labels["TRAFFIC_SIGN"].type == "rectangle"
    assert labels["TRAFFIC_SIGN"].attributes["truncated"].input_type == "select"
    assert labels["CAR"].attributes["truncated"].input_type == "radio"
    assert labels["CAR"].attributes["occluded"].values == ("yes", "no")
    assert labels["Daytime_Clear"].attributes == {}


def test_project_export_prefixes_repeated_names_with_the_subset():
    records, issues = split_items(read_export(DATUMARO / "for_images/export_project/annotations.xml"))
    assert issues == []
    assert [r.data["id"] for r in records] == ["Test/img0.jpg", "Test/img1.jpg", "Train/img0.jpg",
                                               "Train/img1.jpg", "Validation/img0.jpg", "Validation/img1.jpg"]
    box = records[0].data["objects"][0]
    # checkbox -> bool, number -> number, text keeps its leading zeros
    assert box["attributes"] == {"a1": True, "a2": "v3", "a3": "0003", "a4": 2.4}
    assert box["box"] == [0.0, 2.0, 4.0, 2.0]
    assert box["occluded"] is True
    assert box["z_order"] == 1
    labels = cvat_labels(DATUMARO / "for_images/export_project/annotations.xml")
    assert labels["label1"].attributes["a4"].values == ("2.4", "1", "-5.6")


def test_task_export_keeps_empty_labels_for_the_checker():
    records, _ = split_items(read_export(DATUMARO / "for_images/export_task/train.xml"))
    assert [(o["class"], geometry(o)) for r in records for o in r.data["objects"]] == [
        ("label1", "box"), ("", "points"), ("", "points"), ("label2", "points")]


def test_video_tracks_become_frames_without_outside_shapes():
    records, issues = split_items(read_export(DATUMARO / "for_video/annotations.xml"))
    assert issues == []
    # frame 16 has only outside shapes: still an image (per-image rules and quotas see it), with no objects
    assert [r.data["id"] for r in records] == ["frame_000010", "frame_000013", "frame_000016"]
    assert records[2].data["objects"] == []
    assert records[2].data["frame"] == 16
    assert (records[0].data["width"], records[0].data["height"]) == (25, 20)
    frame10 = records[0].data["objects"]
    assert [(o["id"], o["class"]) for o in frame10] == [("0", "II"), ("1", "klhg")]
    assert frame10[1]["attributes"] == {"hgl": "hgkf"}
    assert records[1].object_pointers == ["/annotations/track[3]/polyline[1]"]


def write_xml(tmp_path: Path, body: str, name: str = "a.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?>\n<annotations>\n<version>1.1</version>\n{body}</annotations>\n')
    return path


def test_truncated_xml_raises_reader_error_with_line_and_column(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_bytes((DATUMARO / "for_images/export_project/annotations.xml").read_bytes()[:3000])
    with pytest.raises(ReaderError) as caught:
        split_items(read_export(path, "cvat"))
    assert caught.value.path == str(path)
    assert caught.value.line is not None
    assert caught.value.col >= 1
    assert str(caught.value).startswith(f"{path}:{caught.value.line}:")


def test_malformed_shapes_are_issues_and_the_rest_is_read(tmp_path):
    path = write_xml(tmp_path, """<image id="0" name="a.jpg" width="10" height="10">
  <box label="car" xtl="abc" ytl="0" xbr="4" ybr="4"/>
  <cuboid label="car"/>
  <mask label="car" rle="0, 4" left="8" top="0" width="4" height="1"/>
  <polygon label="car" points="1,1;5,1;5,5"/>
  <polyline label="car" points="1,1;5,1" z_order="top"/>
</image>
""")
    records, issues = split_items(read_export(path, "cvat"))
    assert [o["class"] for o in records[0].data["objects"]] == ["car"]
    assert records[0].object_pointers == ["/annotations/image[1]/polygon[1]"]
    assert [(i.pointer, i.objects) for i in issues] == [
        ("/annotations/image[1]/box[1]", ("0",)), ("/annotations/image[1]/cuboid[1]", ("1",)),
        ("/annotations/image[1]/mask[1]", ("2",)), ("/annotations/image[1]/polyline[1]", ("4",))]
    assert "xtl" in issues[0].message
    assert "not supported" in issues[1].message
    assert "outside" in issues[2].message


# --- round trip: native -> CVAT XML -> reader -------------------------------------------------

coords = st.floats(0, 4000, allow_nan=False, allow_infinity=False)
point_lists = st.lists(st.tuples(coords, coords).map(list), min_size=2, max_size=6)
shapes = st.one_of(
    st.tuples(coords, coords, coords, coords).map(lambda b: ("box", {"box": list(b)})),
    point_lists.map(lambda p: ("polygon", {"points": p})),
    point_lists.map(lambda p: ("polyline", {"points": p})),
    point_lists.map(lambda p: ("points", {"points": p})),
)
images = st.lists(st.tuples(st.integers(1, 5000), st.integers(1, 5000),
                            st.lists(st.tuples(shapes, st.sampled_from(["yes", "no"]), st.booleans()),
                                     max_size=5)), min_size=1, max_size=4)


def cvat_xml(images: list) -> str:
    """A CVAT for images 1.1 document of (width, height, [((tag, geometry), attr, occluded)])."""
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    for i, (width, height, objects) in enumerate(images):
        image = ET.SubElement(root, "image", id=str(i), name=f"img{i}.jpg", width=str(width),
                              height=str(height))
        for (tag, geom), value, occluded in objects:
            shape = ET.SubElement(image, tag, label="thing", occluded=str(int(occluded)))
            if tag == "box":
                x, y, w, h = geom["box"]
                shape.attrib.update(xtl=repr(x), ytl=repr(y), xbr=repr(x + w), ybr=repr(y + h))
            else:
                shape.set("points", ";".join(f"{x!r},{y!r}" for x, y in geom["points"]))
            ET.SubElement(shape, "attribute", name="state").text = value
    return ET.tostring(root, encoding="unicode")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(images)
def test_cvat_round_trip(tmp_path, images):
    path = tmp_path / "round.xml"
    path.write_text(cvat_xml(images))
    records, issues = split_items(read_export(path, options=ReadOptions()))
    assert issues == []
    assert [(r.data["width"], r.data["height"], r.data["id"]) for r in records] == [
        (w, h, f"img{i}.jpg") for i, (w, h, _) in enumerate(images)]
    for record, (_, _, objects) in zip(records, images, strict=True):
        for obj, ((tag, geom), value, occluded) in zip(record.data["objects"], objects, strict=True):
            assert obj["attributes"] == {"state": value}
            assert obj["occluded"] is occluded
            if tag == "box":
                x, y, w, h = geom["box"]
                assert obj["box"][:2] == [x, y]
                assert np.allclose(obj["box"][2:], [(x + w) - x, (y + h) - y])
            else:
                assert obj["points"] == geom["points"]


def test_masks_in_the_real_export_decode_to_their_area(urban):
    mask = next(o["mask"] for r in urban[0][5:] for o in r.data["objects"] if "mask" in o)
    assert int(decode(mask).sum()) == mask_area(mask)
