"""A real two-source case: the CVAT urban-scene export's built-in ``occluded`` flag against its own ``occluded``
attribute, as two labelers of the same shapes (opt-in: the file may not be redistributed)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from conftest import run_specc

CLASSES = ("CAR", "PEDESTRIAN", "ROAD_SURFACE", "TRAFFIC_SIGN")
SPEC = "spec urban version 1\n" + "".join(f"class {c}: box {{\n  occluded: bool\n}}\n" for c in CLASSES)


def _exports(xml_path) -> tuple[dict, dict, list[tuple[bool, bool]]]:
    """Two native exports of the same boxes (masks as their extent): one says the flag, one the attribute."""
    flag, attribute, pairs = [], [], []
    for image in ET.parse(xml_path).getroot().iter("image"):
        objects_flag, objects_attribute = [], []
        for k, shape in enumerate(s for s in image if s.tag in ("box", "mask")):
            if shape.tag == "box":
                x0, y0, x1, y1 = (float(shape.get(a)) for a in ("xtl", "ytl", "xbr", "ybr"))
                box = [x0, y0, x1 - x0, y1 - y0]
            else:
                box = [float(shape.get(a)) for a in ("left", "top", "width", "height")]
            said = {a.get("name"): a.text for a in shape.iter("attribute")}
            if said.get("occluded") is None:
                continue  # the two sources can only be compared where both say something
            by_flag, by_attribute = shape.get("occluded") == "1", said["occluded"] == "yes"
            pairs.append((by_flag, by_attribute))
            common = {"id": f"s{k}", "class": shape.get("label"), "box": box}
            objects_flag.append({**common, "attributes": {"occluded": by_flag}})
            objects_attribute.append({**common, "attributes": {"occluded": by_attribute}})
        header = {"id": image.get("name"), "width": int(image.get("width")), "height": int(image.get("height"))}
        flag.append({**header, "objects": objects_flag})
        attribute.append({**header, "objects": objects_attribute})
    return {"spec": "urban", "images": flag}, {"spec": "urban", "images": attribute}, pairs


def test_cvat_occluded_flag_against_the_occluded_attribute(tmp_path, realdata):
    flag, attribute, pairs = _exports(realdata / "cvat-urban-scene" / "annotations.xml")
    (tmp_path / "urban.spec").write_text(SPEC)
    (tmp_path / "flag.json").write_text(json.dumps(flag))
    (tmp_path / "attribute.json").write_text(json.dumps(attribute))
    result = run_specc("agree", str(tmp_path / "urban.spec"), str(tmp_path / "flag.json"),
                       str(tmp_path / "attribute.json"), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    disagreeing = sum(a != b for a, b in pairs)
    assert disagreeing == 9  # as SOURCES.md counted
    occluded = [f for f in out["findings"] if f["check"].endswith(".occluded")]
    assert len(occluded) == disagreeing
    assert not [f for f in out["findings"] if f["check"].endswith((".missing", ".class"))]
    n = len(pairs)
    p_o = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_e = sum(first[v] * second[v] for v in (True, False)) / n / n
    kappas = {k: v["kappa"] for k, v in out["summary"]["attributes"].items() if v["pairs"]}
    pooled_pairs = sum(v["pairs"] for k, v in out["summary"]["attributes"].items())
    assert pooled_pairs == n == sum(v["matched"] for v in out["summary"]["classes"].values())
    per_class = {c: [p for p, s in zip(pairs, _classes_in_order(flag)) if s == c] for c in CLASSES}
    for cls, class_pairs in per_class.items():
        if not class_pairs:
            continue
        m = len(class_pairs)
        po = sum(a == b for a, b in class_pairs) / m
        ca, cb = Counter(a for a, _ in class_pairs), Counter(b for _, b in class_pairs)
        pe = sum(ca[v] * cb[v] for v in (True, False)) / m / m
        expected = None if pe == 1 else (po - pe) / (1 - pe)
        assert kappas[f"{cls}.occluded"] == pytest.approx(expected)
    assert 0 < p_o < 1
    assert 0 < p_e < 1


def _classes_in_order(export: dict) -> list[str]:
    return [o["class"] for image in export["images"] for o in image["objects"]]
