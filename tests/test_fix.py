"""``specc fix``: golden before/after exports for each action, the CLI's promises (summary, --diff,
--unsafe-fixes, refusal to overwrite the input, other formats refused), and ``check`` showing fixes.

``SPECDSL_UPDATE_GOLDEN=1`` regenerates the ``*.fixed*`` goldens (review their diffs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA, SPECS, golden, run_specc

GOLDEN = Path(__file__).parent / "golden" / "fix"
LANES = SPECS / "lanes.spec"
CASES = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".json", ".jsonl") and ".fixed" not in p.name)


def _fixed_name(case: Path, unsafe: bool) -> str:
    return f"{case.stem}.fixed{'-unsafe' if unsafe else ''}{case.suffix}"


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_before_after(case: Path, unsafe: bool, tmp_path: Path) -> None:
    out = tmp_path / case.name
    flags = ["--unsafe-fixes"] if unsafe else []
    result = run_specc("fix", LANES, case, "-o", out, *flags)
    assert result.returncode in (0, 1), result.stderr
    golden(GOLDEN / _fixed_name(case, unsafe), out.read_text(encoding="utf-8"))
    golden(GOLDEN / (_fixed_name(case, unsafe) + ".summary"), result.stderr)


def _objects(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    images = json.loads(text)["images"] if path.suffix == ".json" else [json.loads(x) for x in text.splitlines()]
    return [obj for image in images for obj in image["objects"]]


def test_delete_removes_the_short_line_and_copies_the_rest_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, GOLDEN / "delete.json", "-o", out)
    assert "1 fixed, 2 remaining" in result.stderr  # the two quotas remain: no fix can meet a quota
    assert [o["id"] for o in _objects(out)] == ["l1", "v1", "l2"]
    before = (GOLDEN / "delete.json").read_text().splitlines()
    after = out.read_text().splitlines()
    assert after == [line for line in before if '"tiny"' not in line]


def test_clip_keeps_the_part_inside_the_image(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run_specc("fix", LANES, GOLDEN / "clip.json", "-o", out)
    over = next(o for o in _objects(out) if o["id"] == "over")
    assert over["points"] == [[100, 300], [100, 200], [150, 100]]
    checked = json.loads(run_specc("check", LANES, out, "--format", "json").stdout)
    assert [f["check"] for f in checked["findings"] if f["kind"] != "quota"] == []


def test_set_marks_the_white_line_overridden(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, GOLDEN / "set.json", "-o", out)
    assert "1 fixed" in result.stderr
    by_id = {o["id"]: o for o in _objects(out)}
    assert by_id["w"]["attributes"] == {"color": "white", "overridden": True}
    assert "overridden" not in by_id["far"]["attributes"]  # no orange line near it


def test_a_chain_of_three_dashes_becomes_one_line_along_the_lane(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, GOLDEN / "join.json", "-o", out)
    assert "2 fixed, 2 remaining" in result.stderr
    objects = _objects(out)
    assert [o["id"] for o in objects] == ["dash2", "solid"]  # the chain keeps its first object's id
    assert objects[0]["points"] == [[280, 400], [290, 350], [294, 330], [304, 280], [308, 260], [318, 210]]
    assert objects[0]["attributes"] == {"color": "white", "style": "dashed"}


def test_unsafe_fixes_only_with_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    safe = run_specc("fix", LANES, GOLDEN / "unsafe.jsonl", "-o", out)
    assert "0 fixed, 2 remaining (1 more with --unsafe-fixes)" in safe.stderr
    assert out.read_bytes() == (GOLDEN / "unsafe.jsonl").read_bytes()
    unsafe = run_specc("fix", LANES, GOLDEN / "unsafe.jsonl", "-o", out, "--unsafe-fixes")
    assert "1 fixed, 1 remaining" in unsafe.stderr
    assert [o["id"] for o in _objects(out)] == ["big"]


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, GOLDEN / "set.json", "-o", out, "--diff")
    assert not out.exists()
    removed = [line for line in result.stdout.splitlines() if line.startswith("-{")]
    added = [line for line in result.stdout.splitlines() if line.startswith("+{")]
    assert len(removed) == len(added) == 1
    assert '"id": "w"' in removed[0]
    assert '"overridden":true' in added[0]
    assert "#/images/0 (c/0001.jpg)" in result.stdout
    assert run_specc("fix", LANES, GOLDEN / "set.json", "--diff").returncode in (0, 1)  # no -o needed


def test_never_writes_over_its_input(tmp_path: Path) -> None:
    export = tmp_path / "labels.json"
    shutil.copy(GOLDEN / "delete.json", export)
    before = export.read_bytes()
    for target in (export, tmp_path / "." / "labels.json"):
        result = run_specc("fix", LANES, export, "-o", target)
        assert result.returncode == 2
        assert "refusing to write over the input" in result.stderr
    (tmp_path / "link.json").symlink_to(export)
    assert run_specc("fix", LANES, export, "-o", tmp_path / "link.json").returncode == 2
    assert export.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.json", "link.json"]  # no temporary left


def test_output_dir_for_several_exports(tmp_path: Path) -> None:
    result = run_specc("fix", LANES, GOLDEN / "delete.json", GOLDEN / "set.json", "--output-dir", tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["delete.json", "set.json"]
    assert "delete.json: 1 fixed" in result.stderr
    assert "set.json: 1 fixed" in result.stderr
    several = run_specc("fix", LANES, GOLDEN / "delete.json", GOLDEN / "set.json", "-o", tmp_path / "x.json")
    assert several.returncode == 2
    assert "--output-dir" in several.stderr


def test_other_formats_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    coco = next(DATA.rglob("*coco*.json"), None)
    if coco is None:
        coco = tmp_path / "coco.json"
        coco.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
                                    "annotations": [], "categories": [{"id": 1, "name": "vehicle"}]}))
    result = run_specc("fix", LANES, coco, "-o", tmp_path / "out.json")
    assert result.returncode == 2
    assert "writes native JSON and JSON Lines" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_check_json_findings_carry_the_fix() -> None:
    result = run_specc("check", LANES, GOLDEN / "set.json", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    by_check = {f["check"]: f for f in findings}
    assert by_check["orange_overrides_white"]["fix"] == "set w.overridden = true"
    assert "fix" not in by_check["wet_images"]  # a quota has no fix
    unsafe = json.loads(run_specc("check", LANES, GOLDEN / "unsafe.jsonl", "--format", "json").stdout)
    assert {f["check"]: f.get("fix") for f in unsafe["findings"]}["vehicle.require.1"] == "unsafe delete"


def test_check_text_says_fixable() -> None:
    text = run_specc("check", LANES, GOLDEN / "set.json").stdout
    header = next(line for line in text.splitlines() if "orange_overrides_white" in line)
    assert header.endswith("[fixable]")
    quota = next(line for line in text.splitlines() if line.startswith("info[quota] wet_images"))
    assert "[fixable]" not in quota


def test_remaining_counts_the_recheck_of_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, GOLDEN / "join.json", "-o", out, "--format", "json")
    summary = json.loads(result.stdout)[0]
    check = json.loads(run_specc("check", LANES, out, "--format", "json").stdout)
    assert summary["remaining"] == len(check["findings"]) == 2
    assert summary["fixed"] == 2


def test_a_rule_fix_is_not_applied_where_ids_are_ambiguous(tmp_path: Path) -> None:
    export = tmp_path / "dup.json"
    export.write_text(json.dumps({"images": [{"id": "i", "width": 200, "height": 100, "objects": [
        {"id": "o", "class": "lane_line", "points": [[10, 90], [190, 10]], "attributes": {"color": "orange"}},
        {"id": "w", "class": "lane_line", "points": [[14, 92], [194, 12]], "attributes": {"color": "white"}},
        {"id": "w", "class": "lane_line", "points": [[50, 50], [60, 60]], "attributes": {"color": "yellow"}}]}]}))
    out = tmp_path / "out.json"
    result = run_specc("fix", LANES, export, "-o", out)
    assert "not fixed: orange_overrides_white on i: two objects of image i have the id w" in result.stderr
    assert "0 fixed" in result.stderr
    assert out.read_bytes() == export.read_bytes()


def test_a_fix_that_changes_nothing_is_not_counted_as_fixed(tmp_path: Path) -> None:
    spec = tmp_path / "s.spec"
    spec.write_text("spec s version 1\nclass a: box {\n  seen: bool = false\n  require not seen\n"
                    "  fix set seen = true\n}\n")
    export = tmp_path / "in.json"
    export.write_text('{"images": [{"id": "i", "width": 9, "height": 9, "objects": '
                      '[{"id": "x", "class": "a", "box": [1, 1, 2, 2], "attributes": {"seen": true}}]}]}\n')
    result = run_specc("fix", spec, export, "-o", tmp_path / "out.json")
    assert "not fixed: a.require.1 on i: the fix changes nothing here: the attribute already has that value" \
        in result.stderr
    assert "0 fixed, 1 remaining" in result.stderr
    assert result.returncode == 1  # an error remains


def test_windows_line_ends_of_json_lines_are_kept(tmp_path: Path) -> None:
    lines = (GOLDEN / "unsafe.jsonl").read_text(encoding="utf-8").splitlines()
    export = tmp_path / "crlf.jsonl"
    export.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    out = tmp_path / "out.jsonl"
    result = run_specc("fix", LANES, export, "-o", out, "--unsafe-fixes")
    assert "1 fixed" in result.stderr
    written = out.read_bytes().split(b"\r\n")
    assert len(written) == 3
    assert written[1:] == export.read_bytes().split(b"\r\n")[1:]  # the untouched image and the end, as they were
    assert b'"id": "v"' not in written[0]
