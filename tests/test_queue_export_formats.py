"""`specc queue export --format label-studio|cvat`: task lists a labeling tool can import."""

from __future__ import annotations

import json

from conftest import run_specc

DIFF = {"from": {"spec": "lanes", "version": 2}, "to": {"spec": "lanes", "version": 3},
        "changes": [{"id": "CLASS_REMOVED", "severity": "breaking", "target": "old", "message": "m", "old": None,
                     "new": None}],
        "impact": [{"image": "seq/1.jpg", "objects": ["a1"], "changes": ["CLASS_REMOVED"], "action": "relabel"},
                   {"image": "seq/2.png", "objects": [], "changes": ["CLASS_REMOVED"], "action": "review"}],
        "summary": {"images": 2, "images_affected": 2, "objects_affected": 1}}


def test_label_studio_and_cvat_task_lists(tmp_path) -> None:
    source, queue = tmp_path / "diff.json", str(tmp_path / "q.db")
    source.write_text(json.dumps(DIFF))
    assert run_specc("queue", "build", "--queue", queue, str(source)).returncode == 0
    tasks = json.loads(run_specc("queue", "export", "--queue", queue, "--format", "label-studio", "-o", "-").stdout)
    assert sorted(t["data"]["image"] for t in tasks) == ["seq/1.jpg", "seq/2.png"]
    assert all(t["data"]["reasons"] == "CLASS_REMOVED" for t in tasks)
    priorities = [t["meta"]["priority"] for t in tasks]
    assert priorities == sorted(priorities, reverse=True)
    lines = run_specc("queue", "export", "--queue", queue, "--format", "cvat", "-o", "-").stdout.splitlines()
    manifest = [json.loads(line) for line in lines]
    assert manifest[:2] == [{"version": "1.1"}, {"type": "images"}]
    assert sorted((m["name"], m["extension"]) for m in manifest[2:]) == [("seq/1", ".jpg"), ("seq/2", ".png")]


# --- Label Studio regions of every geometry, checked by Label Studio's own SDK ---------------------------

NATIVE = {"spec": "street", "images": [
    {"id": "s/1.jpg", "width": 200, "height": 100, "objects": [
        {"id": "c1", "class": "car", "box": [20, 10, 40, 30], "attributes": {}},
        {"id": "p1", "class": "area", "points": [[0, 0], [100, 0], [100, 50]], "attributes": {}},
        {"id": "l1", "class": "lane", "points": [[10, 90], [190, 10]], "attributes": {}},
        {"id": "k1", "class": "cone", "point": [50, 25], "attributes": {}},
        {"id": "m1", "class": "sky", "mask": {"rle": [0, 5], "size": [100, 200]}, "attributes": {}},
        {"id": "far", "class": "car", "box": [190, 90, 40, 40], "attributes": {}}]},
    {"id": "s/2 b.jpg", "objects": [{"id": "c1", "class": "car", "box": [1, 1, 5, 5]}]}]}
GEOMETRY = {"car": "box", "area": "polygon", "lane": "polyline", "cone": "point", "sky": "mask"}


def _queue_with(tmp_path, *images: str):
    from specdsl.queue import open_queue

    queue = open_queue(tmp_path / "q.db")
    queue.add_items([{"image": image, "action": "relabel", "objects": ["c1"], "reasons": ["car.require.1"]}
                     for image in images])
    return queue


