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
from hypothesis import given
from hypothesis import strategies as st

from specdsl.cli import main as cli_main
from specdsl.queue import QueueError, UnknownItemsError, open_queue
from specdsl.queue.item import ACTIONS, Work, strongest
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
        assert queue.build_from_documents([DIFF, CHECK]) == 4  # 3 images in the diff, 1 in the check
        before = [item.to_dict() for item in queue.items()]
        assert queue.build_from_documents([DIFF, CHECK]) == 0
        assert queue.build_from_documents([DIFF]) == 0
        assert [item.to_dict() for item in queue.items()] == before


def test_check_findings_make_one_item_per_image(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        assert queue.build_from_documents([CHECK]) == 1
        (item,) = queue.items()
    assert item.action == "relabel"
    assert item.image == "seq12/000200.jpg"
    assert item.objects == ("a7", "a9", "a3")
    assert item.reasons == ("image.weather", "orange_overrides_white", "LaneLine.color")
    record = item.to_dict()
    assert record["object_reasons"] == {"a7": ["orange_overrides_white"], "a9": ["orange_overrides_white"],
                                        "a3": ["LaneLine.color"]}
    assert record["image_reasons"] == ["image.weather"]
    assert record["object_actions"] == {"a7": "relabel", "a9": "relabel", "a3": "relabel"}
    assert item.severity == "error"
    # the quota finding (image null) is not queue work
    assert "min_lanes_per_image" not in item.reasons


def test_new_findings_merge_into_a_pending_item(tmp_path):
    extra = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000200.jpg", ["a9", "a11"])]}
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([CHECK])
        counts = queue.upsert(_items(extra))
        assert (counts.added, counts.merged) == (0, 1)
        (item,) = queue.items()
    assert item.objects == ("a7", "a9", "a3", "a11")
    assert item.work.object_reasons()["a9"] == ["orange_overrides_white", "LaneLine.require.1"]
    assert item.work.object_reasons()["a11"] == ["LaneLine.require.1"]


def test_new_work_for_a_done_item_becomes_a_new_item(tmp_path):
    later = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000200.jpg", ["a12"])]}
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([CHECK])
        queue.done([1])
        assert queue.build_from_documents([CHECK]) == 0  # the same input after the work is done: nothing
        assert queue.build_from_documents([later]) == 1
        assert [i.status for i in queue.items()] == ["done", "pending"]
        assert queue.items()[1].objects == ("a12",)  # only the new work, not what was done


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
    assert stats["total"] == 4
    assert stats["status"] == {"pending": 3, "claimed": 1, "done": 0}
    assert stats["action"]["relabel"] == 3
    assert stats["action"]["review"] == 1
    assert stats["reason"]["ENUM_VALUE_ADDED"] == 2
    assert stats["reason"]["image.weather"] == 1


# --- one item per image, actions, release -------------------------------------------------------------

def test_actions_are_ordered_strongest_first():
    assert ACTIONS == ("relabel", "delete", "fill", "migrate", "review", "label")
    assert strongest(["review", "fill", "migrate"]) == "fill"
    assert strongest(["delete", "relabel"]) == "relabel"
    work = Work.uniform("fill", ["a1"], ["ATTRIBUTE_ADDED"]).merged(Work.uniform("review", [], ["image.weather"]))
    assert work.action == "fill"
    assert work.object_actions() == {"a1": "fill"}
    # one reason asked with two actions on one object keeps the stronger
    both = Work.uniform("migrate", ["a1"], ["X"]).merged(Work.uniform("delete", ["a1"], ["X"]))
    assert both.objects == {"a1": {"X": "delete"}}


def test_diff_and_check_of_one_image_merge_into_one_item(tmp_path):
    check = {"spec": "other-name", "version": 9, "summary": {},  # names and versions need not agree
             "findings": [finding("LaneLine.style", "seq12/000124.jpg", ["a2"], kind="attribute") | {"action": "fill"},
                          finding("image.weather", "seq12/000124.jpg", [], kind="attribute")]}
    with open_queue(tmp_path / "q.db") as queue:
        counts = queue.upsert(_items(DIFF) + _items(check))
        assert (counts.added, counts.merged) == (3, 1)
        item = next(i for i in queue.items() if i.image == "seq12/000124.jpg")
    assert item.action == "relabel"
    assert item.objects == ("a1", "a2")
    assert item.work.object_reasons() == {"a1": ["ENUM_VALUE_REMOVED"], "a2": ["ENUM_VALUE_REMOVED", "LaneLine.style"]}
    assert item.work.object_actions() == {"a1": "relabel", "a2": "relabel"}
    assert item.work.objects["a2"] == {"ENUM_VALUE_REMOVED": "relabel", "LaneLine.style": "fill"}
    assert item.to_dict()["image_reasons"] == ["image.weather"]


def test_a_finding_with_an_unknown_action_is_refused_by_name(tmp_path, specc, capsys):
    bad = {"spec": "lanes", "version": 3, "summary": {},
           "findings": [finding("LaneLine.style", "seq12/000200.jpg", ["a1"]) | {"action": "paint"}]}
    assert specc("build", "--queue", str(tmp_path / "r.db"), str(write_json(tmp_path / "bad.json", bad))) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err
    assert "unknown action 'paint'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.db").exists()  # the input is refused before the queue is created


