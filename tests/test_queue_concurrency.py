"""The queue under several real processes: exclusive claims, and a build killed half-way."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from specdsl.queue import open_queue

# `specc` with only the queue command registered: the other sub-commands are not under test here.
SPECC = [sys.executable, "-c",
         "import sys; import specdsl.cli.main as m; m.COMMANDS = ('specdsl.cli.queue',); sys.exit(m.main())"]


def diff_document(n: int, version: int = 3, prefix: str = "seq") -> dict:
    changes = [{"id": f"CHANGE_{k}", "severity": ("breaking", "dangerous", "migratable", "safe")[k % 4],
                "target": f"Lane.attr{k}", "message": f"change {k}", "old": None, "new": None} for k in range(40)]
    impact = [{"image": f"{prefix}{k // 100:03d}/{k:06d}.jpg", "objects": [f"a{j}" for j in range(k % 4)],
               "changes": [f"CHANGE_{k % 40}", f"CHANGE_{(k * 7) % 40}"], "action": "relabel" if k % 4 else "review"}
              for k in range(n)]
    return {"from": {"spec": "lanes", "version": version - 1}, "to": {"spec": "lanes", "version": version},
            "changes": changes, "impact": impact, "summary": {}}


def _claim_until_empty(path: str, labeler: str, start: multiprocessing.Barrier, results) -> None:
    got: list[int] = []
    with open_queue(path, create=False) as queue:
        start.wait()  # all claimers begin together, so their transactions really interleave
        while claimed := queue.claim(labeler, 1):
            got.extend(item.id for item in claimed)
            time.sleep(0.002)  # a labeler looks at the item; without a pause one process takes all 200
    results.put((labeler, got))


def test_four_processes_claiming_one_at_a_time_never_share_an_item(tmp_path):
    path = str(tmp_path / "q.db")
    with open_queue(path) as queue:
        assert queue.build_from_documents([diff_document(200)]) == 200
    context = multiprocessing.get_context("spawn")  # no SQLite connection crosses a fork
    start, results = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_claim_until_empty, args=(path, f"l-{k}", start, results))
               for k in range(4)]
    for worker in workers:
        worker.start()
    claimed = dict(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    handed_out = [i for ids in claimed.values() for i in ids]
    assert sorted(handed_out) == list(range(1, 201))  # every item exactly once
    assert sum(1 for ids in claimed.values() if ids) >= 2  # the claimers really did compete
    with open_queue(path) as queue:
        by_id = {item.id: item for item in queue.items()}
    for labeler, ids in claimed.items():
        assert all(by_id[i].status == "claimed" and by_id[i].labeler == labeler for i in ids)


def test_concurrent_cli_claims_are_disjoint(tmp_path):
    path = str(tmp_path / "q.db")
    with open_queue(path) as queue:
        queue.build_from_documents([diff_document(30)])
    procs = [subprocess.Popen([*SPECC, "queue", "claim", "--queue", path, "--labeler", f"l-{k}", "--n", "10",
                               "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for k in range(3)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    claimed = [[item["id"] for item in orjson.loads(out)] for out, _ in outputs]
    assert sorted(i for ids in claimed for i in ids) == list(range(1, 31))
    assert all(len(ids) == 10 for ids in claimed)


def _wait_for_wal_growth(proc: subprocess.Popen, wal: Path, threshold: int, timeout: float) -> bool:
    """True once the build has written ``threshold`` bytes of uncommitted pages (it is mid-transaction)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > threshold:
            return True
        time.sleep(0.005)
    return False


def snapshot(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT id, image, objects, reasons, status, priority FROM items "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_build_killed_mid_transaction_leaves_the_old_state(tmp_path):
    path = tmp_path / "q.db"
    with open_queue(path) as queue:
        queue.build_from_documents([diff_document(50, version=2)])
        queue.claim("l-01", 5)
    old = snapshot(path)
    big = tmp_path / "big.json"
    big.write_bytes(orjson.dumps(diff_document(30_000, prefix="big")))  # images of their own

    proc = subprocess.Popen([*SPECC, "queue", "build", "--queue", str(path), str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mid_transaction = _wait_for_wal_growth(proc, Path(f"{path}-wal"), threshold=2_000_000, timeout=60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if not mid_transaction:
        pytest.fail("the build finished before it could be caught mid-transaction: make the input bigger")
    assert snapshot(path) == old  # none of the half-written build is visible

    # the queue is still usable, and the same build run to the end gives the complete new state
    result = subprocess.run([*SPECC, "queue", "build", "--queue", str(path), str(big)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    new = snapshot(path)
    assert len(new) == len(old) + 30_000
    assert [row[:5] for row in new[:len(old)]] == [row[:5] for row in old]


def test_kills_at_any_moment_leave_either_the_old_or_the_new_state(tmp_path):
    path = tmp_path / "q.db"
    with open_queue(path) as queue:
        queue.build_from_documents([diff_document(20, version=2)])
    old_count = len(snapshot(path))
    doc = tmp_path / "doc.json"
    doc.write_bytes(orjson.dumps(diff_document(5_000, prefix="new")))
    seen = set()
    for delay in (0.05, 0.3, 0.5, 0.7, 0.9, 1.2):
        proc = subprocess.Popen([*SPECC, "queue", "build", "--queue", str(path), str(doc)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        count = len(snapshot(path))
        assert count in (old_count, old_count + 5_000)
        seen.add(count)
        if count != old_count:
            break  # later builds of the same input add nothing, so there is nothing more to see
    assert seen <= {old_count, old_count + 5_000}
