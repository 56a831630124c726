"""Round trips through the labeling tools, judged by the tools' own SDKs (issue 8).

A config from ``specc export-config`` must give exports that read back as what the labeler meant:
- Label Studio: the config validates with ``label_studio_sdk``; an annotation built for it (every
  class drawn, every attribute answered) validates with the SDK and ``specc check`` finds no schema
  or attribute problem in it; values come back typed (bools as bools), tags as tag objects,
  polylines from ``VectorLabels``, rotated rectangles where the SDK's own converter puts them.
- CVAT: every attribute's values and default pass ``cvat_sdk.attributes.attribute_value_validator``;
  an export answering every attribute checks clean; one leaving every attribute at its default
  reads the spec's defaults and reports exactly the required attributes as missing.
- The CVAT reader checks the drawn shape against the class geometry; a video frame whose shapes
  are all outside is still an image; rotated boxes are checked turned.
- COCO multi-part polygons are measured as the union of their parts (pycocotools' area).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.cli.main import main
from specdsl.compiler import compile_file
from specdsl.configs import export_config
from specdsl.configs.cvat import cvat_meta_xml
from specdsl.data import load_export
from specdsl.data.readers import ReadOptions, read_export, split_items
from specdsl.data.readers.declared import declared_from_spec
from specdsl.data.readers.label_studio import centred_box
from specdsl.validate.geometry import box_corners

label_studio_sdk = pytest.importorskip("label_studio_sdk")
cvat_sdk = pytest.importorskip("cvat_sdk")
from cvat_sdk import models  # noqa: E402
from cvat_sdk.attributes import attribute_value_validator  # noqa: E402
from label_studio_sdk.converter.utils import convert_annotation_to_yolo_obb  # noqa: E402
from label_studio_sdk.label_interface import LabelInterface  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
EVERY_TYPE = DATA / "tools" / "every_type.spec"
SPEC_FILES = sorted((ROOT / "specs").rglob("*.spec")) + [EVERY_TYPE]
WIDTH, HEIGHT = 400, 200


@pytest.fixture(scope="module")
def every_type():
    return compile_file(EVERY_TYPE)


def answer(attr):
    """A valid answer for an attribute, other than its default where there is a choice."""
    kind, t = attr.type.kind, attr.type
    if kind == "bool":
        return attr.default is not True
    if kind == "enum":
        return next(v for v in reversed(t.values) if v != attr.default)
    if kind == "int":
        return int(t.high) if t.high is not None else 7
    if kind == "float":
        return (t.low + t.high) / 2 if t.low is not None else 0.25
    return "AB 123"


def findings_of(capsys, spec: Path, export: Path) -> list[dict]:
    main(["check", str(spec), str(export), "--format", "json", "-q"])
    return json.loads(capsys.readouterr().out)["findings"]


def data_findings(findings: list[dict], image_attributes: bool = True) -> list[dict]:
    """Schema and attribute findings (CVAT has no image attributes: ``image_attributes=False`` leaves them out)."""
    return [f for f in findings if f["kind"] in ("schema", "attribute")
            and (image_attributes or not f["check"].startswith("image."))]


# ---- Label Studio ---------------------------------------------------------------------------------

LS_GEOMETRY = {
    "box": ("rectanglelabels", {"x": 10, "y": 10, "width": 20, "height": 30, "rotation": 0}),
    "polygon": ("polygonlabels", {"points": [[50, 10], [70, 10], [70, 40], [50, 40]]}),
    "polyline": ("vectorlabels", {"vertices": [{"id": "v1", "x": 5, "y": 90},
                                               {"id": "v2", "x": 30, "y": 50, "prevPointId": "v1"},
                                               {"id": "v3", "x": 60, "y": 20, "prevPointId": "v2"}],
                                  "closed": False}),
    "point": ("keypointlabels", {"x": 80, "y": 80, "width": 0.5}),
}


def ls_controls(config_text: str) -> dict[str, ET.Element]:
    return {e.get("name"): e for e in ET.fromstring(config_text).iter() if e.get("toName")}


def ls_value(control: ET.Element, value) -> tuple[str, dict]:
    if control.tag == "Choices":
        text = ("true" if value else "false") if isinstance(value, bool) else value
        return "choices", {"choices": [text]}
    if control.tag == "Number":
        return "number", {"number": value}
    return "textarea", {"text": [value]}


def ls_attribute_result(controls, owner: str, attr, region_id: str, value) -> dict:
    name = f"{owner}.{attr.name}" if f"{owner}.{attr.name}" in controls else attr.name
    kind, payload = ls_value(controls[name], value)
    return {"id": region_id, "from_name": name, "to_name": "image", "type": kind, "value": payload}


def ls_annotation(spec, config_text: str, answered: bool = True) -> tuple[list[dict], dict]:
    """Results drawing one object of every class (tags chosen) and answering every attribute; and the
    values a reader should give back, by object id (image attributes under "image")."""
    controls = ls_controls(config_text)
    labels = {c.get("value"): name for name, e in controls.items() for c in e.iter("Label")}
    size = {"original_width": WIDTH, "original_height": HEIGHT, "image_rotation": 0}
    results, expected = [], {"image": {}}
    for cls in spec.classes:
        if cls.geometry not in LS_GEOMETRY:  # tags below; masks: specc does not read Label Studio brushes
            continue
        kind, geometry = LS_GEOMETRY[cls.geometry]
        region = f"r-{cls.name}"
        results.append({"id": region, "from_name": labels[cls.name], "to_name": "image", "type": kind, **size,
                        "value": {**geometry, kind: [cls.name]}})
        expected[region] = {a.name: answer(a) for a in cls.attributes} if answered else {}
        results += [ls_attribute_result(controls, cls.name, a, region, v) for a, v in
                    ((a, expected[region][a.name]) for a in cls.attributes if a.name in expected[region])]
    tags = [c for c in spec.classes if c.geometry == "tag"]
    if tags:
        results.append({"id": "t", "from_name": "tags", "to_name": "image", "type": "choices",
                        "value": {"choices": [c.name for c in tags]}})
        for cls in tags:
            expected[f"tags/{cls.name}"] = {a.name: answer(a) for a in cls.attributes} if answered else {}
            results += [ls_attribute_result(controls, cls.name, a, f"t-{cls.name}-{a.name}", answer(a))
                        for a in cls.attributes if answered]
    for attr in spec.image_attributes if answered else ():
        expected["image"][attr.name] = answer(attr)
        results.append(ls_attribute_result(controls, "image", attr, f"i-{attr.name}", answer(attr)))
    return results, expected


def write_ls_task(path: Path, results: list[dict]) -> Path:
    task = [{"id": 1, "data": {"image": "/data/a.jpg"}, "annotations": [{"id": 1, "result": results}]}]
    path.write_text(json.dumps(task))
    return path


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_label_studio_config_validates_with_the_sdk(path):
    config = export_config(compile_file(path), "label-studio")
    LabelInterface(config.text).validate()  # raises on an invalid config


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_label_studio_annotation_validates_and_checks_clean(path, tmp_path, capsys):
    spec = compile_file(path)
    config = export_config(spec, "label-studio")
    results, expected = ls_annotation(spec, config.text)
    assert LabelInterface(config.text).validate_prediction({"result": results}, return_errors=True) == []
    export = write_ls_task(tmp_path / "ls.json", results)
    assert data_findings(findings_of(capsys, path, export)) == []
    records, issues = split_items(read_export(export, "label-studio", ReadOptions(declared=declared_from_spec(spec))))
    assert issues == []
    (record,) = records
    got = {o["id"]: o["attributes"] for o in record.data["objects"]}
    assert record.data["attributes"] == expected.pop("image")
    assert got == expected  # bools as bools, numbers as numbers, CLASS.ATTR controls as ATTR


def test_label_studio_tags_read_back_as_tag_objects_with_their_attributes(tmp_path, every_type):
    config = export_config(every_type, "label-studio")
    results, _ = ls_annotation(every_type, config.text)
    export = write_ls_task(tmp_path / "ls.json", results)
    dataset = load_export(export, "label-studio", ReadOptions(declared=declared_from_spec(every_type)))
    assert {"night", "foggy"} <= set(dataset.tables)
    night = dataset.tables["night"]
    assert night.ids == ["tags/night"]
    assert night.attributes["lit"].values().tolist() == [True]
    assert night.attributes["lamps"].values().tolist() == [9]
    assert not any(name.startswith("night.") for name in dataset.images.attributes)


def test_label_studio_polylines_come_from_vector_labels(tmp_path, every_type):
    root = ET.fromstring(export_config(every_type, "label-studio").text)
    vectors = root.find("VectorLabels")
    assert [label.get("value") for label in vectors.iter("Label")] == ["lane"]
    results, _ = ls_annotation(every_type, ET.tostring(root, encoding="unicode"))
    records, _ = split_items(read_export(write_ls_task(tmp_path / "ls.json", results), "label-studio"))
    lane = next(o for o in records[0].data["objects"] if o["class"] == "lane")
    assert np.array(lane["points"]) == pytest.approx(np.array([[20, 180], [120, 100], [240, 40]]))  # % of 400x200
    assert lane["tool_shape"] == "vector"


def test_label_studio_each_class_shows_its_own_attribute_doc(every_type):
    root = ET.fromstring(export_config(every_type, "label-studio").text)
    headers = {v.get("whenLabelValue"): v.find("Header").get("value") for v in root.iter("View")
               if v.find("Choices") is not None and v.find("Choices").get("name", "").endswith(".parked")}
    assert headers == {"car": "car: parked (Set when the car does not move.)",
                       "person": "person: parked (A person never parks: answer false.)"}


def test_label_studio_unanswered_required_attributes_are_missing_not_wrong(tmp_path, capsys, every_type):
    config = export_config(every_type, "label-studio")
    results, _ = ls_annotation(every_type, config.text, answered=False)
    findings = data_findings(findings_of(capsys, EVERY_TYPE, write_ls_task(tmp_path / "ls.json", results)))
    required = {f"{c.name}.{a.name}" for c in every_type.classes for a in c.attributes if a.required}
    required |= {f"image.{a.name}" for a in every_type.image_attributes if a.required}
    assert {f["check"] for f in findings} == required
    assert all("is missing" in f["message"] for f in findings)


def test_label_studio_rotated_rectangles_are_where_the_sdk_converter_puts_them(tmp_path, capsys):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass car: box { require inside_image }\n")
    result = {"id": "r", "from_name": "box_labels", "to_name": "image", "type": "rectanglelabels",
              "original_width": WIDTH, "original_height": HEIGHT,
              "value": {"x": 90, "y": 10, "width": 9, "height": 20, "rotation": 330, "rectanglelabels": ["car"]}}
    export = write_ls_task(tmp_path / "ls.json", [result])
    (record,), _ = split_items(read_export(export, "label-studio"))
    obj = record.data["objects"][0]
    corners = box_corners(np.array([obj["box"]]), np.array([obj["rotation"]]))[0]
    expected = convert_annotation_to_yolo_obb({**result["value"], **{k: result[k] for k in (
        "original_width", "original_height")}}, normalize=False)
    assert corners == pytest.approx(np.array(expected))
    # unrotated the box ends at x = 99% (inside); turned its bottom-right corner passes the right edge
    assert corners[:, 0].max() > WIDTH
    assert [f["check"] for f in findings_of(capsys, spec, export)] == ["car.require.1"]



@settings(max_examples=200, deadline=None)
@given(x=st.floats(0, 90), y=st.floats(0, 90), w=st.floats(0.5, 50), h=st.floats(0.5, 50),
       rotation=st.floats(0, 360), width=st.integers(10, 4000), height=st.integers(10, 4000))
def test_label_studio_boxes_turn_as_the_sdk_converter_says(x, y, w, h, rotation, width, height):
    """Any rectangle: the reader's box (turned about its centre) has the SDK converter's corners."""
    sx, sy = width / 100, height / 100
    value = {"x": x, "y": y, "width": w, "height": h, "rotation": rotation}
    obj = {"box": centred_box([x * sx, y * sy, w * sx, h * sy], rotation), "rotation": rotation}
    corners = box_corners(np.array([obj["box"]]), np.array([obj["rotation"]]))[0]
    label = {**value, "original_width": width, "original_height": height}
    expected = np.array(convert_annotation_to_yolo_obb(label, normalize=False))
    assert corners == pytest.approx(expected, abs=1e-6 * max(width, height))


@settings(max_examples=200, deadline=None)
@given(box=st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(0, 300), st.floats(0, 300)),
       rotation=st.floats(-720, 720))
def test_box_corners_are_shapely_rotation_about_the_centre(box, rotation):
    x, y, w, h = box
    turned = shapely.affinity.rotate(shapely.box(x, y, x + w, y + h), rotation, origin="center")
    corners = box_corners(np.array([box]), np.array([rotation]))[0]
    assert shapely.Polygon(corners).symmetric_difference(turned).area <= 1e-6 * max(1.0, w * h)

# ---- CVAT -----------------------------------------------------------------------------------------


def cvat_labels(spec) -> list[dict]:
    return json.loads(export_config(spec, "cvat").text)


def attribute_request(attr: dict) -> models.AttributeRequest:
    return models.AttributeRequest(name=attr["name"], mutable=attr["mutable"],
                                   input_type=models.InputTypeEnum(attr["input_type"]),
                                   values=attr["values"], default_value=attr["default_value"])


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_every_cvat_attribute_passes_the_sdk_validator(path):
    for label in cvat_labels(compile_file(path)):
        request = models.PatchedLabelRequest(name=label["name"], color=label["color"], type=label["type"],
                                             attributes=[attribute_request(a) for a in label["attributes"]])
        for attr in request.attributes:
            valid = attribute_value_validator(attr)  # raises on values inconsistent with the input type
            assert valid(attr.default_value), (label["name"], attr.name, attr.default_value)
            if attr.input_type.value in ("radio", "select"):
                assert all(valid(v) for v in attr.values)


def test_cvat_attributes_without_a_default_start_unanswered(every_type):
    car = {a["name"]: a for a in next(lb for lb in cvat_labels(every_type) if lb["name"] == "car")["attributes"]}
    assert (car["parked"]["input_type"], car["parked"]["values"], car["parked"]["default_value"]) == (
        "radio", ["__undefined__", "true", "false"], "__undefined__")
    assert car["make"]["values"][0] == car["make"]["default_value"] == "__undefined__"
    assert (car["color"]["values"], car["color"]["default_value"]) == (["red", "blue"], "red")
    assert (car["lights"]["input_type"], car["lights"]["values"], car["lights"]["default_value"]) == (
        "checkbox", ["false"], "false")
    assert (car["doors"]["input_type"], car["doors"]["default_value"]) == ("text", "")
    assert (car["seats"]["input_type"], car["seats"]["values"], car["seats"]["default_value"]) == (
        "number", ["1", "9", "1"], "5")
    assert (car["speed"]["input_type"], car["score"]["input_type"], car["score"]["default_value"]) == (
        "text", "text", "50")


def test_cvat_config_warns_about_every_choice_it_makes(every_type):
    warnings = export_config(every_type, "cvat").warnings
    text = "\n".join(warnings)
    for name in ("car.parked", "car.make", "car.doors", "car.speed", "night.lit"):
        assert name in text
    assert "__undefined__" in text
    assert "whole numbers" in text


def test_cvat_bool_true_default_is_consistent(tmp_path):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass car: box { lit: bool = true }\n")
    (attr,) = cvat_labels(compile_file(spec))[0]["attributes"]
    assert (attr["values"], attr["default_value"]) == (["true"], "true")


CVAT_SHAPES = {"rectangle": '<box label="{l}" occluded="0" xtl="40" ytl="20" xbr="120" ybr="80">{a}</box>',
               "polygon": '<polygon label="{l}" occluded="0" points="200,20;280,20;280,80;200,80">{a}</polygon>',
               "polyline": '<polyline label="{l}" occluded="0" points="20,180;120,100;240,40">{a}</polyline>',
               "points": '<points label="{l}" occluded="0" points="320,160">{a}</points>',
               "tag": '<tag label="{l}">{a}</tag>'}


def cvat_answer(attr: dict, spec_attr) -> str:
    """The text CVAT writes for a labeler's answer (checked with the SDK's validator)."""
    value = answer(spec_attr)
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    assert attribute_value_validator(attribute_request(attr))(text), (attr, text)
    return text


def cvat_xml(spec, answered: bool) -> str:
    labels = cvat_labels(spec)
    shapes = []
    for label, cls in zip(labels, spec.classes):
        spec_attrs = {a.name: a for a in cls.attributes}
        texts = [(a["name"], cvat_answer(a, spec_attrs[a["name"]]) if answered else a["default_value"])
                 for a in label["attributes"]]
        attributes = "".join(f'<attribute name="{n}">{t}</attribute>' for n, t in texts)
        shapes.append(CVAT_SHAPES[label["type"]].format(l=label["name"], a=attributes))
    meta = f"<meta><task><name>t</name>{cvat_meta_xml(labels)}</task></meta>"
    image = f'<image id="0" name="a.jpg" width="{WIDTH}" height="{HEIGHT}">{"".join(shapes)}</image>'
    return f'<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>{meta}{image}</annotations>'


def test_cvat_export_answering_every_attribute_checks_clean(tmp_path, capsys, every_type):
    export = tmp_path / "annotations.xml"
    export.write_text(cvat_xml(every_type, answered=True))
    assert data_findings(findings_of(capsys, EVERY_TYPE, export), image_attributes=False) == []
    dataset = load_export(export, "cvat", ReadOptions(declared=declared_from_spec(every_type)))
    car = dataset.tables["car"].attributes
    assert {k: car[k].values().tolist()[0] for k in ("parked", "doors", "speed", "score", "make", "plate")} == {
        "parked": True, "doors": 5, "speed": 0.5, "score": 50.0, "make": "kia", "plate": "AB 123"}


def test_cvat_attributes_left_at_their_defaults_read_as_the_spec_means(tmp_path, capsys, every_type):
    export = tmp_path / "annotations.xml"
    export.write_text(cvat_xml(every_type, answered=False))
    findings = data_findings(findings_of(capsys, EVERY_TYPE, export), image_attributes=False)
    required = {f"{c.name}.{a.name}" for c in every_type.classes for a in c.attributes if a.required}
    assert {f["check"] for f in findings} == required  # nothing nobody set reads as a real answer
    assert all("is missing" in f["message"] for f in findings)
    dataset = load_export(export, "cvat", ReadOptions(declared=declared_from_spec(every_type)))
    car = dataset.tables["car"].attributes
    assert {k: car[k].values().tolist()[0] for k in ("lights", "seats", "score", "color")} == {
        "lights": False, "seats": 5, "score": 50, "color": "red"}
    assert "doors" not in car
    assert "make" not in car
    assert "parked" not in car


def test_cvat_shape_must_draw_the_class_geometry(tmp_path, capsys, every_type):
    labels = cvat_labels(every_type)
    meta = f"<meta><task><name>t</name>{cvat_meta_xml(labels)}</task></meta>"
    wrong = ('<polygon label="lane" occluded="0" points="20,180;120,100;240,40"><attribute name="dashed">true'
             '</attribute></polygon>')
    export = tmp_path / "annotations.xml"
    export.write_text(f'<annotations><version>1.1</version>{meta}<image id="0" name="a.jpg" width="{WIDTH}" '
                      f'height="{HEIGHT}">{wrong}</image></annotations>')
    (finding,) = [f for f in findings_of(capsys, EVERY_TYPE, export) if f["kind"] == "schema"]
    assert finding["kind"] == "schema"
    assert finding["pointer"] == "/annotations/image[1]/polygon[1]"
    assert finding["message"] == "lane is a polyline, but it was drawn as a polygon"


def test_cvat_rotated_boxes_are_checked_turned(tmp_path, capsys):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass sign: box { require inside_image }\n")
    export = tmp_path / "annotations.xml"
    boxes = ('<box label="sign" occluded="0" xtl="300" ytl="10" xbr="390" ybr="30" rotation="0"></box>'
             '<box label="sign" occluded="0" xtl="300" ytl="10" xbr="390" ybr="30" rotation="45"></box>')
    export.write_text(f'<annotations><version>1.1</version><image id="0" name="a.jpg" width="{WIDTH}" '
                      f'height="{HEIGHT}">{boxes}</image></annotations>')
    findings = findings_of(capsys, spec, export)
    # turned 45 degrees about its centre (345, 20) the 90 x 20 box reaches y = 20 - 38.9 < 0
    assert [(f["check"], f["pointer"]) for f in findings] == [("sign.require.1", "/annotations/image[1]/box[2]")]


def test_cvat_video_frame_with_every_shape_outside_is_an_image(tmp_path, capsys):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass car: box { }\nrule a_car: warning { require count(car) >= 1 }\n")
    export = tmp_path / "annotations.xml"
    track = ('<track id="0" label="car">'
             '<box frame="0" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="9" ybr="9" z_order="0"/>'
             '<box frame="1" outside="1" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="9" ybr="9" z_order="0"/>'
             '</track>')
    meta = "<meta><task><original_size><width>20</width><height>20</height></original_size></task></meta>"
    export.write_text(f"<annotations><version>1.1</version>{meta}{track}</annotations>")
    main(["check", str(spec), str(export), "--format", "json", "-q"])
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["images"] == 2
    assert [(f["check"], f["image"]) for f in report["findings"]] == [("a_car", "frame_000001")]


# ---- COCO -----------------------------------------------------------------------------------------

MULTIPART = DATA / "tools" / "coco_multipart.json"


def test_coco_multipart_polygon_is_measured_as_the_union_of_its_parts(tmp_path, capsys):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass Class_2: polygon { require area >= 12000\n require inside_image }\n"
                    "class Class_1: polygon { }\n")
    assert findings_of(capsys, spec, MULTIPART) == []  # the largest part alone has 6052 px: the union 12103
    from specdsl.validate.view import ClassView

    dataset = load_export(MULTIPART, "coco")
    view = ClassView(compile_file(spec).classes[0], dataset.tables["Class_2"], dataset)
    assert view.prop("area")[0] == pytest.approx(12103)
    assert view.bounds_cached[0].tolist() == [4787, 1362, 5128, 1774]  # pycocotools' bbox of the merged mask
    assert view.prop("points")[0] == 256
    assert view.prop("valid")[0]
    pycocotools = pytest.importorskip("pycocotools.mask")
    doc = json.loads(MULTIPART.read_text())
    (ann,), (image,) = doc["annotations"], doc["images"]
    rle = pycocotools.merge(pycocotools.frPyObjects(ann["segmentation"], image["height"], image["width"]))
    assert view.prop("area")[0] == pytest.approx(float(pycocotools.area(rle)), rel=1e-3)


def test_coco_part_outside_the_image_is_seen(tmp_path, capsys):
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass blob: polygon { require inside_image }\n")
    export = tmp_path / "coco.json"
    big, small = [10, 10, 60, 10, 60, 60, 10, 60], [90, 10, 110, 10, 110, 20, 90, 20]
    export.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
                                  "categories": [{"id": 1, "name": "blob"}],
                                  "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
                                                   "segmentation": [big, small], "bbox": [10, 10, 50, 50]}]}))
    assert [f["check"] for f in findings_of(capsys, spec, export)] == ["blob.require.1"]


# ---- real exports written by others (vendored in tests/data, or opt-in through the realdata fixture) -----

VENDORED = ROOT / "tests" / "data"


def test_real_label_studio_rotated_boxes_match_the_sdk_converter():
    path = VENDORED / "label-studio-converter/tests/data/test_export_yolo/data_obb.json"
    records, issues = split_items(read_export(path, "label-studio"))
    assert issues == []
    results = [r for task in json.loads(path.read_text()) for a in task["annotations"] for r in a["result"]]
    objects = [o for record in records for o in record.data["objects"]]
    assert len(objects) == len(results) == 25
    for result, obj in zip(results, objects):
        label = {**result["value"], "original_width": result["original_width"],
                 "original_height": result["original_height"]}
        corners = box_corners(np.array([obj["box"]]), np.array([obj["rotation"]]))[0]
        assert corners == pytest.approx(np.array(convert_annotation_to_yolo_obb(label, normalize=False)))


def test_real_cvat_export_reads_the_same_with_the_spec(capsys, realdata):
    spec, export = ROOT / "specs/realdata/cvat_urban.spec", realdata / "cvat-urban-scene/annotations.xml"
    main(["check", str(spec), str(export), "--mapping", str(ROOT / "specs/realdata/cvat_urban.toml"),
          "--format", "json", "-q"])
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"images": 20, "objects": 313, "errors": 0, "warnings": 0, "infos": 7}


def test_real_coco_multipart_area_is_pycocotools_area():
    pycocotools = pytest.importorskip("pycocotools.mask")
    path = VENDORED / "label-studio-sdk/tests/custom/converter/data/test_import_coco/coco_import_input.json"
    doc = json.loads(path.read_text())
    dataset = load_export(path, "coco")
    from specdsl.ir import Class
    from specdsl.validate.view import ClassView

    for name, table in dataset.tables.items():
        view = ClassView(Class(name, "polygon", None, (), ()), table, dataset)
        for row, obj_id in enumerate(table.ids):
            ann = next(a for a in doc["annotations"] if str(a["id"]) == obj_id)
            image = next(i for i in doc["images"] if i["id"] == ann["image_id"])
            rle = pycocotools.merge(pycocotools.frPyObjects(ann["segmentation"], image["height"], image["width"]))
            assert view.prop("area")[row] == pytest.approx(float(pycocotools.area(rle)), rel=2e-3)
