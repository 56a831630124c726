"""``specc check`` end to end on real exports written by others, one per format.

Label Studio's export is vendored in tests/data; the others may not be redistributed, so their tests are
opt-in (``realdata``, see tests/conftest.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import DATA, SPECS, run_specc

REAL = SPECS / "realdata"


def check(*args: str | Path) -> dict:
    proc = run_specc("check", *args, "--format", "json", "--exit-zero", "--progress", "none")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cvat_urban_scene(realdata: Path) -> None:
    doc = check(REAL / "cvat_urban.spec", realdata / "cvat-urban-scene" / "annotations.xml",
                "--mapping", REAL / "cvat_urban.toml")
    assert doc["summary"]["images"] == 20
    assert Counter(f["check"] for f in doc["findings"]) == {"truncated_signs_touch_the_border": 7}
    assert all(f["pointer"].startswith("/annotations/image[") for f in doc["findings"])


def test_tusimple_with_lane_classes(realdata: Path) -> None:
    doc = check(REAL / "tusimple_lanes.spec",
                realdata / "tusimple-benchmark" / "example" / "label_data.first500.json",
                "--class-file", realdata / "tusimple-lane-classes" / "class_labels" / "label_data_0313_classes.first500.txt",
                "--mapping", REAL / "tusimple.toml")
    assert doc["summary"]["images"] == 500
    assert doc["summary"]["objects"] == 1919
    assert [f["check"] for f in doc["findings"]] == ["unknown_class"]


def test_label_studio_case_mismatch_gets_a_did_you_mean() -> None:
    doc = check(REAL / "label_studio_butterflies.spec",
                DATA / "label-studio-converter" / "tests" / "data" / "test_export_yolo" / "data_obb.json")
    messages = Counter(f["message"] for f in doc["findings"])
    assert messages == {"unknown class 'Butterfly'; did you mean 'butterfly'?": 24}


def test_openlane_folder_findings_name_the_file(realdata: Path) -> None:
    folder = realdata / "openlane" / "eval" / "LANE_evaluation" / "lane2d" / "example" / "annotations"
    doc = check(REAL / "openlane_lanes.spec", folder, "--input-format", "openlane",
                "--mapping", REAL / "openlane.toml")
    assert doc["summary"] == {"images": 2, "objects": 10, "errors": 2, "warnings": 0, "infos": 0}
    assert all(f["source"].endswith(".json") for f in doc["findings"])
    assert all(f["pointer"] == "/lane_lines/1" for f in doc["findings"])


def test_bad_image_size_option_is_a_usage_error() -> None:
    proc = run_specc("check", SPECS / "lanes.spec", SPECS / "examples" / "lanes.json", "--image-size", "12")
    assert proc.returncode == 2
    assert "WIDTHxHEIGHT" in proc.stderr
