"""The reader registry: names, format detection by content, read_export, unreadable files."""

from __future__ import annotations

import orjson
import pytest
from conftest import DATA

from specdsl.data.readers import READERS, ReaderError, detect_format, read_export, split_items

LS = "label-studio-converter/tests/data"
LS_SDK = "label-studio-sdk/tests/custom/converter/data"

# Relative to tests/data (vendored) ...
DETECTED = {
    "datumaro/cvat_dataset/for_video/annotations.xml": "cvat",
    "datumaro/coco_dataset/coco_instances/annotations/instances_val.json": "coco",
    "datumaro/coco_dataset/coco_person_keypoints/annotations/person_keypoints_val.json": "coco",
    f"{LS_SDK}/test_import_coco/coco_import_input.json": "coco",
    f"{LS}/test_export_yolo/data_obb.json": "label-studio",
    f"{LS}/test_export_csv/csv_test2.json": "label-studio",
    f"{LS_SDK}/test_export_yolo/data_keypoints.json": "label-studio",
    "scalabel/tests/eval/testcases/boundary/boundary_gts.json": "scalabel",
    "scalabel/examples/image_list_with_auto_labels.json": "scalabel",
    "tusimple-benchmark/example/label_data.first50.json": "tusimple",
}
# ... and to $SPECDSL_REALDATA (files we may not redistribute).
DETECTED_IN_REALDATA = {
    "cvat-urban-scene/annotations.xml": "cvat",
    "bdd100k/tests/label/testcases/example_annotation.json": "scalabel",
    "tusimple-sample-512x288/tusimple_sample_512x288/label_data.json": "tusimple",
    "openlane/eval/LANE_evaluation/lane2d/example/annotations": "openlane",
    "openlane/eval/CIPO_evaluation": "openlane",
    "culane/doc_example_CULANE_md.lines.txt": "culane",
    "culane": "culane",
}

IMAGE = {"id": "a.jpg", "width": 4, "height": 4,
         "objects": [{"id": "1", "class": "car", "box": [0, 0, 1, 1]}]}

NOT_EXPORTS = [
    "datumaro/yolo_dataset/strict/obj_train_data/1.txt",
    f"{LS}/test_export_yolo/label_config.xml",
    "datumaro/mapillary_vistas_dataset/val/v2.0/polygons/1.json",
]
NOT_EXPORTS_IN_REALDATA = [
    ("av2/tests/unit/test_data/static_maps/dummy_log_map_gs1B8ZCv7DMi8cMt5aN5rSYjQidJXvGP__2020-07-21-Z1F0076/"
     "log_map_archive_dummy_log_map_v2_gs1B8ZCv7DMi8cMt5aN5rSYjQidJXvGP__2020-07-21-Z1F0076.json"),
    "tusimple-lane-classes/class_labels/label_data_0313_classes.first500.txt",
]
NOT_AN_EXPORT = r"name it explicitly|not a CVAT"


def test_registry_lists_every_format_explicitly():
    assert list(READERS) == ["native", "coco", "cvat", "label-studio", "scalabel", "tusimple", "openlane",
                             "culane"]


@pytest.mark.parametrize("relative, expected", sorted(DETECTED.items()))
def test_detect_format_from_content(relative, expected):
    assert detect_format(DATA / relative) == expected


@pytest.mark.parametrize("relative, expected", sorted(DETECTED_IN_REALDATA.items()))
def test_detect_format_from_content_of_non_vendorable_files(realdata, relative, expected):
    assert detect_format(realdata / relative) == expected


@pytest.mark.parametrize("relative", NOT_EXPORTS)
def test_files_of_other_kinds_are_not_guessed(relative):
    with pytest.raises(ReaderError, match=NOT_AN_EXPORT):
        detect_format(DATA / relative)


@pytest.mark.parametrize("relative", NOT_EXPORTS_IN_REALDATA)
def test_non_vendorable_files_of_other_kinds_are_not_guessed(realdata, relative):
    with pytest.raises(ReaderError, match=NOT_AN_EXPORT):
        detect_format(realdata / relative)


def test_native_is_recognised_as_document_and_as_json_lines(tmp_path):
    image = IMAGE
    document = tmp_path / "export.json"
    document.write_bytes(orjson.dumps({"spec": "s", "images": [image]}, option=orjson.OPT_INDENT_2))
    lines = tmp_path / "export.data"
    lines.write_bytes(orjson.dumps(image) + b"\n" + orjson.dumps(image) + b"\n")
    assert detect_format(document) == "native"
    assert detect_format(lines) == "native"


def test_native_reader_is_loaded_lazily_through_the_registry(tmp_path):
    image = IMAGE
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps({"images": [image]}))
    records, issues = split_items(read_export(path))
    assert issues == []
    assert records[0].data["objects"][0]["class"] == "car"


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(ReaderError) as caught:
        split_items(read_export(tmp_path / "nope.json", "coco"))
    assert caught.value.line is None
    assert str(caught.value).startswith(str(tmp_path / "nope.json"))
    with pytest.raises(ReaderError):
        detect_format(tmp_path / "nope.json")
    with pytest.raises(ValueError, match="unknown export format 'yolo'"):
        split_items(read_export(tmp_path, "yolo"))


def test_reader_error_location_format():
    assert str(ReaderError("a.json", 3, 7, "unexpected end")) == "a.json:3:7: unexpected end"
    assert ReaderError("a.json", None, None, "missing").location() == "a.json"
