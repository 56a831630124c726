"""A value renamed twice across versions, in a real git repository of three commits.

``botts_dots -> raised_markers`` (version 2), ``raised_markers -> botts`` (version 3): version 3
must compile with both renames, ``diff --against`` version 1 must report one rename (not a removal
and an addition), ``migrate`` must take version-1 labels straight to ``botts``, and
``--history v1..HEAD`` must read version 1 too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git

from specdsl.cli import main as cli
from specdsl.compiler import compile_source, compile_text
from specdsl.diff import diff_specs
from specdsl.diff.history import read_history
from specdsl.source import Source

V1 = """spec roads version 1

class lane: polyline {
  marking: enum { solid, dashed, double_dashed, botts_dots }
  color: enum { white, yellow }
}
"""

V2_BODY = """
class lane: polyline {
  marking: enum { solid, dashed, MARKERS }
  color: enum { white, yellow }
  require points >= 2
}

changes 2 {
  "Double dashed lines are two dashed lines now."
  rename lane.marking.botts_dots -> raised_markers
}
"""

V2 = "spec roads version 2\n" + V2_BODY.replace("MARKERS", "raised_markers")
V3 = ("spec roads version 3\n" + V2_BODY.replace("MARKERS", "botts").replace("  require", "  occluded: bool = false\n"
                                                                              "  require")
      + "\nchanges 3 {\n  rename lane.marking.raised_markers -> botts\n}\n")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    spec = tmp_path / "roads.spec"
    for version, text in enumerate((V1, V2, V3), start=1):
        spec.write_text(text, encoding="utf-8")
        git(tmp_path, "add", "roads.spec")
        git(tmp_path, "commit", "-q", "-m", f"version {version}")
        if version == 1:
            git(tmp_path, "tag", "v1")
    return spec


def lane(object_id: str, marking: str) -> dict:
    return {"id": object_id, "class": "lane", "points": [[0, 90], [100, 10]],
            "attributes": {"marking": marking, "color": "white"}}


LABELS = {"spec": "roads", "images": [
    {"id": "v1.jpg", "width": 200, "height": 100, "spec_version": 1,
     "objects": [lane("a", "botts_dots"), lane("b", "solid")]},
    {"id": "v2.jpg", "width": 200, "height": 100, "spec_version": 2, "objects": [lane("c", "raised_markers")]},
    {"id": "old_double.jpg", "width": 200, "height": 100, "spec_version": 1,
     "objects": [lane("d", "double_dashed")]}]}


def test_version_3_compiles_with_both_renames_of_the_chain() -> None:
    result = compile_source(Source("roads.spec", V3))
    assert result.ok, [d.message for d in result.diagnostics]


def test_a_broken_chain_is_still_e0119_and_says_where_it_leads() -> None:
    result = compile_source(Source("roads.spec", V3.replace("raised_markers -> botts", "raised_markers -> bots")))
    messages = [(d.code, d.message) for d in result.diagnostics]
    assert ("E0119", "'raised_markers' (renamed later to 'bots') is not a value of lane.marking") in messages
    assert ("E0119", "'bots' is not a value of lane.marking") in messages


def test_diff_against_v1_composes_the_renames(repo: Path, capsys) -> None:
    assert cli.main(["diff", "--against", "v1", str(repo), "--format", "json"]) == 0
    changes = {(c["id"], c["target"]): c["message"] for c in json.loads(capsys.readouterr().out)["changes"]}
    assert changes[("ENUM_VALUE_RENAMED", "lane.marking.botts")] == \
        "Value 'botts_dots' of lane.marking was renamed to 'botts'."
    assert ("ENUM_VALUE_REMOVED", "lane.marking.botts_dots") not in changes
    assert ("ENUM_VALUE_ADDED", "lane.marking.botts") not in changes
    assert [k for k in changes if k[0] == "ENUM_VALUE_RENAMED"] == [("ENUM_VALUE_RENAMED", "lane.marking.botts")]
    assert ("ENUM_VALUE_REMOVED", "lane.marking.double_dashed") in changes


def test_diff_against_v2_sees_only_the_second_rename(repo: Path, capsys) -> None:
    assert cli.main(["diff", "--against", "HEAD~1", str(repo), "--format", "json"]) == 0
    renames = [c["message"] for c in json.loads(capsys.readouterr().out)["changes"] if c["id"] == "ENUM_VALUE_RENAMED"]
    assert renames == ["Value 'raised_markers' of lane.marking was renamed to 'botts'."]


def test_history_range_includes_its_start(repo: Path) -> None:
    assert git(repo.parent, "log", "--format=%s", "v1..HEAD").split("\n")[:2] == ["version 3", "version 2"]
    assert sorted(read_history(str(repo), "v1..HEAD", "roads").specs) == [1, 2, 3]
    assert sorted(read_history(str(repo), "HEAD~1..HEAD", "roads").specs) == [2, 3]
    assert sorted(read_history(str(repo), "HEAD~1..", "roads").specs) == [2, 3]
    assert sorted(read_history(str(repo), "HEAD", "roads").specs) == [1, 2, 3]


@pytest.mark.parametrize("history", [["--history", "v1..HEAD"], []])
def test_migrate_takes_old_labels_straight_to_the_current_name(repo: Path, tmp_path: Path, history, capsys) -> None:
    labels, out = tmp_path / "labels.json", tmp_path / "out.json"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    assert cli.main(["migrate", str(repo), str(labels), "-o", str(out), *history]) == 0
    err = capsys.readouterr().err
    images = {i["id"]: i for i in json.loads(out.read_text(encoding="utf-8"))["images"]}
    assert [o["attributes"]["marking"] for o in images["v1.jpg"]["objects"]] == ["botts", "solid"]
    assert images["v1.jpg"]["spec_version"] == images["v2.jpg"]["spec_version"] == 3
    assert images["v2.jpg"]["objects"][0]["attributes"]["marking"] == "botts"
    assert images["old_double.jpg"] == LABELS["images"][2]  # double_dashed was removed: a person relabels it
    if history:  # the removal is known: the reason names the change and the object
        assert ("needs a person: old_double.jpg: relabel d (ENUM_VALUE_REMOVED: Value 'double_dashed' was "
                "removed from lane.marking.)") in err
    else:  # only the changes blocks are known: the new version's check says why
        assert "needs a person: old_double.jpg: after the mechanical edits, lane.marking fails on d" in err


def test_impact_of_the_chain_on_labels_of_each_version(repo: Path, tmp_path: Path, capsys) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    assert cli.main(["diff", "--against", "v1", str(repo), "--labels", str(labels), "--history", "v1..HEAD",
                     "--format", "json"]) == 0
    impact = {(i["image"], tuple(i["objects"])): (i["action"], i["changes"])
              for i in json.loads(capsys.readouterr().out)["impact"]}
    assert impact[("v1.jpg", ("a",))] == ("migrate", ["ATTRIBUTE_ADDED", "ENUM_VALUE_RENAMED"])
    assert impact[("v2.jpg", ("c",))] == ("migrate", ["ATTRIBUTE_ADDED", "ENUM_VALUE_RENAMED"])
    assert impact[("old_double.jpg", ("d",))] == ("relabel", ["ATTRIBUTE_ADDED", "ENUM_VALUE_REMOVED"])


def test_declared_renames_alone_compose_too() -> None:
    """Without version 1 at hand, version 3's own blocks still take v1 labels to 'botts'."""
    v3 = compile_text(V3, "roads.spec")
    v1 = compile_text(V1, "roads.spec@v1")
    assert [(c.id, c.payload.old, c.payload.new) for c in diff_specs(v1, v3) if c.id == "ENUM_VALUE_RENAMED"] == \
        [("ENUM_VALUE_RENAMED", "botts_dots", "botts")]
    declared = [c for c in diff_specs(v3, v3, since=1) if c.id == "ENUM_VALUE_RENAMED"]
    assert [(c.payload.old, c.payload.new) for c in declared] == [("botts_dots", "botts")]
    assert declared[0].message == ("Value 'botts_dots' of lane.marking was renamed to 'botts' through "
                                   "'raised_markers' (version 2 and later).")
    declared = [c for c in diff_specs(v3, v3, since=2) if c.id == "ENUM_VALUE_RENAMED"]
    assert [(c.payload.old, c.payload.new) for c in declared] == [("raised_markers", "botts")]


