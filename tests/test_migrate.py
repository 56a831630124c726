"""`specc migrate`: mechanical rewrites only, human work left untouched, never over the input, atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git

from specdsl.cli import main as cli
from specdsl.compiler import compile_file
from specdsl.data import load_export
from specdsl.diff.impact import analyze_impact
from specdsl.migrate import MigrationError, migrate_file

CASES = Path(__file__).parent / "diff_cases"
LABELS = CASES / "labels.json"


def images(path: Path) -> dict[str, dict]:
    if path.suffix == ".jsonl":
        return {i["id"]: i for i in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    return {i["id"]: i for i in json.loads(path.read_text(encoding="utf-8"))["images"]}


def attributes(image: dict) -> dict[str, dict]:
    return {o["id"]: o["attributes"] for o in image["objects"]}


def test_declared_rename_is_applied_and_the_image_stamped(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    report = migrate_file(compile_file(CASES / "ATTRIBUTE_RENAMED/new.spec"), LABELS, out)
    migrated, original = images(out), images(LABELS)
    assert migrated["img1"]["spec_version"] == 2
    # dashed -> broken, and the new version's default written where the label left it out
    assert attributes(migrated["img1"]) == {"a1": {"color": "white", "width": 3, "broken": False},
                                            "a2": {"color": "yellow", "broken": True}, "c1": {"parked": False}}
    # img2 holds car c2 (area 9) that fails the new version: a person must look, so nothing changes
    assert migrated["img2"] == original["img2"]
    assert migrated["img3"] == original["img3"]  # already at version 2
    assert migrated["img4"] == original["img4"]  # no spec_version: unknown, left alone
    assert report.to_dict() == {"images": 4, "migrated": 1, "rewritten": 1, "current": 1, "needs_work": 1,
                                "unknown_version": 1}


def test_images_that_need_a_relabel_are_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    report = migrate_file(compile_file(CASES / "ENUM_VALUE_REMOVED/new.spec"), LABELS, out, labeled_under=1)
    migrated, original = images(out), images(LABELS)
    assert migrated["img1"] == original["img1"]  # a2 is yellow, removed: relabel
    assert migrated["img4"]["spec_version"] == 2  # --labeled-under 1, nothing else needed
    assert report.needs_work == 2
    assert report.migrated == 1


def test_enum_value_rename_with_history_and_unchanged_spec_header(tmp_path: Path) -> None:
    old, new = compile_file(CASES / "ENUM_VALUE_RENAMED/old.spec"), compile_file(CASES / "ENUM_VALUE_RENAMED/new.spec")
    out = tmp_path / "out.json"
    migrate_file(new, LABELS, out, known={1: old})
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["spec"] == "roads"
    assert attributes(images(out)["img1"])["a2"] == {"color": "amber", "dashed": True}


def test_removed_attribute_and_changed_default_need_the_old_version(tmp_path: Path) -> None:
    """With the old version at hand, dropped values go and omitted ones keep their old meaning."""
    for case, expected in (("ATTRIBUTE_REMOVED", {"color": "yellow"}),
                           ("DEFAULT_CHANGED", {"color": "white", "width": 3, "dashed": False})):
        old, new = compile_file(CASES / case / "old.spec"), compile_file(CASES / case / "new.spec")
        out = tmp_path / f"{case}.json"
        migrate_file(new, LABELS, out, known={1: old})
        objects = attributes(images(out)["img1"])
        assert expected in objects.values(), (case, objects)
        assert images(out)["img1"]["spec_version"] == 2


def test_after_migrating_nothing_mechanical_is_left(tmp_path: Path) -> None:
    new = compile_file(CASES / "ATTRIBUTE_RENAMED/new.spec")
    old = compile_file(CASES / "ATTRIBUTE_RENAMED/old.spec")
    out = tmp_path / "out.json"
    migrate_file(new, LABELS, out, known={1: old}, labeled_under=1)
    impact = analyze_impact(load_export(out), new, {1: old, 2: new}, default_version=1)
    stamped = {image_id for image_id, image in images(out).items() if image.get("spec_version") == 2}
    assert stamped == {"img1", "img3", "img4"}
    # What is left are the images migrate handed to a person (img2: car c2 fails the new version),
    # still at their old version so that their rename is not lost.
    assert {i.image for i in impact.items} == {"img2"}
    assert images(out)["img2"] == images(LABELS)["img2"]


def test_json_lines_stay_json_lines(tmp_path: Path) -> None:
    source = tmp_path / "labels.jsonl"
    source.write_text("".join(json.dumps(i) + "\n" for i in images(LABELS).values()), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    migrate_file(compile_file(CASES / "ATTRIBUTE_RENAMED/new.spec"), source, out)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert images(out)["img1"]["spec_version"] == 2


def test_refuses_to_write_over_its_input(tmp_path: Path, capsys) -> None:
    source = tmp_path / "labels.json"
    source.write_bytes(LABELS.read_bytes())
    spec = compile_file(CASES / "ATTRIBUTE_RENAMED/new.spec")
    with pytest.raises(MigrationError):
        migrate_file(spec, source, source)
    link = tmp_path / "link.json"
    link.symlink_to(source)
    code = cli.main(["migrate", str(CASES / "ATTRIBUTE_RENAMED/new.spec"), str(source), "-o", str(link)])
    assert code == 2
    assert "refusing to write over the input" in capsys.readouterr().err
    assert source.read_bytes() == LABELS.read_bytes()


def test_cli_writes_atomically_and_reports(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.json"
    code = cli.main(["migrate", str(CASES / "ATTRIBUTE_RENAMED/new.spec"), str(LABELS), "-o", str(out),
                     "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["migrated"] == 1
    assert "1 of 4 images migrated to version 2" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary file left behind


def test_cli_rejects_exports_that_are_not_native(tmp_path: Path, capsys) -> None:
    coco = tmp_path / "coco.json"
    coco.write_text(json.dumps({"images": {"not": "a list"}, "annotations": []}), encoding="utf-8")
    code = cli.main(["migrate", str(CASES / "ATTRIBUTE_RENAMED/new.spec"), str(coco), "-o", str(tmp_path / "o")])
    assert code == 2
    assert "not a native export" in capsys.readouterr().err
    assert cli.main(["migrate", str(CASES / "ATTRIBUTE_RENAMED/new.spec"), str(tmp_path / "none.json"),
                     "-o", str(tmp_path / "o.json")]) == 2


def test_cli_history_from_git_makes_removals_mechanical(tmp_path: Path, capsys) -> None:
    git(tmp_path, "init", "-q")
    spec = tmp_path / "roads.spec"
    for name in ("old.spec", "new.spec"):
        spec.write_text((CASES / "ATTRIBUTE_REMOVED" / name).read_text(encoding="utf-8"), encoding="utf-8")
        git(tmp_path, "add", "roads.spec")
        git(tmp_path, "commit", "-q", "-m", name)
    without, with_history = tmp_path / "without.json", tmp_path / "with.json"
    assert cli.main(["migrate", str(spec), str(LABELS), "-o", str(without)]) == 0
    assert cli.main(["migrate", str(spec), str(LABELS), "-o", str(with_history), "--history", "HEAD"]) == 0
    capsys.readouterr()
    # Without the old version, 'dashed' on a2 is just undeclared (an error): the image waits for a person.
    assert images(without)["img1"] == images(LABELS)["img1"]
    assert attributes(images(with_history)["img1"])["a2"] == {"color": "yellow"}
