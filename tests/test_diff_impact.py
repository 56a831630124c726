"""Impact of spec changes on labels: real TuSimple lanes, multi-version jumps read from git, objects once.

The TuSimple tests need the per-lane class file, which has no licence: they are opt-in (``realdata``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import pytest
from conftest import ROOT, git

from specdsl.compiler import compile_file, compile_text
from specdsl.data import load_export
from specdsl.data.mapping import load_mapping
from specdsl.data.readers import ReadOptions
from specdsl.diff import diff_specs
from specdsl.diff.history import read_history
from specdsl.diff.impact import analyze_impact

LABELS = "tusimple-benchmark/example/label_data.first500.json"
CLASSES = "tusimple-lane-classes/class_labels/label_data_0313_classes.first500.txt"
TUSIMPLE_SPEC = ROOT / "specs/realdata/tusimple_lanes.spec"
CASES = ROOT / "tests/diff_cases"


@pytest.fixture(scope="module")
def tusimple(realdata):
    options = ReadOptions(class_file=realdata / CLASSES, mapping=load_mapping(ROOT / "specs/realdata/tusimple.toml"))
    return load_export(realdata / LABELS, "tusimple", options)


def tusimple_v2(*edits: tuple[str, str]):
    text = TUSIMPLE_SPEC.read_text(encoding="utf-8").replace("version 1", "version 2", 1)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return compile_text(text, "tusimple_lanes.spec@v2")


def raw_lanes(realdata: Path) -> list[tuple[str, str, int, np.ndarray]]:
    """(image, lane id, class id, points) for every non-empty lane, read straight from the files."""
    lanes = []
    classes = (realdata / CLASSES).read_text(encoding="utf-8").splitlines()
    for line, class_line in zip((realdata / LABELS).read_bytes().splitlines(), classes):
        frame = orjson.loads(line)
        for k, (xs, class_id) in enumerate(zip(frame["lanes"], class_line.split())):
            points = np.array([(x, y) for x, y in zip(xs, frame["h_samples"]) if x >= 0], dtype=float)
            if len(points):
                lanes.append((frame["raw_file"], str(k), int(class_id), points))
    return lanes


def impacted(impact, action: str) -> set[tuple[str, str]]:
    return {(item.image, obj) for item in impact.items if item.action == action for obj in item.objects}


def test_removed_enum_value_relabels_exactly_the_lanes_that_carry_it(tusimple, realdata) -> None:
    old = compile_file(TUSIMPLE_SPEC)
    new = tusimple_v2(('  botts_dots  "Raised round markers instead of paint."\n', ""),
                      ("}\n\nexample", '}\n\nchanges 2 {\n  "Botts\' dots are not labeled any more."\n}\n\nexample'))
    changes = diff_specs(old, new)
    assert [(c.id, c.target) for c in changes] == [("ENUM_VALUE_REMOVED", "LaneStyle.botts_dots")]
    impact = analyze_impact(tusimple, new, {1: old, 2: new}, default_version=1)
    expected = {(image, lane) for image, lane, class_id, _ in raw_lanes(realdata) if class_id == 5}
    assert len(expected) == 813
    assert impacted(impact, "relabel") == expected
    assert all(item.changes == ("ENUM_VALUE_REMOVED",) for item in impact.items)
    assert impact.summary() == {"images": 500, "images_affected": len({i for i, _ in expected}),
                                "objects_affected": 813}


def test_tightened_constraint_flags_what_was_valid_and_now_fails(tusimple, realdata) -> None:
    old = compile_file(TUSIMPLE_SPEC)
    new = tusimple_v2(("require length >= 20", "require length >= 200"))
    assert [c.id for c in diff_specs(old, new)] == ["CONSTRAINT_CHANGED"]
    impact = analyze_impact(tusimple, new, {1: old, 2: new}, default_version=1)

    def length(points: np.ndarray) -> float:
        return float(np.hypot(*np.diff(points, axis=0).T).sum())

    expected = {(image, lane) for image, lane, _, points in raw_lanes(realdata) if 20 <= length(points) < 200}
    assert expected
    assert impacted(impact, "relabel") == expected


def test_labels_already_under_the_new_version_are_not_affected(tusimple) -> None:
    old = compile_file(TUSIMPLE_SPEC)
    new = tusimple_v2(('  unknown  "The class', '  faded\n  unknown  "The class'))
    assert analyze_impact(tusimple, new, {1: old, 2: new}, default_version=2).items == ()
    assert analyze_impact(tusimple, new, {1: old, 2: new}, default_version=1, labeled_under=2).items == ()
    reviewed = analyze_impact(tusimple, new, {1: old, 2: new}, default_version=1).items
    assert len(reviewed) == 500
    assert {i.action for i in reviewed} == {"review"}  # every frame has lanes


# ---- several versions, read from git ----------------------------------------------------------------


V1 = (CASES / "ATTRIBUTE_RENAMED/old.spec").read_text(encoding="utf-8")
V2 = (CASES / "ATTRIBUTE_RENAMED/new.spec").read_text(encoding="utf-8")
V3 = (V2.replace("version 2", "version 3")
      .replace('  yellow  "Also for faded yellow."\n', "")
      .replace("  parked: bool\n", "  parked: bool\n  brand: string\n"))


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    """A repository whose roads.spec went through versions 1, 2 and 3, one commit each."""
    git(tmp_path, "init", "-q")
    spec = tmp_path / "roads.spec"
    for text in (V1, V2, V3):
        spec.write_text(text, encoding="utf-8")
        git(tmp_path, "add", "roads.spec")
        git(tmp_path, "commit", "-q", "-m", "version")
    return spec


def test_history_reads_every_version(history: Path) -> None:
    read = read_history(str(history), "HEAD", "roads")
    assert sorted(read.specs) == [1, 2, 3]
    assert read.skipped == ()
    assert read.specs[1].source.startswith(f"{history}@")


def test_a_jump_from_v1_applies_every_step_and_v2_labels_only_the_last(history: Path) -> None:
    known = read_history(str(history), "HEAD", "roads").specs
    dataset = load_export(CASES / "labels.json")  # img1, img2 at v1; img3 at v2; img4 unknown
    impact = analyze_impact(dataset, known[3], known, default_version=2)
    by_image = {(i.image, i.action): i for i in impact.items}
    # a2 (v1) is yellow and dashed: the v1 -> v2 rename and the v2 -> v3 removal of yellow both reach it.
    assert by_image[("img1", "relabel")].objects == ("a2",)
    assert by_image[("img1", "relabel")].changes == ("ATTRIBUTE_RENAMED", "ENUM_VALUE_REMOVED")
    # d1 was labeled under v2: no rename for it, only the removed yellow.
    assert by_image[("img3", "relabel")].changes == ("ENUM_VALUE_REMOVED",)
    # brand (required, added in v3) must be filled on every car, whatever its version.
    assert by_image[("img2", "fill")].objects == ("c2", "c3")
    assert not impact.notes[:-1]  # exact versions known: only the note about img4's missing version


def test_without_history_older_labels_still_get_the_declared_renames(history: Path) -> None:
    v2, v3 = compile_text(V2, "roads.spec@v2"), compile_text(V3, "roads.spec")
    impact = analyze_impact(load_export(CASES / "labels.json"), v3, {2: v2, 3: v3}, default_version=2)
    migrated = {(i.image, o) for i in impact.items for o in i.objects if "ATTRIBUTE_RENAMED" in i.changes}
    assert migrated == {("img1", "a2"), ("img2", "b1")}
    assert any("predate every known version" in note for note in impact.notes)


def test_every_object_appears_once_with_all_its_changes(history: Path) -> None:
    known = read_history(str(history), "HEAD", "roads").specs
    impact = analyze_impact(load_export(CASES / "labels.json"), known[3], known, default_version=1)
    keys = Counter((i.image, o) for i in impact.items for o in i.objects)
    assert keys
    assert max(keys.values()) == 1
    assert impact.objects_affected == len(keys)


# ---- the lanes spec of docs LANGUAGE.md: version 3 adds orange and declares a relabel ----------------


def lanes_v2():
    """specs/lanes.spec as it was before orange: no orange value, no rule about it, no changes block."""
    text = (ROOT / "specs/lanes.spec").read_text(encoding="utf-8").replace("version 3", "version 2", 1)
    text = text.replace('  orange  "Temporary construction marking. Takes precedence over white."\n', "")
    start, end = text.index("rule orange_overrides_white"), text.index("rule dashed_is_one_line")
    text = text[:start] + text[end:]
    return compile_text(text[:text.index('example "Orange over white"')], "specs/lanes.spec@v2")


def test_lanes_v3_relabels_white_lines_labeled_under_v2(tmp_path) -> None:
    export = orjson.loads((ROOT / "specs/examples/lanes.json").read_bytes())
    for image in export["images"]:
        image["spec_version"] = 2
        for obj in image["objects"]:
            if obj["attributes"].get("color") == "orange":
                obj["attributes"]["color"] = "white"  # before v3 orange markings were labeled white
    path = tmp_path / "lanes_v2.json"
    path.write_bytes(orjson.dumps(export))
    old, new = lanes_v2(), compile_file(ROOT / "specs/lanes.spec")
    impact = analyze_impact(load_export(path), new, {2: old, 3: new}, default_version=2)
    whites = {(i["id"], o["id"]) for i in export["images"] for o in i["objects"]
              if o["attributes"].get("color") == "white"}
    assert len(whites) == 5
    assert impacted(impact, "relabel") == whites
    assert {i.changes for i in impact.items} == {("ENUM_VALUE_ADDED", "RELABEL_DECLARED")}