def test_attribute_chains_and_a_value_renamed_under_an_attribute_renamed_later() -> None:
    v1 = compile_text("spec r version 1\nclass lane: polyline {\n  marking: enum { solid, botts_dots }\n"
                      "  color: enum { white, yellow } ?\n}\n", "v1")
    v3 = compile_text("""spec r version 3
class lane: polyline {
  kind: enum { solid, botts }
  hue: enum { white, yellow } ?
}
changes 2 {
  rename lane.marking.botts_dots -> raised_markers
  rename lane.color -> colour
}
changes 3 {
  rename lane.marking -> kind
  rename lane.kind.raised_markers -> botts
  rename lane.colour -> hue
}
""", "v3")
    found = {(c.id, c.payload.old, c.payload.new) for c in diff_specs(v1, v3)}
    assert found == {("ATTRIBUTE_RENAMED", "color", "hue"), ("ATTRIBUTE_RENAMED", "marking", "kind"),
                     ("ENUM_VALUE_RENAMED", "botts_dots", "botts")}


def test_migrate_json_lists_each_image_left_to_a_person_with_its_reason(repo: Path, tmp_path: Path, capsys) -> None:
    labels, out = tmp_path / "labels.json", tmp_path / "out.json"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    assert cli.main(["migrate", str(repo), str(labels), "-o", str(out), "--history", "v1..HEAD", "--format", "json",
                     "--quiet"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["needs_work"] == len(summary["needs_person"]) == 1
    assert summary["needs_person"] == [{"image": "old_double.jpg", "reason": "relabel d (ENUM_VALUE_REMOVED: Value "
                                        "'double_dashed' was removed from lane.marking.)"}]
    assert captured.err == ""
