"""``specc export-config``: Label Studio labeling configs and CVAT label constructor JSON from a spec."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from specdsl.cli.main import main
from specdsl.compiler import compile_file, compile_text
from specdsl.configs import export_config
from specdsl.configs.cvat import cvat_meta_xml
from specdsl.data import load_export
from specdsl.data.readers import read_export, split_items
from specdsl.data.readers.cvat_labels import cvat_labels
from specdsl.validate import run_checks

ROOT = Path(__file__).resolve().parents[1]
LANES = ROOT / "specs" / "lanes.spec"
SPEC_FILES = sorted((ROOT / "specs").rglob("*.spec"))

SHARED_SPEC = """spec shared version 1
class car: box {
  occluded: bool = false
  color: enum { red, blue, green, black, white }
  note: string ?
}
class person: polygon {
  occluded: bool = false
  color: enum { light, dark }
}
class cone: point { height: int 10..200 = 50 }
class night: tag { lit: bool ? }
"""


@pytest.fixture(scope="module")
def lanes():
    return compile_file(LANES)


def ls_root(spec) -> tuple[ET.Element, tuple[str, ...]]:
    config = export_config(spec, "label-studio")
    return ET.fromstring(config.text), config.warnings


# ---- Label Studio ---------------------------------------------------------------------------------


def test_label_studio_config_for_lanes(lanes):
    root, warnings = ls_root(lanes)
    assert root.tag == "View"
    assert root.find("Image").get("name") == "image"
    rectangles = root.find("RectangleLabels")
    assert [label.get("value") for label in rectangles.iter("Label")] == ["vehicle"]
    assert rectangles.get("toName") == "image"
    vectors = root.find("VectorLabels")  # polylines are open VectorLabels paths
    assert [label.get("value") for label in vectors.iter("Label")] == ["lane_line"]
    assert warnings == ()
    blinker = root.find(".//Choices[@name='blinker']")
    assert blinker.get("perRegion") == "true"
    assert blinker.get("required") == "true"
    assert blinker.get("visibleWhen") == "region-selected"
    assert blinker.get("whenLabelValue") == "vehicle"
    assert [c.get("value") for c in blinker] == ["off", "left", "right", "hazard"]
    confidence = root.find(".//Number[@name='confidence']")
    assert (confidence.get("min"), confidence.get("max"), confidence.get("required")) == ("0", "1", None)
    weather = root.find(".//Choices[@name='weather']")
    assert weather.get("perRegion") is None
    assert [c.get("value") for c in weather if c.get("selected")] == ["dry"]
    assert root.find(".//TextArea[@name='country']") is not None


def test_label_studio_config_covers_every_geometry_and_shared_attributes():
    root, warnings = ls_root(compile_text(SHARED_SPEC))
    assert [e.tag for e in root if e.tag.endswith("Labels")] == ["RectangleLabels", "PolygonLabels",
                                                                   "KeyPointLabels"]
    occluded = root.findall(".//Choices[@name='occluded']")
    assert len(occluded) == 1
    assert occluded[0].get("whenLabelValue") == "car,person"
    assert {c.get("name") for c in root.iter("Choices")} >= {"car.color", "person.color"}  # read back as color
    assert warnings == ()
    assert root.find(".//Number[@name='height']").get("step") == "1"
    tags = root.find(".//Choices[@name='tags']")
    assert [c.get("value") for c in tags] == ["night"]
    assert tags.get("choice") == "multiple"
    lit = next(v for v in root.iter("View") if v.get("whenChoiceValue") == "night")
    assert lit.get("visibleWhen") == "choice-selected"
    assert lit.find("Choices").get("name") == "night.lit"
    names = [e.get("name") for e in root.iter() if e.get("name")]
    assert len(names) == len(set(names)), "Label Studio control names must be unique"


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_every_shipped_spec_exports_parseable_configs(path):
    spec = compile_file(path)
    root, _ = ls_root(spec)
    assert root.tag == "View"
    labels = json.loads(export_config(spec, "cvat").text)
    assert [label["name"] for label in labels] == [c.name for c in spec.classes]


def test_label_studio_results_read_back_under_the_spec_names(tmp_path, lanes):
    """A task labeled with the generated config reads back as the spec's classes and attributes."""
    root, _ = ls_root(lanes)
    labels_control = root.find("RectangleLabels").get("name")
    region = {"id": "r1", "original_width": 200, "original_height": 100}
    task = [{"id": 1, "data": {"image": "a.jpg"}, "annotations": [{"id": 7, "result": [
        {**region, "type": "rectanglelabels", "from_name": labels_control, "to_name": "image",
         "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rectanglelabels": ["vehicle"]}},
        {**region, "type": "choices", "from_name": "blinker", "to_name": "image", "value": {"choices": ["left"]}},
        {"id": "img", "type": "choices", "from_name": "weather", "to_name": "image",
         "value": {"choices": ["wet"]}}]}]}]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(task))
    records, issues = split_items(read_export(path, "label-studio"))
    assert issues == []
    obj = records[0].data["objects"][0]
    assert obj["class"] == "vehicle"
    assert obj["attributes"] == {"blinker": "left"}
    assert obj["box"] == [20.0, 20.0, 60.0, 40.0]
    assert records[0].data["attributes"] == {"weather": "wet"}


# ---- CVAT -----------------------------------------------------------------------------------------