def test_new_work_while_claimed_waits_in_a_new_item_that_folds_back_on_release(tmp_path):
    later = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000124.jpg", ["a5"])]}
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([DIFF])
        claimed = next(i for i in queue.claim("l-07", 3) if i.image == "seq12/000124.jpg")
        assert queue.build_from_documents([DIFF]) == 0  # the claimed item already asks for it
        assert queue.build_from_documents([later]) == 1  # new work: pending, the claimed item untouched
        assert {(i.labeler, i.objects) for i in queue.items("claimed") if i.id == claimed.id} == {
            ("l-07", ("a1", "a2"))}
        (waiting,) = [i for i in queue.items("pending") if i.image == claimed.image]
        assert waiting.objects == ("a5",)
        assert queue.release([claimed.id], labeler="l-07") == 1
        (back,) = [i for i in queue.items() if i.image == claimed.image]
    assert back.id == claimed.id
    assert back.status == "pending"
    assert back.labeler is None
    assert back.objects == ("a1", "a2", "a5")  # the waiting item folded into the released one


def test_an_expired_lease_also_folds_waiting_work(tmp_path):
    now = [1_000_000.0]
    later = {"spec": "lanes", "version": 3, "summary": {},
             "findings": [finding("LaneLine.require.1", "seq12/000124.jpg", ["a5"])]}
    with open_queue(tmp_path / "q.db", clock=lambda: now[0]) as queue:
        queue.build_from_documents([DIFF])
        queue.claim("l-07", 3, lease_seconds=10)
        queue.build_from_documents([later])
        now[0] += 11
        pending = queue.items("pending")
    assert len(pending) == 3
    assert len({i.image for i in pending}) == 3


def test_release_refuses_done_items_and_other_labelers_claims_without_changing_anything(tmp_path):
    with open_queue(tmp_path / "q.db") as queue:
        queue.build_from_documents([DIFF])
        first, second = queue.claim("l-07", 2)
        queue.done([3])
        with pytest.raises(UnknownItemsError, match="77"):
            queue.release([first.id, 77])
        with pytest.raises(QueueError, match="3 are done"):
            queue.release([first.id, 3])
        queue.release([first.id])
        assert queue.claim("l-08", 1)[0].id == first.id
        with pytest.raises(QueueError, match="claimed by l-08, not l-07"):
            queue.release([first.id, second.id], labeler="l-07")
        assert [i.status for i in queue.items()] == ["claimed", "claimed", "done"]
        assert queue.release([second.id], labeler="l-07") == 1
        assert queue.release([second.id]) == 0  # already pending: nothing to do


def test_cli_release(tmp_path, specc, capsys):
    queue = str(tmp_path / "r.db")
    specc("build", "--queue", queue, str(write_json(tmp_path / "d.json", DIFF)))
    specc("claim", "--queue", queue, "--labeler", "l-07", "--n", "2", "--format", "json")
    ids = [str(i["id"]) for i in orjson.loads(capsys.readouterr().out)]
    assert specc("release", "--queue", queue, "--labeler", "l-99", *ids) == 2
    assert "claimed by l-07, not l-99" in capsys.readouterr().err
    assert specc("release", "--queue", queue, "--labeler", "l-07", *ids) == 0
    assert "2 item(s) released" in capsys.readouterr().err
    assert specc("list", "--queue", queue, "--status", "claimed", "--format", "json") == 0
    assert orjson.loads(capsys.readouterr().out) == []


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL, image TEXT NOT NULL,
    objects TEXT NOT NULL DEFAULT '[]',
    action TEXT NOT NULL CHECK (action IN ('relabel', 'review', 'fill', 'migrate', 'delete')),
    reasons TEXT NOT NULL DEFAULT '[]', severity TEXT NOT NULL, spec TEXT, from_version INTEGER,
    to_version INTEGER, priority REAL NOT NULL DEFAULT 0, score REAL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done')),
    labeler TEXT, claimed_at TEXT, lease_seconds REAL, lease_expires REAL, done_at TEXT,
    created_at TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}');