def test_label_studio_regions_of_every_geometry_validate(tmp_path) -> None:
    import io

    import pytest

    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    from specdsl.queue.exporters import export_label_studio
    from specdsl.queue.label_studio import labeling_config
    from specdsl.queue.labels import ExportOptions, read_labels

    (tmp_path / "export.json").write_text(json.dumps(NATIVE))
    labels = read_labels([tmp_path / "export.json"], None, _read_options())
    with _queue_with(tmp_path, "s/1.jpg", "s/2 b.jpg") as queue:
        items = queue.items()
    stream = io.BytesIO()
    notes = export_label_studio(items, stream, ExportOptions(labels, GEOMETRY, "/data/local-files/?d=roads/"))
    tasks = {t["meta"]["image"]: t for t in json.loads(stream.getvalue())}
    assert tasks["s/2 b.jpg"]["data"]["image"] == "/data/local-files/?d=roads/s/2%20b.jpg"
    assert tasks["s/2 b.jpg"]["predictions"][0]["result"] == []  # no size: nothing can be placed
    assert any("no width/height" in n for n in notes)
    assert any("2 object(s)" in n for n in notes)
    (prediction,) = tasks["s/1.jpg"]["predictions"]
    interface = label_interface.LabelInterface(labeling_config(list(GEOMETRY)))
    assert interface.validate_prediction(prediction, return_errors=True) == []
    regions = {r["id"]: r for r in prediction["result"]}
    assert {i: r["type"] for i, r in regions.items()} == {
        "c1": "rectanglelabels", "p1": "polygonlabels", "l1": "vectorlabels", "k1": "keypointlabels",
        "far": "rectanglelabels"}  # the mask is left out
    assert regions["c1"]["value"] | {"rectanglelabels": None} == {
        "x": 10.0, "y": 10.0, "width": 20.0, "height": 30.0, "rotation": 0.0, "rectanglelabels": None}
    assert regions["p1"]["value"]["points"] == [[0.0, 0.0], [50.0, 0.0], [50.0, 50.0]]
    assert (regions["k1"]["value"]["x"], regions["k1"]["value"]["y"]) == (25.0, 25.0)
    far = regions["far"]["value"]  # leaves the image: kept inside it, as Label Studio requires
    assert far["x"] + far["width"] <= 100
    assert far["y"] + far["height"] <= 100
    assert regions["c1"]["meta"] == {"text": ["relabel: car.require.1"]}
    assert "meta" not in regions["p1"]


def test_without_a_spec_points_are_a_polygon_only_when_closed_or_boxed(tmp_path) -> None:
    from specdsl.queue.label_studio import regions
    from specdsl.queue.labels import ImageLabels

    objects = ({"id": "a", "class": "x", "points": [[1, 1], [5, 5]]},
               {"id": "b", "class": "x", "points": [[1, 1], [5, 5], [1, 5]], "closed": True},
               {"id": "c", "class": "x", "points": [[1, 1], [5, 5], [1, 5]], "box": [1, 1, 4, 4]})
    found, missed = regions(ImageLabels(10, 10, objects), {}, {})
    assert [r["type"] for r in found] == ["vectorlabels", "polygonlabels", "polygonlabels"]
    assert missed == 0


def test_cvat_sizes_come_from_the_items_when_no_labels_are_given(tmp_path) -> None:
    import io

    from specdsl.queue import open_queue
    from specdsl.queue.exporters import export_cvat

    with open_queue(tmp_path / "q.db") as queue:
        queue.add_items([{"image": "a.png", "action": "label", "width": 640, "height": 480},
                         {"image": "b.png", "action": "label"}])
        items = queue.items()
    stream = io.BytesIO()
    notes = export_cvat(items, stream)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()[2:]]
    assert {line["name"]: (line.get("width"), line.get("height")) for line in lines} == {
        "a": (640, 480), "b": (None, None)}
    assert notes == ["1 image(s) without width/height (CVAT needs them): pass --labels EXPORT"]


def test_export_refuses_unreadable_labels_and_specs_with_exit_2(tmp_path) -> None:
    source, queue = tmp_path / "diff.json", str(tmp_path / "q.db")
    source.write_text(json.dumps(DIFF))
    assert run_specc("queue", "build", "--queue", queue, str(source)).returncode == 0
    missing = run_specc("queue", "export", "--queue", queue, "-o", str(tmp_path / "t.json"), "--format",
                        "label-studio", "--labels", str(tmp_path / "absent.json"))
    assert missing.returncode == 2
    assert "absent.json" in missing.stderr
    assert "Traceback" not in missing.stderr
    (tmp_path / "broken.json").write_text("{not json")
    broken = run_specc("queue", "export", "--queue", queue, "-o", str(tmp_path / "t.json"), "--format",
                       "label-studio", "--labels", str(tmp_path / "broken.json"))
    assert broken.returncode == 2
    assert "broken.json" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert not (tmp_path / "t.json").exists()  # nothing half-written under the final name


def _read_options():
    from specdsl.data.readers import ReadOptions

    return ReadOptions()
