"""Every command that writes a document takes `-o` for it (issue 8: "`check` gets `-o` like the other
commands"): the document goes to the file, nothing to stdout."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_specc

OLD = "spec roads version 1\n\nclass lane: polyline {\n  color: enum { white, yellow }\n}\n"
NEW = OLD.replace("version 1", "version 2").replace("yellow }", "yellow, orange }")
EXPORT = {"spec": "roads", "images": [{"id": "a.jpg", "width": 100, "height": 100, "spec_version": 1, "objects": [
    {"id": "l1", "class": "lane", "points": [[1, 1], [50, 50]], "attributes": {"color": "blue"}}]}]}


def _files(tmp_path: Path) -> None:
    (tmp_path / "old.spec").write_text(OLD)
    (tmp_path / "new.spec").write_text(NEW)
    (tmp_path / "export.json").write_text(json.dumps(EXPORT))


def test_diff_and_check_write_their_json_to_the_file_named_by_o(tmp_path: Path) -> None:
    _files(tmp_path)
    diff = run_specc("diff", "old.spec", "new.spec", "--labels", "export.json", "--format", "json",
                     "-o", "diff.json", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout == ""
    assert [c["id"] for c in json.loads((tmp_path / "diff.json").read_text())["changes"]] == ["ENUM_VALUE_ADDED"]
    check = run_specc("check", "new.spec", "export.json", "--format", "json", "--progress", "none",
                      "-o", "findings.json", cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    assert check.stdout == ""
    assert [f["check"] for f in json.loads((tmp_path / "findings.json").read_text())["findings"]] == ["lane.color"]