INSERT INTO meta VALUES ('application', 'specdsl-relabel-queue');
INSERT INTO items (dedupe_key, image, objects, action, reasons, severity, spec, to_version, priority, status,
                   labeler, created_at) VALUES
  ('k1', 'a.jpg', '["a1"]', 'relabel', '["R1"]', 'warning', 'lanes', 3, 0.5, 'pending', NULL, 't'),
  ('k2', 'a.jpg', '["a2"]', 'fill', '["R2"]', 'error', NULL, NULL, 0.7, 'pending', NULL, 't'),
  ('k3', 'a.jpg', '["a3"]', 'relabel', '["R3"]', 'error', NULL, NULL, 0.9, 'claimed', 'l-1', 't'),
  ('k4', 'b.jpg', '[]', 'review', '["R4"]', 'info', NULL, NULL, 0.1, 'done', NULL, 't'),
  ('k5', 'c.jpg', '["c1"]', 'delete', '["R5"]', 'info', NULL, NULL, 0.2, 'pending', NULL, 't');
PRAGMA user_version = 1;
"""


def test_a_version_1_queue_is_migrated_with_one_pending_item_per_image(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.close()
    with open_queue(path, create=False) as queue:
        items = {i.id: i for i in queue.items()}
        assert sorted(items) == [1, 3, 4, 5]  # item 2 folded into item 1 (same image, both pending)
        assert items[1].objects == ("a1", "a2")
        assert items[1].action == "relabel"
        assert items[1].work.object_actions() == {"a1": "relabel", "a2": "fill"}
        assert items[1].severity == "error"
        assert items[1].priority == 0.7
        assert (items[3].status, items[3].labeler) == ("claimed", "l-1")
        assert items[4].work.image == {"R4": "review"}
        assert queue.add_items([{"image": "d.jpg", "action": "label", "reasons": ["uncertainty"]}]) == 1
        assert max(i.id for i in queue.items()) == 6  # ids of folded items are not reused
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


# --- the file: identity and refusals ----------------------------------------------------------------------

def test_queue_file_is_marked_and_in_wal_mode(tmp_path):
    open_queue(tmp_path / "q.db").close()
    conn = sqlite3.connect(tmp_path / "q.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
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
    assert specc("export", "--queue", queue, "-o", str(out), "--status", "all") == 0
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [i["id"] for i in lines] == [1, 2, 3]
    assert specc("export", "--queue", queue, "-o", str(out)) == 0  # pending items by default
    assert [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()] == [
        i for i in (1, 2, 3) if i != claimed[0]["id"]]
    assert not list(tmp_path.glob(".items.jsonl.*"))  # written beside and renamed: no temporary left

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
    assert [(i["action"], i["objects"]) for i in items] == [("relabel", ["a7", "a9", "a3"])]


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


# --- laws of the per-image work (hypothesis) ---------------------------------------------------------------

_tasks = st.dictionaries(st.sampled_from(["R1", "R2", "R3", "R4"]), st.sampled_from(ACTIONS), max_size=3)
works = st.builds(Work, objects=st.dictionaries(st.sampled_from(["a1", "a2", "a10", "b"]), _tasks, max_size=3),
                  image=_tasks)


def _canonical(work: Work) -> dict:
    return {"objects": {o: dict(sorted(t.items())) for o, t in sorted(work.objects.items())},
            "image": dict(sorted(work.image.items()))}


@given(works, works, works)
def test_merging_work_is_a_union_keeping_the_strongest_action(a, b, c):
    merged = a.merged(b)
    assert merged.pairs() == a.pairs() | b.pairs()
    assert _canonical(merged) == _canonical(b.merged(a))  # the order of inputs does not matter
    assert _canonical(a.merged(b).merged(c)) == _canonical(a.merged(b.merged(c)))
    assert _canonical(merged.merged(b)) == _canonical(merged)  # merging again changes nothing
    if a and b:
        assert merged.action == strongest([a.action, b.action])


@given(works, works)
def test_without_removes_exactly_the_covered_pairs(a, b):
    rest = a.without(b.pairs())
    assert rest.pairs() == a.pairs() - b.pairs()
    assert not a.without(a.pairs())
    assert Work.from_json(orjson.loads(orjson.dumps(a.to_json()))) == a
