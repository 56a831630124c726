"""`specc diff` and `specc explain CHANGE_ID` through the real entry point: outputs, exit codes, git revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, run_specc

from specdsl.cli import main as cli
from specdsl.diff import KINDS
from specdsl.diff.explain import explain_change

CASES = Path(__file__).parent / "diff_cases"


def specc(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case_id", ["RELABEL_DECLARED", "ATTRIBUTE_ADDED", "CLASS_ADDED", "SPEC_RENAMED"])
def test_json_output_is_the_case_record(case_id, capsys, monkeypatch) -> None:
    monkeypatch.chdir(CASES / case_id)
    code, out, _ = specc(capsys, "diff", "old.spec", "new.spec", "--labels", "../labels.json", "--format", "json",
                         "--allow-rename")
    assert code == 0
    assert json.loads(out) == json.loads((CASES / case_id / "expected.json").read_text(encoding="utf-8"))


def test_fail_on_picks_the_lowest_severity_that_fails(capsys) -> None:
    old, new = str(CASES / "CLASS_REMOVED/old.spec"), str(CASES / "CLASS_REMOVED/new.spec")
    assert specc(capsys, "diff", old, new)[0] == 0  # by default a diff only reports
    assert specc(capsys, "diff", old, new, "--fail-on", "breaking")[0] == 1
    assert specc(capsys, "diff", old, new, "--fail-on", "breaking", "--exit-zero")[0] == 0
    safe_old, safe_new = str(CASES / "DOC_CHANGED/old.spec"), str(CASES / "DOC_CHANGED/new.spec")
    assert specc(capsys, "diff", safe_old, safe_new, "--fail-on", "dangerous")[0] == 0
    assert specc(capsys, "diff", safe_old, safe_new, "--fail-on", "safe")[0] == 1


def test_text_output_groups_changes_and_impact(capsys) -> None:
    case = CASES / "RELABEL_DECLARED"
    code, out, err = specc(capsys, "diff", str(case / "old.spec"), str(case / "new.spec"),
                           "--labels", str(CASES / "labels.json"))
    assert code == 0
    assert out.splitlines()[0] == "roads version 1 -> 2: 2 changes (1 breaking, 1 dangerous)"
    assert "breaking (1)" in out
    assert "dangerous (1)" in out
    assert f"new {case / 'new.spec'}:45:1" in out
    assert "impact: 1 of 4 images, 1 objects affected" in out
    assert "relabel  1 objects in 1 images  (ENUM_VALUE_ADDED, RELABEL_DECLARED)" in out
    assert "img2: b1" in out
    assert "without spec_version" in err  # img4 has none: said on stderr, not in the data


def test_specs_of_different_names_need_allow_rename(capsys) -> None:
    args = ("diff", str(CASES / "SPEC_RENAMED/old.spec"), str(CASES / "SPEC_RENAMED/new.spec"))
    code, out, err = specc(capsys, *args)
    assert code == 2
    assert out == ""
    assert "--allow-rename" in err
    assert specc(capsys, *args, "--allow-rename")[0] == 0


def test_broken_inputs_exit_2(capsys, tmp_path: Path) -> None:
    broken = tmp_path / "broken.spec"
    broken.write_text("spec roads version 2\nclass line: polyline { color: Colour }\n", encoding="utf-8")
    good = str(CASES / "DOC_CHANGED/old.spec")
    code, _, err = specc(capsys, "diff", good, str(broken))
    assert code == 2
    assert "unknown type 'Colour'" in err
    assert specc(capsys, "diff", good, str(tmp_path / "missing.spec"))[0] == 2
    code, _, err = specc(capsys, "diff", good, good, "--labels", str(tmp_path / "none.json"))
    assert code == 2
    assert "no such file" in err
    assert specc(capsys, "diff", good)[0] == 2  # one spec without --against
    assert specc(capsys, "diff", good, good, "--against", "HEAD")[0] == 2


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    spec = tmp_path / "roads.spec"
    for case, name in (("ENUM_VALUE_REMOVED", "old.spec"), ("ENUM_VALUE_REMOVED", "new.spec")):
        spec.write_text((CASES / case / name).read_text(encoding="utf-8"), encoding="utf-8")
        git(tmp_path, "add", "roads.spec")
        git(tmp_path, "commit", "-q", "-m", name)
    return spec


def test_against_compares_a_revision_with_the_working_copy(capsys, repo: Path) -> None:
    code, out, _ = specc(capsys, "diff", "--against", "HEAD~1", str(repo), "--format", "json",
                         "--fail-on", "breaking")
    document = json.loads(out)
    assert code == 1
    assert (document["from"], document["to"]) == ({"spec": "roads", "version": 1}, {"spec": "roads", "version": 2})
    assert [(c["id"], c["old"]) for c in document["changes"]] == [("ENUM_VALUE_REMOVED", f"{repo}@HEAD~1:13:3")]
    code, out, _ = specc(capsys, "diff", f"{repo}@HEAD~1", f"{repo}@HEAD", "--format", "json")
    assert [c["id"] for c in json.loads(out)["changes"]] == ["ENUM_VALUE_REMOVED"]


def test_unknown_revision_exits_2(capsys, repo: Path) -> None:
    code, _, err = specc(capsys, "diff", "--against", "no-such-rev", str(repo))
    assert code == 2
    assert "no-such-rev" in err
    code, _, err = specc(capsys, "diff", str(repo), str(repo), "--labels", str(CASES / "labels.json"),
                         "--history", "no-such-rev")
    assert code == 2
    assert "history" in err


def test_history_makes_old_labels_exact(capsys, repo: Path) -> None:
    args = ("diff", f"{repo}@HEAD", str(repo), "--labels", str(CASES / "labels.json"), "--labeled-under", "1")
    _, _, err = specc(capsys, *args)
    assert "predate every known version" in err  # v1 labels, only v2 at hand
    code, _, err = specc(capsys, *args, "--history", "HEAD")
    assert code == 0
    assert "predate" not in err  # v1 read from git: nothing to warn about


@pytest.mark.parametrize("change_id", sorted(KINDS))
def test_every_change_id_is_explained(change_id: str) -> None:
    text = explain_change(change_id)
    assert text is not None
    assert text.startswith(f"{change_id}: ")
    kind = KINDS[change_id]
    assert kind.severity in text
    assert kind.doc in text


def test_a_real_process_prints_json_on_stdout_and_notes_on_stderr() -> None:
    case = CASES / "ENUM_VALUE_ADDED"
    proc = run_specc("diff", str(case / "old.spec"), str(case / "new.spec"), "--labels", str(CASES / "labels.json"),
                     "--format", "json", "--fail-on", "dangerous")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["summary"] == {"images": 4, "images_affected": 2, "objects_affected": 0}
    assert proc.stderr.startswith("note: ")


def test_explain_command_knows_change_ids(capsys) -> None:
    code, out, _ = specc(capsys, "explain", "enum_value_removed")
    assert code == 0
    assert out.startswith("ENUM_VALUE_REMOVED: an enum value was removed")
    assert explain_change("E0104") is None