def test_cvat_labels_for_lanes(lanes):
    config = export_config(lanes, "cvat")
    labels = {label["name"]: label for label in json.loads(config.text)}
    assert labels["lane_line"]["type"] == "polyline"
    assert labels["vehicle"]["type"] == "rectangle"
    attributes = {a["name"]: a for a in labels["lane_line"]["attributes"]}
    assert attributes["color"] == {"name": "color", "input_type": "radio", "mutable": True,
                                   "values": ["__undefined__", "white", "yellow", "orange"],
                                   "default_value": "__undefined__"}  # required, no default: starts unanswered
    assert attributes["occluded"]["input_type"] == "checkbox"
    assert attributes["occluded"]["default_value"] == "false"
    confidence = next(a for a in labels["vehicle"]["attributes"] if a["name"] == "confidence")
    assert confidence["input_type"] == "text"
    assert confidence["default_value"] == ""
    assert any("image-level attributes" in w and "weather" in w for w in config.warnings)


def test_cvat_label_types_and_input_types():
    labels = {label["name"]: label for label in json.loads(export_config(compile_text(SHARED_SPEC), "cvat").text)}
    assert {n: label["type"] for n, label in labels.items()} == {"car": "rectangle", "person": "polygon",
                                                                "cone": "points", "night": "tag"}
    car = {a["name"]: a for a in labels["car"]["attributes"]}
    assert car["color"]["input_type"] == "select"  # five values: a drop-down
    assert (car["note"]["input_type"], car["note"]["values"], car["note"]["default_value"]) == ("text", [""], "")
    height = labels["cone"]["attributes"][0]
    assert (height["input_type"], height["values"], height["default_value"]) == ("number", ["10", "200", "1"], "50")


def test_cvat_labels_round_trip_through_the_cvat_reader(tmp_path, lanes):
    labels = json.loads(export_config(lanes, "cvat").text)
    path = tmp_path / "annotations.xml"
    path.write_text(_cvat_xml(labels, []))
    read = cvat_labels(path)
    assert list(read) == [label["name"] for label in labels]
    for label in labels:
        assert read[label["name"]].type == label["type"]
        for attr in label["attributes"]:
            got = read[label["name"]].attributes[attr["name"]]
            assert (got.input_type, list(got.values), got.default, got.mutable) == (
                attr["input_type"], [v for v in attr["values"] if v], attr["default_value"], attr["mutable"])


def test_spec_examples_labeled_in_cvat_check_as_in_the_spec(tmp_path, lanes):
    """Examples drawn with the generated labels, exported as CVAT XML, read back and checked by the spec."""
    labels = json.loads(export_config(lanes, "cvat").text)
    path = tmp_path / "annotations.xml"
    path.write_text(_cvat_xml(labels, lanes.examples))
    dataset = load_export(path, "cvat")
    records, issues = split_items(read_export(path, "cvat"))
    assert issues == []
    assert len(records) == len(lanes.examples)
    assert records[1].data["objects"][1]["attributes"] == {"color": "white"}
    findings = run_checks(lanes, dataset)
    by_image = {(f.image, f.check) for f in findings if f.kind != "quota"}
    for example in lanes.examples:
        fired = {check for image, check in by_image if image == example.title}
        assert fired == (set() if example.valid else {example.check}), example.title


def _cvat_xml(labels: list[dict], examples) -> str:
    meta = f"<meta><task><name>t</name>{cvat_meta_xml(labels)}</task></meta>"
    kinds = {label["name"]: label["type"] for label in labels}
    images = "".join(_cvat_image(k, e, kinds) for k, e in enumerate(examples))
    return f'<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>{meta}{images}</annotations>'


def _cvat_image(index: int, example, kinds: dict[str, str]) -> str:
    image = example.image
    shapes = "".join(_cvat_shape(o, kinds[o["class"]]) for o in image["objects"])
    return (f'<image id="{index}" name="{example.title}" width="{image["width"]}" height="{image["height"]}">'
            f"{shapes}</image>")


def _cvat_shape(obj: dict, kind: str) -> str:
    attributes = "".join(f'<attribute name="{k}">{str(v).lower() if isinstance(v, bool) else v}</attribute>'
                         for k, v in obj["attributes"].items())
    label = f'label="{obj["class"]}" occluded="0"'
    if kind == "rectangle":
        x, y, w, h = obj["box"]
        return f'<box {label} xtl="{x}" ytl="{y}" xbr="{x + w}" ybr="{y + h}">{attributes}</box>'
    points = ";".join(f"{x},{y}" for x, y in obj.get("points") or [obj["point"]])
    return f'<{kind} {label} points="{points}">{attributes}</{kind}>'


# ---- the command line ----------------------------------------------------------------------------


def test_cli_writes_the_config_and_warns_on_stderr(tmp_path, capsys):
    out = tmp_path / "config.xml"
    assert main(["export-config", str(LANES), "--target", "label-studio", "-o", str(out)]) == 0
    assert ET.fromstring(out.read_text()).tag == "View"
    assert capsys.readouterr().err == ""  # Label Studio draws everything lanes declares
    assert main(["export-config", str(LANES), "--target", "cvat"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["name"] == "lane_line"
    assert "warning:" in captured.err


def test_cli_rejects_an_unknown_target(capsys):
    assert main(["export-config", str(LANES), "--target", "labelbox"]) == 2
    assert "invalid choice" in capsys.readouterr().err
