"""Mappings of a format's names onto a spec's, applied by read_export after any reader."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA, SPECS

from specdsl.data.mapping import MappingError, apply_mapping, load_mapping, mapping_from_dict
from specdsl.data.readers import ReadOptions, read_export, split_items
from specdsl.data.records import ImageRecord

MAPPINGS = SPECS / "realdata"


def read(path: Path, mapping: str, fmt: str | None = None, **options):
    options["mapping"] = load_mapping(MAPPINGS / mapping)
    return split_items(read_export(path, fmt, ReadOptions(**options)))


def test_cvat_tags_become_image_attributes_and_classes_are_renamed(realdata):
    records, issues = read(realdata / "cvat-urban-scene/annotations.xml", "cvat_urban.toml")
    assert issues == []
    assert Counter(o["class"] for r in records for o in r.data["objects"]) == {
        "car": 160, "pedestrian": 65, "road_surface": 20, "traffic_sign": 68}
    assert Counter((r.data["attributes"]["time"], r.data["attributes"]["weather"]) for r in records) == {
        ("day", "clear"): 9, ("day", "cloudy"): 6, ("day", "rainy"): 2, ("night", "clear"): 2,
        ("night", "rainy"): 1}
    first = records[0]
    # the tag was the image's last shape: the pointers of the remaining shapes are unchanged
    assert len(first.object_pointers) == len(first.data["objects"])
    assert first.object_pointers[0] == "/annotations/image[1]/mask[1]"


def test_tusimple_class_ids_set_colour_and_style(realdata):
    classes = realdata / "tusimple-lane-classes/class_labels/label_data_0313_classes.first500.txt"
    records, issues = read(realdata / "tusimple-benchmark/example/label_data.first500.json", "tusimple.toml",
                           class_file=classes)
    assert issues == []
    lanes = [o for r in records for o in r.data["objects"]]
    assert {o["class"] for o in lanes} == {"lane_line"}
    assert Counter(o["attributes"]["style"] for o in lanes) == {
        "botts_dots": 813, "dashed": 638, "solid": 313, "double_solid": 96, "double_dashed": 58, "unknown": 1}
    assert Counter(o["attributes"].get("color") for o in lanes)["yellow"] == 214 + 96
    assert all("class_id" not in o["attributes"] for o in lanes)


def test_openlane_codes_set_several_attributes_and_zero_drops_the_position(realdata):
    records, _ = read(realdata / "openlane/eval/LANE_evaluation/lane2d/example/annotations", "openlane.toml")
    lanes = records[0].data["objects"]
    assert [o["attributes"] for o in lanes] == [
        {"color": "none", "style": "curbside", "curb_side": "left"},
        {"color": "none", "style": "curbside", "curb_side": "right"},
        {"color": "white", "style": "dashed", "position": "right_right"},
        {"color": "white", "style": "dashed", "position": "right"},
        {"color": "white", "style": "solid"}]


def test_bdd_keys_in_snake_case_and_na_dropped():
    records, _ = read(DATA / "scalabel/examples/image_list_with_auto_labels.json", "bdd.toml")
    objects = [o for r in records for o in r.data["objects"]]
    assert objects[0]["attributes"] == {"occluded": False, "truncated": False}
    assert Counter(o["class"] for o in objects)["traffic_sign"] == 6


def test_label_studio_case_mismatch_is_mapped():
    records, _ = read(DATA / "label-studio-converter/tests/data/test_export_yolo/data_obb.json",
                      "label_studio.toml")
    assert Counter(o["class"] for r in records for o in r.data["objects"]) == {"butterfly": 25}


def record(objects: list[dict], attributes: dict | None = None) -> ImageRecord:
    data = {"id": "a.jpg", "width": 10, "height": 10, "attributes": attributes or {}, "objects": objects}
    return ImageRecord(data, "x.json", "/images/0", [f"/annotations/{k}" for k in range(len(objects))])


def test_per_class_tables_win_over_common_ones_and_scalars_replace_values():
    mapping = mapping_from_dict({
        "key_case": "lower",
        "classes": {"CAR": "car"},
        "drop": ["junk"],
        "attributes": {"occ": "occluded"},
        "values": {"occ": {"yes": True, "no": False}, "flag": {"1": "on", "true": "set"}},
        "per_class": {"CAR": {"attributes": {"Truncated": "cut"}, "values": {"occ": {"yes": "partly"}}}},
        "image": {"attributes": {"Weather": "weather"}, "values": {"Weather": {"Rain": "wet"}}}})
    mapped = apply_mapping(record([
        {"id": "1", "class": "CAR", "box": [0, 0, 1, 1],
         "attributes": {"occ": "yes", "Truncated": 1, "flag": 1}},
        {"id": "2", "class": "junk", "attributes": {}},
        {"id": "3", "class": "bike", "attributes": {"occ": "no", "Other": "x", "flag": True}}],
        {"Weather": "Rain"}), mapping)
    assert mapped.data["attributes"] == {"weather": "wet"}
    assert [(o["id"], o["class"], o["attributes"]) for o in mapped.data["objects"]] == [
        ("1", "car", {"occluded": "partly", "cut": 1, "flag": "on"}),
        ("3", "bike", {"occluded": False, "other": "x", "flag": "set"})]
    assert mapped.object_pointers == ["/annotations/0", "/annotations/2"]
    assert mapped.data["objects"][0]["box"] == [0, 0, 1, 1]


def test_json_mapping_files_work_like_toml(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"classes": {"Butterfly": "butterfly"}}))
    assert load_mapping(path).classes == {"Butterfly": "butterfly"}


@pytest.mark.parametrize("raw, message", [
    ({"clases": {}}, "unknown key 'clases'"),
    ({"key_case": "camel"}, "key_case"),
    ({"classes": {"a": 1}}, "classes must map names to names"),
    ({"values": {"a": "b"}}, "values must be a table of tables"),
    ({"image": []}, "image must be a table"),
])
def test_malformed_mappings_say_which_key(raw, message):
    with pytest.raises(MappingError, match=message):
        mapping_from_dict(raw)


def test_unreadable_mapping_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[classes\n")
    with pytest.raises(MappingError, match=r"bad\.toml"):
        load_mapping(path)
