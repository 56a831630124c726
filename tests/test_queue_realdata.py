"""The pipeline of docs/queue.md on real TuSimple labels (issue 9: "1006 items for 300 images"): `specc diff
--format json` and `specc check --format jsonl` of the same 500 frames into one queue give exactly one pending
item per image, every object with its reasons, and the per-change counts are exact.

Expectations come from the raw files (the lanes and the per-lane class file), not from the queue's code:
version 2 removes Botts' dots (class 5 in the class file) and adds a required attribute to every lane.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import SPECS, run_specc

LABELS = "tusimple-benchmark/example/label_data.first500.json"
CLASSES = "tusimple-lane-classes/class_labels/label_data_0313_classes.first500.txt"
BOTTS_DOTS = "5"


def _version_2(text: str) -> str:
    edits = (("version 1", "version 2"), ('  botts_dots  "Raised round markers instead of paint."\n', ""),
             ("  color: LaneColor = unknown\n", "  color: LaneColor = unknown\n  occluded: bool\n"))
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _lanes(realdata: Path) -> dict[str, dict[str, str]]:
    """image -> lane id (its index in `lanes`) -> its class id, for lanes with at least one point."""
    frames = [json.loads(line) for line in (realdata / LABELS).read_text().splitlines() if line.strip()]
    classes = [line.split() for line in (realdata / CLASSES).read_text().splitlines()]
    return {frame["raw_file"]: {str(k): cls for k, (lane, cls) in enumerate(zip(frame["lanes"], row))
                                if any(x >= 0 for x in lane)}
            for frame, row in zip(frames, classes, strict=True)}


@pytest.fixture(scope="module")
def pipeline(realdata: Path, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("tusimple_queue")
    old = SPECS / "realdata" / "tusimple_lanes.spec"
    (work / "v2.spec").write_text(_version_2(old.read_text()))
    read = ("--class-file", str(realdata / CLASSES), "--mapping", str(SPECS / "realdata" / "tusimple.toml"))
    diff = run_specc("diff", str(old), "v2.spec", "--labels", str(realdata / LABELS), *read, "--format", "json",
                     "-o", "diff.json", cwd=work)
    assert diff.returncode == 0, diff.stderr
    check = run_specc("check", "v2.spec", str(realdata / LABELS), *read, "--format", "jsonl", "--progress", "none",
                      "-o", "findings.jsonl", cwd=work)
    assert check.returncode == 1, check.stderr
    built = run_specc("queue", "build", "--queue", "q.db", "diff.json", "findings.jsonl", cwd=work)
    assert built.returncode == 0, built.stderr
    listed = run_specc("queue", "list", "--queue", "q.db", "--format", "json", cwd=work)
    assert listed.returncode == 0, listed.stderr
    return {"dir": work, "lanes": _lanes(realdata), "items": json.loads(listed.stdout),
            "diff": json.loads((work / "diff.json").read_text()),
            "findings": [json.loads(line) for line in (work / "findings.jsonl").read_text().splitlines()]}


def test_per_change_counts_are_the_lanes_that_carry_the_change(pipeline) -> None:
    lanes = pipeline["lanes"]
    counted = Counter()
    for entry in pipeline["diff"]["impact"]:
        counted.update({change: len(entry["objects"]) for change in entry["changes"]})
    assert counted == {"ATTRIBUTE_ADDED": sum(map(len, lanes.values())),
                       "ENUM_VALUE_REMOVED": sum(c == BOTTS_DOTS for image in lanes.values() for c in image.values())}


def test_one_pending_item_per_image_with_every_object_and_its_reasons(pipeline) -> None:
    items, lanes = pipeline["items"], pipeline["lanes"]
    assert [i["status"] for i in items] == ["pending"] * len(lanes)
    assert sorted(i["image"] for i in items) == sorted(lanes)  # every lane gets the new attribute
    from_check: dict[tuple[str, str], set[str]] = {}
    for finding in pipeline["findings"]:
        for obj in finding["objects"]:
            from_check.setdefault((finding["image"], obj), set()).add(finding["check"])
    for item in items:
        image = item["image"]
        assert sorted(item["objects"]) == sorted(lanes[image])
        for lane, cls in lanes[image].items():
            planted = {"ATTRIBUTE_ADDED", "lane_line.occluded"}
            if cls == BOTTS_DOTS:
                planted |= {"ENUM_VALUE_REMOVED", "lane_line.style"}
            assert set(item["object_reasons"][lane]) == planted | from_check.get((image, lane), set())
            # A missing attribute asks to fill it; a removed value, or a rule on the lane, to relabel it.
            asks_relabel = cls == BOTTS_DOTS or bool(from_check.get((image, lane), set()) - planted)
            assert item["object_actions"][lane] == ("relabel" if asks_relabel else "fill")


def test_building_again_adds_nothing(pipeline) -> None:
    again = run_specc("queue", "build", "--queue", "q.db", "findings.jsonl", "diff.json", cwd=pipeline["dir"])
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 merged" in again.stderr
