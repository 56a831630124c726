"""The relabel queue: building from diff/check output, priorities, claims, leases, refusals, the CLI."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from conftest import run_specc

from specdsl.cli import main as cli_main
from specdsl.queue import QueueError, UnknownItemsError, open_queue
from specdsl.queue.priority import SEVERITY_WEIGHT, priority, rarities, rarity, worst_severity

DIFF = {
    "from": {"spec": "lanes", "version": 2}, "to": {"spec": "lanes", "version": 3},
    "changes": [
        {"id": "ENUM_VALUE_REMOVED", "severity": "breaking", "target": "LaneColor.blue",
         "message": "Value 'blue' was removed from LaneColor.", "old": "specs/lanes.spec:14:3", "new": None},
        {"id": "ENUM_VALUE_ADDED", "severity": "dangerous", "target": "LaneColor.orange",
         "message": "Value 'orange' was added to LaneColor.", "old": None, "new": "specs/lanes.spec:14:3"},
        {"id": "RELABEL_DECLARED", "severity": "safe", "target": "LaneColor",
         "message": "A relabel was declared.", "old": None, "new": "specs/lanes.spec:20:1"},
    ],
    "impact": [
        {"image": "seq12/000123.jpg", "objects": ["a9"], "changes": ["ENUM_VALUE_ADDED", "RELABEL_DECLARED"],
         "action": "relabel"},
        {"image": "seq12/000124.jpg", "objects": ["a1", "a2"], "changes": ["ENUM_VALUE_REMOVED"],
         "action": "relabel"},
        {"image": "seq12/000125.jpg", "objects": [], "changes": ["ENUM_VALUE_ADDED"], "action": "review"},
    ],
    "summary": {"images": 1200, "images_affected": 3, "objects_affected": 3},
}


def finding(check: str, image: str | None, objects: list[str], severity: str = "error",
            kind: str = "rule") -> dict:
    return {"check": check, "kind": kind, "severity": severity, "image": image, "objects": objects,
            "message": f"{check} failed", "source": "exports/batch7.json", "pointer": "/images/0",
            "spec_location": "specs/lanes.spec:31:1"}


CHECK = {
    "spec": "lanes", "version": 3,
    "summary": {"images": 10, "objects": 40, "errors": 3, "warnings": 1, "infos": 0},
    "findings": [
        finding("orange_overrides_white", "seq12/000200.jpg", ["a7", "a9"]),
        finding("LaneLine.color", "seq12/000200.jpg", ["a3"], kind="attribute", severity="warning"),
        finding("image.weather", "seq12/000200.jpg", [], kind="attribute"),
        finding("min_lanes_per_image", None, [], kind="quota"),
    ],
}


@pytest.fixture
def specc(monkeypatch):
    """Run the real `specc` main with only the queue command registered (others are not under test)."""
    monkeypatch.setattr(cli_main, "COMMANDS", ("specdsl.cli.queue",))

    def run(*argv: str) -> int:
        return cli_main.main(["queue", *argv])
    return run


def write_json(path: Path, document: object) -> Path:
    path.write_bytes(orjson.dumps(document))
    return path


# --- priority (pure) -------------------------------------------------------------------------------------

def test_priority_formula_orders_severity_then_rarity_then_score():
    assert priority("breaking", 1.0, 1.0) == 1.0
    assert priority("safe", 0.0) == pytest.approx(0.055)
    assert priority("error", 0.5) == pytest.approx(0.55 + 0.15)
    assert priority("breaking", 0.0) > priority("dangerous", 0.0) > priority("migratable", 0.0) > priority("safe", 0.0)
    assert priority("warning", 0.9) > priority("warning", 0.1)
    assert priority("warning", 0.5, 0.8) > priority("warning", 0.5)
    assert priority("warning", 0.5, 7.0) == priority("warning", 0.5, 1.0)  # scores are clamped
    assert SEVERITY_WEIGHT["error"] == SEVERITY_WEIGHT["breaking"]
    assert worst_severity(["safe", "dangerous", "migratable"]) == "dangerous"


def test_rarity_is_one_for_a_unique_key_and_falls_with_frequency():
    assert rarity(1, 10) == 1.0
    assert rarity(10, 10) < rarity(5, 10) < rarity(1, 10)
    common, also_common, unique, mixed = rarities([["x"], ["x"], ["y"], ["x", "y"]])
    assert common == also_common < unique == mixed  # an item is as rare as its rarest key


# --- building ----------------------------------------------------------------------------------------------

def test_build_from_diff_makes_one_item_per_impact_entry(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        assert queue.build_from_documents([DIFF]) == 3
        items = {item.image: item for item in queue.items()}
    first = items["seq12/000123.jpg"]
    assert list(first.to_dict())[:8] == ["id", "image", "objects", "action", "reasons", "priority", "status",
                                         "labeler"]
    assert first.reasons == ("ENUM_VALUE_ADDED", "RELABEL_DECLARED")
    assert first.severity == "dangerous"  # worst of dangerous + safe
    assert (first.spec, first.from_version, first.to_version) == ("lanes", 2, 3)
    assert first.details["targets"] == ["LaneColor.orange", "LaneColor"]
    assert items["seq12/000124.jpg"].severity == "breaking"
    assert items["seq12/000125.jpg"].action == "review"
    assert all(0.0 <= item.priority <= 1.0 for item in items.values())
    # breaking beats dangerous; the removed value is also the rarest target
    assert items["seq12/000124.jpg"].priority > first.priority


def test_build_is_idempotent(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        assert queue.build_from_documents([DIFF, CHECK]) == 5
        before = [item.to_dict() for item in queue.items()]
        assert queue.build_from_documents([DIFF, CHECK]) == 0
        assert queue.build_from_documents([DIFF]) == 0
        assert [item.to_dict() for item in queue.items()] == before


def test_check_findings_are_grouped_per_image_and_action(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        assert queue.build_from_documents([CHECK]) == 2
        relabel, review = queue.items()
    assert relabel.action == "relabel"
    assert relabel.image == "seq12/000200.jpg"
    assert relabel.objects == ("a7", "a9", "a3")
    assert relabel.reasons == ("orange_overrides_white", "LaneLine.color")
    assert relabel.severity == "error"
    assert review.action == "review"
    assert review.objects == ()
    assert review.reasons == ("image.weather",)
    # the quota finding (image null) is not queue work
    assert "min_lanes_per_image" not in relabel.reasons + review.reasons


def test_new_findings_merge_into_a_pending_item(tmp_path):
    extra = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000200.jpg", ["a9", "a11"])]}
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([CHECK])
        counts = queue.upsert(_items(extra))
        assert (counts.added, counts.merged) == (0, 1)
        relabel = queue.items()[0]
    assert relabel.objects == ("a7", "a9", "a3", "a11")
    assert relabel.reasons[-1] == "LaneLine.require.1"


def test_new_work_for_a_done_item_becomes_a_new_item(tmp_path):
    later = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000200.jpg", ["a12"])]}
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([CHECK])
        queue.done([1, 2])
        assert queue.build_from_documents([CHECK]) == 0  # the same input after the work is done: nothing
        assert queue.build_from_documents([later]) == 1
        assert [i.status for i in queue.items()] == ["done", "done", "pending"]


def test_rare_reasons_come_first_among_equal_severity(tmp_path):
    findings = [finding("common_rule", f"img/{k}.jpg", ["a1"]) for k in range(5)]
    findings.append(finding("rare_rule", "img/rare.jpg", ["a1"]))
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([{"spec": "s", "version": 1, "summary": {}, "findings": findings}])
        first = queue.claim("l-01", 1)[0]
    assert first.image == "img/rare.jpg"


def _items(document: dict):
    from specdsl.queue import items_from_documents

    return items_from_documents([document])


# --- claims, leases, done ------------------------------------------------------------------------------

def test_claim_hands_out_best_first_and_ties_by_id(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([DIFF])
        order = [i.id for i in sorted(queue.items(), key=lambda i: (-i.priority, i.id))]
        claimed = queue.claim("l-07", 2)
        assert [i.id for i in claimed] == order[:2]
        assert all(i.status == "claimed" and i.labeler == "l-07" and i.lease_seconds == 3600 for i in claimed)
        assert [i.id for i in queue.claim("l-08", 5)] == order[2:]
        assert queue.claim("l-09", 1) == []


def test_an_expired_lease_returns_the_item_to_pending(tmp_path):
    now = [1_000_000.0]
    with open_queue(tmp_path / "q.db", clock=lambda: now[0]) as queue:
        queue.build_from_documents([DIFF])
        first = queue.claim("l-01", 1, lease_seconds=60)[0]
        now[0] += 59
        assert first.id not in [i.id for i in queue.claim("l-02", 3, lease_seconds=10)]
        assert queue.claim("l-02", 1) == []
        now[0] += 11  # every lease has run out now
        pending = queue.items("pending")
        assert {i.id for i in pending} == {1, 2, 3}
        assert all(i.labeler is None and i.claimed_at is None for i in pending)


def test_done_marks_items_and_refuses_unknown_ids_without_changing_anything(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([DIFF])
        claimed = queue.claim("l-01", 1)[0]
        with pytest.raises(UnknownItemsError, match="98, 99"):
            queue.done([claimed.id, 98, 99])
        assert queue.items("done") == []
        assert queue.done([claimed.id, 3]) == 2  # claimed or pending items can be marked done
        assert queue.done([3]) == 0
        done = queue.items("done")
    assert [i.id for i in done] == [claimed.id, 3]
    assert all(i.done_at for i in done)


def test_push_review_is_idempotent_per_image_and_reason_while_open(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        assert queue.push_review("img/1.jpg", "suspected_mislabel", 0.7, {"z_mean": 4.1}) is True
        assert queue.push_review("img/1.jpg", "suspected_mislabel", 0.7, {"z_mean": 4.1}) is False
        assert queue.push_review("img/1.jpg", "other_reason", 0.6, None) is True
        item = queue.items()[0]
        assert len(queue.items()) == 1
        assert item.reasons == ("suspected_mislabel", "other_reason")
        assert item.action == "review"
        assert item.score == 0.6
        assert queue.pending_images() == {"img/1.jpg"}
        queue.done([item.id])
        assert queue.pending_images() == set()
        assert queue.push_review("img/1.jpg", "suspected_mislabel", 0.9, None) is True
        assert len(queue.items()) == 2


def test_stats_counts_by_status_action_and_reason(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([DIFF, CHECK])
        queue.claim("l-01", 1)
        stats = queue.stats()
    assert stats["total"] == 5
    assert stats["status"] == {"pending": 4, "claimed": 1, "done": 0}
    assert stats["action"]["relabel"] == 3
    assert stats["action"]["review"] == 2
    assert stats["reason"]["ENUM_VALUE_ADDED"] == 2
    assert stats["reason"]["image.weather"] == 1


# --- the file: identity and refusals ----------------------------------------------------------------------

def test_queue_file_is_marked_and_in_wal_mode(tmp_path):
    open_queue(tmp_path / "q.db").close()
    conn = sqlite3.connect(tmp_path / "q.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()[0] == "specdsl-relabel-queue"


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the rows you are looking for\n")
    with pytest.raises(QueueError, match="not a SQLite file"):
        open_queue(path)
    assert path.read_text().startswith("these are")  # untouched


def test_refuses_a_sqlite_file_of_another_application(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(QueueError, match="not a specc queue"):
        open_queue(path)


def test_refuses_a_queue_from_a_newer_schema(tmp_path):
    path = tmp_path / "q.db"
    open_queue(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(QueueError, match="schema version 99, newer"):
        open_queue(path)


def test_a_missing_queue_is_not_created_unless_asked(tmp_path):
    with pytest.raises(QueueError, match="no queue at"):
        open_queue(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


# --- the CLI ------------------------------------------------------------------------------------------------

def test_cli_build_list_claim_done_export_stats(tmp_path, specc, capsys):
    queue, diff = str(tmp_path / "r.db"), write_json(tmp_path / "diff.json", DIFF)
    assert specc("build", "--queue", queue, str(diff)) == 0
    assert "3 added" in capsys.readouterr().err
    assert specc("build", "--queue", queue, str(diff)) == 0
    assert "0 added, 0 merged, 3 already queued" in capsys.readouterr().err

    assert specc("claim", "--queue", queue, "--labeler", "l-07", "--n", "1", "--format", "json") == 0
    claimed = orjson.loads(capsys.readouterr().out)
    assert list(claimed[0])[:8] == ["id", "image", "objects", "action", "reasons", "priority", "status", "labeler"]
    assert claimed[0]["status"] == "claimed"
    assert claimed[0]["labeler"] == "l-07"
    assert claimed[0]["image"] == "seq12/000124.jpg"
    assert claimed[0]["reasons"] == ["ENUM_VALUE_REMOVED"]

    assert specc("done", "--queue", queue, str(claimed[0]["id"])) == 0
    assert specc("list", "--queue", queue, "--status", "done", "--format", "json") == 0
    assert [i["id"] for i in orjson.loads(capsys.readouterr().out)] == [claimed[0]["id"]]

    out = tmp_path / "items.jsonl"
    assert specc("export", "--queue", queue, "-o", str(out)) == 0
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [i["id"] for i in lines] == [1, 2, 3]

    assert specc("stats", "--queue", queue, "--format", "json") == 0
    stats = orjson.loads(capsys.readouterr().out)
    assert stats["status"] == {"pending": 2, "claimed": 0, "done": 1}


def test_cli_text_output_is_a_table(tmp_path, specc, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich folds long cells at the 80 columns of a pipe
    queue = str(tmp_path / "r.db")
    specc("build", "--queue", queue, str(write_json(tmp_path / "d.json", DIFF)))
    capsys.readouterr()
    assert specc("list", "--queue", queue) == 0
    text = capsys.readouterr().out
    assert "seq12/000124.jpg" in text
    assert "ENUM_VALUE_REMOVED" in text
    assert "pending" in text
    assert specc("stats", "--queue", queue) == 0
    assert "by reason" in capsys.readouterr().out


def test_cli_builds_from_jsonl_on_stdin(tmp_path, specc, capsys, monkeypatch):
    import io

    lines = b"".join(orjson.dumps(f) + b"\n" for f in CHECK["findings"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    assert specc("build", "--queue", str(tmp_path / "r.db"), "-") == 0
    assert specc("list", "--queue", str(tmp_path / "r.db"), "--format", "json") == 0
    items = orjson.loads(capsys.readouterr().out)
    assert [(i["action"], i["objects"]) for i in items] == [("relabel", ["a7", "a9", "a3"]), ("review", [])]


def test_cli_unknown_done_ids_exit_2_naming_them(tmp_path, specc, capsys):
    queue = str(tmp_path / "r.db")
    specc("build", "--queue", queue, str(write_json(tmp_path / "d.json", DIFF)))
    capsys.readouterr()
    assert specc("done", "--queue", queue, "2", "41", "42") == 2
    assert "41, 42" in capsys.readouterr().err
    assert specc("list", "--queue", queue, "--status", "done", "--format", "json") == 0
    assert orjson.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("content, message", [
    (b"hello, I am a text file\n", "not a SQLite file"),
    (None, "not a specc queue"),
])
def test_cli_refuses_files_that_are_not_queues(tmp_path, specc, capsys, content, message):
    path = tmp_path / "x.db"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    assert specc("build", "--queue", str(path), str(write_json(tmp_path / "d.json", DIFF))) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_cli_rejects_input_that_is_not_diff_or_check_output(tmp_path, specc, capsys):
    bad = write_json(tmp_path / "bad.json", {"hello": "world"})
    assert specc("build", "--queue", str(tmp_path / "r.db"), str(bad)) == 2
    assert "not a `specc diff" in capsys.readouterr().err
    assert specc("build", "--queue", str(tmp_path / "r.db"), str(tmp_path / "absent.json")) == 2
    assert specc("list", "--queue", str(tmp_path / "never-built.db")) == 2
    assert "no queue at" in capsys.readouterr().err


# --- packaging --------------------------------------------------------------------------------------------

def test_importing_the_queue_does_not_import_torch_or_numpy():
    code = "import sys, specdsl, specdsl.queue; print('torch' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_real_specc_entry_point_has_the_queue_command(tmp_path):
    assert [m for m in cli_main.COMMANDS if importlib.util.find_spec(m) is None] == []
    start = time.monotonic()
    result = run_specc("queue", "stats", "--queue", tmp_path / "none.db")
    assert result.returncode == 2
    assert "no queue at" in result.stderr
    assert time.monotonic() - start < 30
