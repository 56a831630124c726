"""Impact attribution: every change an impact entry lists concerns every object it lists; counts are exact.

The traffic-light case of issue 9: version 2 declares a relabel of arrow lights and renames an
attribute of lights (``occluded -> hidden``) and one of signs (``kind -> shape``). A light that only
needs the relabel must never be listed with the rename its neighbour carries.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.cli import main as cli
from specdsl.compiler import compile_text
from specdsl.data.build import build_dataset
from specdsl.data.records import ImageRecord
from specdsl.diff import diff_specs
from specdsl.diff.impact import ChangeCount, analyze_impact
from specdsl.diff.render import render_text

V1 = """spec traffic version 1

class traffic_light: box {
  arrow: bool
  occluded: bool ?
}

class sign: box {
  kind: enum { round, square } ?
}
"""

V2 = """spec traffic version 2

class traffic_light: box {
  arrow: bool
  hidden: bool ?
}

class sign: box {
  shape: enum { round, square } ?
}

changes 2 {
  "Arrow lights are labeled per arrow now."
  relabel traffic_light where arrow == true
  rename traffic_light.occluded -> hidden
  rename sign.kind -> shape
}
"""

OLD, NEW = compile_text(V1, "v1.spec"), compile_text(V2, "v2.spec")


def light(object_id: str, arrow: bool, occluded: bool | None) -> dict:
    attributes = {"arrow": arrow} | ({} if occluded is None else {"occluded": occluded})
    return {"id": object_id, "class": "traffic_light", "box": [10, 10, 20, 40], "attributes": attributes}


def sign(object_id: str, kind: str | None) -> dict:
    return {"id": object_id, "class": "sign", "box": [50, 10, 20, 20],
            "attributes": {} if kind is None else {"kind": kind}}


def image(image_id: str, objects: list[dict]) -> dict:
    return {"id": image_id, "width": 200, "height": 100, "spec_version": 1, "objects": objects}


def impact_of(images: list[dict]):
    records = [ImageRecord(img, "labels.json", f"/images/{k}") for k, img in enumerate(images)]
    return analyze_impact(build_dataset(records, "labels.json"), NEW, {1: OLD, 2: NEW}, default_version=1)


def expected_changes(obj: dict) -> set[str]:
    """What concerns one object, read straight from its attributes."""
    attrs = obj["attributes"]
    changes = set()
    if obj["class"] == "traffic_light" and attrs["arrow"]:
        changes.add("RELABEL_DECLARED")
    if "occluded" in attrs or "kind" in attrs:
        changes.add("ATTRIBUTE_RENAMED")
    return changes


TRAFFIC = image("crossing.jpg", [light("a", arrow=True, occluded=None),  # only the relabel
                                 light("b", arrow=True, occluded=False),  # relabel and rename
                                 light("c", arrow=False, occluded=True),  # only the rename
                                 light("d", arrow=False, occluded=None),  # nothing
                                 sign("s", "round")])  # the rename of another class


def test_a_light_needing_only_the_relabel_is_not_listed_with_its_neighbours_rename() -> None:
    impact = impact_of([TRAFFIC])
    entries = {(i.action, i.objects, i.changes) for i in impact.items}
    assert entries == {("relabel", ("a",), ("RELABEL_DECLARED",)),
                       ("relabel", ("b",), ("ATTRIBUTE_RENAMED", "RELABEL_DECLARED")),
                       ("migrate", ("c", "s"), ("ATTRIBUTE_RENAMED",))}
    assert impact.summary() == {"images": 1, "images_affected": 1, "objects_affected": 4}


def test_counts_by_change_are_exact() -> None:
    impact = impact_of([TRAFFIC, image("empty.jpg", [light("e", arrow=False, occluded=None)])])
    counts = {c.key: impact.count(c) for c in diff_specs(OLD, NEW)}
    assert counts == {("RELABEL_DECLARED", "traffic_light"): ChangeCount(objects=2, images=1),
                      ("ATTRIBUTE_RENAMED", "traffic_light.hidden"): ChangeCount(objects=2, images=1),
                      ("ATTRIBUTE_RENAMED", "sign.shape"): ChangeCount(objects=1, images=1)}


def test_text_output_counts_objects_per_change() -> None:
    text = render_text(OLD, NEW, diff_specs(OLD, NEW), impact_of([TRAFFIC]))
    relabel = text[text.index("RELABEL_DECLARED"):]
    assert relabel.splitlines()[2].strip() == "affects 2 objects in 1 image"
    sign_rename = text[text.index("sign.shape"):]
    assert sign_rename.splitlines()[2].strip() == "affects 1 object in 1 image"


def test_cli_text_and_json_through_the_entry_point(tmp_path: Path, capsys) -> None:
    for name, text in (("v1.spec", V1), ("v2.spec", V2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"spec": "traffic", "images": [TRAFFIC]}), encoding="utf-8")
    args = ["diff", str(tmp_path / "v1.spec"), str(tmp_path / "v2.spec"), "--labels", str(labels)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "relabel  1 objects in 1 images  (RELABEL_DECLARED)" in out
    assert "relabel  1 objects in 1 images  (ATTRIBUTE_RENAMED, RELABEL_DECLARED)" in out
    assert out.count("affects 2 objects in 1 image\n") == 2  # the relabel and the light's rename
    assert cli.main([*args, "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {"image", "objects", "changes", "action"} == set(record["impact"][0])  # the record's shape is kept


objects = st.lists(st.one_of(
    st.builds(lambda arrow, occluded: ("light", arrow, occluded), st.booleans(), st.none() | st.booleans()),
    st.builds(lambda kind: ("sign", kind, None), st.none() | st.sampled_from(["round", "square"]))),
    max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.lists(objects, min_size=1, max_size=5))
def test_every_listed_change_concerns_every_listed_object(scenes: list[list[tuple]]) -> None:
    images = []
    for k, scene in enumerate(scenes):
        built = [light(f"o{j}", a, b) if kind == "light" else sign(f"o{j}", a) for j, (kind, a, b) in enumerate(scene)]
        images.append(image(f"img{k}", built))
    impact = impact_of(images)
    truth = {(img["id"], obj["id"]): expected_changes(obj) for img in images for obj in img["objects"]}
    listed = {(item.image, obj): set(item.changes) for item in impact.items for obj in item.objects}
    assert listed == {key: changes for key, changes in truth.items() if changes}
    for change in diff_specs(OLD, NEW):
        owner = change.target.partition(".")[0]
        touched = [key for key, changes in truth.items() if change.id in changes
                   and _class_of(images, key) == owner]
        assert impact.count(change).objects == len(touched), change.key
        assert impact.count(change).images == len({image_id for image_id, _ in touched}), change.key


def _class_of(images: list[dict], key: tuple[str, str]) -> str:
    return next(o["class"] for img in images if img["id"] == key[0] for o in img["objects"] if o["id"] == key[1])
