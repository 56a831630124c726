"""Edge cases of the checker found in review: missing values, invalid polygons, the two-process reader."""

from __future__ import annotations

import json
from pathlib import Path

from specdsl.compiler import compile_text
from specdsl.data.build import build_dataset
from specdsl.data.readers import ReadOptions, read_export
from specdsl.data.records import ImageRecord
from specdsl.validate import run_checks


def _findings(spec_text: str, images: list[dict]) -> list[tuple]:
    records = [ImageRecord(img, "mem.json", f"/images/{k}") for k, img in enumerate(images)]
    findings = run_checks(compile_text("spec t version 1\n" + spec_text), build_dataset(records, "mem.json"))
    return sorted((f.check, f.image, f.objects) for f in findings)


def _point(oid: str, cls: str, **attributes) -> dict:
    return {"id": oid, "class": cls, "point": [1, 1], "attributes": attributes}


def test_not_equal_is_true_when_both_sides_are_missing() -> None:
    spec = """
class a: point { s: string ?  e: enum { p, q } ? }
rule strings: error { "s" for u in a for v in a where u != v and u.s != v.s  require false }
rule enums: error { "e" for u in a for v in a where u != v and u.e != v.e  require false }
"""
    found = _findings(spec, [{"id": "i", "objects": [_point("o1", "a"), _point("o2", "a")]}])
    # both rules read the same with u and v swapped: each unordered pair is reported once
    assert found == [("enums", "i", ("o1", "o2")), ("strings", "i", ("o1", "o2"))]


def test_a_missing_optional_bool_equals_neither_true_nor_false() -> None:
    spec = """
class a: point { f: bool ?
  require not (f == false)
  require f != true
  require not (f in { false })
  require not f
}
"""
    assert _findings(spec, [{"id": "i", "objects": [_point("o1", "a")]}]) == []
    assert _findings(spec, [{"id": "i", "objects": [_point("o1", "a", f=False)]}]) == [
        ("a.require.1", "i", ("o1",)), ("a.require.3", "i", ("o1",))]


def test_iou_of_a_self_intersecting_polygon_does_not_crash() -> None:
    spec = """
class pg: polygon { }
rule overlap: error { "o" for a in pg for b in pg where a != b and iou(a, b) > 0.1  require false }
"""
    bowtie = {"id": "p1", "class": "pg", "points": [[0, 0], [4, 4], [4, 0], [0, 4]]}
    square = {"id": "p2", "class": "pg", "points": [[0, 0], [4, 0], [4, 4], [0, 4]]}
    found = _findings(spec, [{"id": "i", "width": 10, "height": 10, "objects": [bowtie, square]}])
    assert found == [("overlap", "i", ("p1", "p2"))]  # iou is symmetric: one finding per pair


def test_images_without_id_are_named_alike_by_one_pass_and_by_chunks(tmp_path: Path) -> None:
    from specdsl.scale.plan import ChunkSize, plan_chunks
    from specdsl.scale.run import check_export

    images = [{"id": f"img{k}", "objects": []} for k in range(6)]
    del images[4]["id"]  # in the second chunk
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"spec": "t", "images": images}))
    serial = build_dataset(read_export(path), str(path))
    assert [p.image for p in serial.problems] == ["<image 4>"]
    spec = compile_text("spec t version 1\n")
    chunks = plan_chunks(str(path), None, ChunkSize(images=3))
    assert len(chunks) == 2
    chunked = check_export(spec, str(path), chunks, ReadOptions(), jobs=1)
    assert [f.image for f in chunked.findings] == ["<image 4>"]


def test_an_object_without_geometry_still_meets_the_checks_that_do_not_read_it() -> None:
    spec = """
class a: point { e: enum { p, q }  require e == p  require inside_image }
rule only_p: error { "p" for x in a require x.e == p }
rule near: error { "n" for x in a for y in a where x != y and distance(x, y) < 5  require false }
"""
    shapeless = {"id": "o1", "class": "a", "attributes": {"e": "q"}}
    found = _findings(spec, [{"id": "i", "width": 9, "height": 9, "objects": [shapeless, _point("o2", "a", e="p")]}])
    assert found == [("a.require.1", "i", ("o1",)), ("only_p", "i", ("o1",)), ("schema", "i", ("o1",))]
