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
