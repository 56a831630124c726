"""The pipeline of docs/queue.md end to end: `specc diff` + `specc check` of one export into one queue,
then the exports for Label Studio and CVAT, on a generated export of 300 images.

The expectations are computed from what the generator planted (which lanes are blue, short or without
a style), not from the queue's code.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import run_specc

DATA = Path(__file__).parent / "data" / "queue_pipeline"
V2, V3 = DATA / "v2.spec", DATA / "v3.spec"  # v3 removes the colour blue and adds a required style
WIDTH, HEIGHT = 1280, 720


def generated_export(n: int = 300, seed: int = 7) -> dict:
    """Half the images labeled under v2 (no style at all), half under v3 (a few lanes miss the style);
    about 5% of lanes are blue (removed in v3) and 4% too short (a constraint)."""
    rng = random.Random(seed)
    images = []
    for i in range(n):
        version = 2 if i % 2 == 0 else 3
        objects = []
        for j in range(rng.randint(2, 5)):
            x, length = 100 + 150 * j, 3 if rng.random() < 0.04 else 300
            attributes = {"color": "blue" if rng.random() < 0.05 else rng.choice(["white", "yellow"])}
            if version == 3 and rng.random() > 0.05:
                attributes["style"] = rng.choice(["solid", "dashed"])
            objects.append({"id": f"a{j}", "class": "lane_line", "points": [[x, 700], [x, 700 - length]],
                            "attributes": attributes})
        images.append({"id": f"drive{i // 100}/{i:05d}.jpg", "width": WIDTH, "height": HEIGHT,
                       "spec_version": version, "attributes": {"weather": rng.choice(["dry", "wet"])},
                       "objects": objects})
    return {"spec": "roads", "images": images}


def planted(export: dict) -> dict[str, dict[str, set[str]]]:
    """image -> object -> the reasons the diff (change IDs) and the check (check names) must give."""
    expected: dict[str, dict[str, set[str]]] = {}
    for image in export["images"]:
        old = image["spec_version"] == 2
        for obj in image["objects"]:
            reasons = set()
            if obj["attributes"]["color"] == "blue":
                reasons |= {"lane_line.color"} | ({"ENUM_VALUE_REMOVED"} if old else set())
            if "style" not in obj["attributes"]:
                reasons |= {"lane_line.style"} | ({"ATTRIBUTE_ADDED"} if old else set())
            if obj["points"][0][1] - obj["points"][1][1] < 10:
                reasons.add("lane_line.require.2")
            if reasons:
                expected.setdefault(image["id"], {})[obj["id"]] = reasons
    return expected


RELABEL_REASONS = {"lane_line.color", "ENUM_VALUE_REMOVED", "lane_line.require.2"}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("pipeline")
    export = generated_export()
    (work / "export.json").write_text(json.dumps(export))
    diff = run_specc("diff", str(V2), str(V3), "--labels", "export.json", "--format", "json", cwd=work)
    assert diff.returncode == 0, diff.stderr
    (work / "diff.json").write_text(diff.stdout)
    check = run_specc("check", str(V3), "export.json", "--format", "jsonl", "--progress", "none", cwd=work)
    assert check.returncode == 1, check.stderr
    (work / "findings.jsonl").write_text(check.stdout)
    return {"dir": work, "export": export, "expected": planted(export)}


def build(work: Path, queue: str, *inputs: str) -> str:
    result = run_specc("queue", "build", "--queue", queue, *inputs, cwd=work)
    assert result.returncode == 0, result.stderr
    return result.stderr


def items(work: Path, queue: str, *options: str) -> list[dict]:
    result = run_specc("queue", "list", "--queue", queue, "--format", "json", *options, cwd=work)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_one_pending_item_per_image_with_every_object_and_its_reasons(pipeline):
    work, expected = pipeline["dir"], pipeline["expected"]
    build(work, "q.db", "diff.json", "findings.jsonl")
    queued = items(work, "q.db")
    assert len(expected) > 150  # the generator planted work on most images: the test has teeth
    assert sorted(i["image"] for i in queued) == sorted(expected)  # exactly one item per image with work
    for item in queued:
        want = expected[item["image"]]
        assert item["status"] == "pending"
        assert set(item["objects"]) == set(want)
        assert {o: set(r) for o, r in item["object_reasons"].items()} == want
        relabel = {o for o, reasons in want.items() if reasons & RELABEL_REASONS}
        assert item["action"] == ("relabel" if relabel else "fill")  # a missing style is filled, not redrawn
        assert item["object_actions"] == {o: "relabel" if o in relabel else "fill" for o in want}
        assert set(item["reasons"]) == set().union(*want.values())


def test_building_again_or_in_another_order_changes_nothing(pipeline):
    work = pipeline["dir"]
    build(work, "twice.db", "diff.json", "findings.jsonl")
    first = items(work, "twice.db")
    assert f"0 added, 0 merged, {len(first) + 150} already queued" in build(work, "twice.db", "diff.json",
                                                                           "findings.jsonl")
    assert items(work, "twice.db") == first  # same ids, objects, reasons and priorities
    build(work, "reversed.db", "findings.jsonl", "diff.json")
    key = [(i["image"], i["action"], sorted(i["objects"]), {o: sorted(r) for o, r in i["object_reasons"].items()},
            i["priority"]) for i in first]
    reverse = sorted((i["image"], i["action"], sorted(i["objects"]), {o: sorted(r) for o, r in
                      i["object_reasons"].items()}, i["priority"]) for i in items(work, "reversed.db"))
    assert reverse == sorted(key)


def test_work_after_done_is_asked_only_when_new(pipeline):
    work, queue = pipeline["dir"], "done.db"
    build(work, queue, "diff.json")
    ids = [str(i["id"]) for i in items(work, queue)]
    assert run_specc("queue", "done", "--queue", queue, *ids, cwd=work).returncode == 0
    build(work, queue, "diff.json", "findings.jsonl")
    reopened = items(work, queue, "--status", "pending")
    # the check's findings on the diff's images are new reasons (check names) on the same objects
    assert reopened
    assert all("ATTRIBUTE_ADDED" not in i["reasons"] for i in reopened)
    assert "already queued" in build(work, queue, "diff.json", "findings.jsonl")
    assert items(work, queue, "--status", "pending") == reopened


def test_label_studio_export_carries_labels_as_predictions_and_urls(pipeline):
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    work = pipeline["dir"]
    build(work, "ls.db", "diff.json", "findings.jsonl")
    result = run_specc("queue", "export", "--queue", "ls.db", "--format", "label-studio", "-o", "tasks.json",
                       "--labels", "export.json", "--spec", str(V3), "--image-url-prefix",
                       "https://data.example.com/roads/", cwd=work)
    assert result.returncode == 0, result.stderr
    tasks = json.loads((work / "tasks.json").read_text())
    assert len(tasks) == len(pipeline["expected"])
    config = run_specc("export-config", str(V3), "--target", "label-studio", cwd=work)
    assert config.returncode == 0, config.stderr
    interface = label_interface.LabelInterface(config.stdout)  # the project's own config (attribute controls too)
    by_image = {image["id"]: image for image in pipeline["export"]["images"]}
    for task in tasks:
        image = by_image[task["meta"]["image"]]
        assert task["data"]["image"] == "https://data.example.com/roads/" + image["id"]
        (prediction,) = task["predictions"]
        assert interface.validate_prediction(prediction, return_errors=True) == []
        regions = {r["id"]: r for r in prediction["result"] if r["type"] == "vectorlabels"}
        assert set(regions) == {o["id"] for o in image["objects"]}  # every object, not only the flagged ones
        for obj in image["objects"]:
            region = regions[obj["id"]]
            assert region["type"] == "vectorlabels"
            assert region["value"]["vectorlabels"] == ["lane_line"]
            vertices = [c for v in region["value"]["vertices"] for c in (v["x"] * WIDTH / 100, v["y"] * HEIGHT / 100)]
            assert vertices == pytest.approx([c for point in obj["points"] for c in point], abs=0.01)
        flagged = set(task["meta"]["object_reasons"])
        assert {o for o, r in regions.items() if "meta" in r} == flagged


def test_cvat_manifest_has_image_sizes(pipeline):
    work = pipeline["dir"]
    build(work, "cvat.db", "diff.json", "findings.jsonl")
    without = run_specc("queue", "export", "--queue", "cvat.db", "--format", "cvat", "-o", "-", cwd=work)
    assert "without width/height" in without.stderr
    result = run_specc("queue", "export", "--queue", "cvat.db", "--format", "cvat", "-o", "manifest.jsonl",
                       "--labels", "export.json", cwd=work)
    assert result.returncode == 0, result.stderr
    header, kind, *lines = [json.loads(line) for line in (work / "manifest.jsonl").read_text().splitlines()]
    assert header == {"version": "1.1"}
    assert kind == {"type": "images"}
    assert len(lines) == len(pipeline["expected"])
    assert all((line["width"], line["height"]) == (WIDTH, HEIGHT) for line in lines)
    assert {line["name"] + line["extension"] for line in lines} == set(pipeline["expected"])


def test_export_defaults_to_pending_items(pipeline):
    work = pipeline["dir"]
    build(work, "export.db", "diff.json", "findings.jsonl")
    claim = run_specc("queue", "claim", "--queue", "export.db", "--labeler", "l-1", "--n", "5", "--format", "json",
                      cwd=work)
    claimed = [str(i["id"]) for i in json.loads(claim.stdout)]
    assert run_specc("queue", "done", "--queue", "export.db", *claimed[:2], cwd=work).returncode == 0

    def exported(*options: str) -> list[dict]:
        out = run_specc("queue", "export", "--queue", "export.db", "-o", "-", *options, cwd=work).stdout
        return [json.loads(line) for line in out.splitlines()]

    total = len(pipeline["expected"])
    pending = exported()
    assert {i["status"] for i in pending} == {"pending"}
    assert len(pending) == total - 5
    assert [str(i["id"]) for i in exported("--status", "claimed")] == sorted(claimed[2:], key=int)
    assert len(exported("--status", "done")) == 2
    assert len(exported("--status", "all")) == total
