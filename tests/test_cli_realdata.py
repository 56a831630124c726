"""``specc check`` end to end on real exports written by others (shared/realdata), one per format."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import REALDATA, SPECS, run_specc

REAL = SPECS / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.exists(), reason="shared/realdata is not beside the repository")


def _check(*args: str) -> dict:
    proc = run_specc("check", *args, "--format", "json", "--exit-zero", "--progress", "none")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cvat_urban_scene() -> None:
    doc = _check(str(REAL / "cvat_urban.spec"), str(REALDATA / "cvat-urban-scene" / "annotations.xml"),
                 "--mapping", str(REAL / "cvat_urban.toml"))
    assert doc["summary"]["images"] == 20
    assert Counter(f["check"] for f in doc["findings"]) == {"truncated_signs_touch_the_border": 7}
    assert all(f["pointer"].startswith("/annotations/image[") for f in doc["findings"])


def test_tusimple_with_lane_classes() -> None:
    doc = _check(str(REAL / "tusimple_lanes.spec"),
                 str(REALDATA / "tusimple-benchmark" / "example" / "label_data.first500.json"),
                 "--class-file", str(REALDATA / "tusimple-lane-classes" / "class_labels" /
                                     "label_data_0313_classes.first500.txt"),
                 "--mapping", str(REAL / "tusimple.toml"))
    assert doc["summary"]["images"] == 500 and doc["summary"]["objects"] == 1919
    assert [f["check"] for f in doc["findings"]] == ["unknown_class"]


def test_label_studio_case_mismatch_gets_a_did_you_mean() -> None:
    doc = _check(str(REAL / "label_studio_butterflies.spec"),
                 str(REALDATA / "label-studio-converter" / "tests" / "data" / "test_export_yolo" / "data_obb.json"))
    messages = Counter(f["message"] for f in doc["findings"])
    assert messages == {"unknown class 'Butterfly'; did you mean 'butterfly'?": 24}


def test_openlane_folder_findings_name_the_file() -> None:
    folder = REALDATA / "openlane" / "eval" / "LANE_evaluation" / "lane2d" / "example" / "annotations"
    doc = _check(str(REAL / "openlane_lanes.spec"), str(folder), "--input-format", "openlane",
                 "--mapping", str(REAL / "openlane.toml"))
    assert doc["summary"] == {"images": 2, "objects": 10, "errors": 2, "warnings": 0, "infos": 0}
    assert all(f["source"].endswith(".json") and f["pointer"] == "/lane_lines/1" for f in doc["findings"])


def test_bad_image_size_option_is_a_usage_error() -> None:
    proc = run_specc("check", str(SPECS / "lanes.spec"), str(SPECS / "examples" / "lanes.json"), "--image-size", "12")
    assert proc.returncode == 2 and "WIDTHxHEIGHT" in proc.stderr
