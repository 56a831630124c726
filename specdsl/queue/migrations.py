"""Upgrading a queue file written by an older specdsl, in place and in one transaction.

Each step takes the file from version ``n`` to ``n + 1``; :func:`migrate` runs the missing ones under
the write lock, so two processes opening an old queue at once migrate it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import orjson

from specdsl.queue.item import Work
from specdsl.queue.priority import worst_severity
from specdsl.queue.schema import ITEMS_TABLE, SCHEMA_VERSION, QueueError

_V1_COLUMNS = ("id, image, objects, action, reasons, severity, spec, from_version, to_version, priority, score, "
               "status, labeler, claimed_at, lease_seconds, lease_expires, done_at, created_at, details")
_V2_COLUMNS = ("id, image, objects, action, reasons, work, severity, spec, from_version, to_version, priority, "
               "score, status, labeler, claimed_at, lease_seconds, lease_expires, done_at, created_at, details")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`; nothing changes if any step fails."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in STEPS[version - 1:SCHEMA_VERSION - 1]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise QueueError(f"cannot upgrade queue {path} to schema version {SCHEMA_VERSION}: {exc}") from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Version 1 keyed items by image + action + spec + version, so one image could have several pending
    items. Version 2 keeps one: the pending items of an image fold into its oldest one (objects and
    reasons merged, the worst severity, the highest priority); claimed and done items stay as they are."""
    rows = [list(row) for row in conn.execute(f"SELECT {_V1_COLUMNS} FROM items ORDER BY id")]
    last_id = max((row[0] for row in rows), default=0)
    kept: list[list] = []
    pending_by_image: dict[str, list] = {}
    for row in rows:
        image, objects, action, reasons, status = row[1], row[2], row[3], row[4], row[11]
        work = Work.uniform(action, orjson.loads(objects), orjson.loads(reasons))
        converted = [*row[:5], work, *row[5:]]
        first = pending_by_image.get(image) if status == "pending" else None
        if first is None:
            kept.append(converted)
            if status == "pending":
                pending_by_image[image] = converted
        else:
            _fold(first, converted)
    conn.execute(ITEMS_TABLE.format(name="items_v2"))
    marks = ", ".join("?" * len(_V2_COLUMNS.split(", ")))
    conn.executemany(f"INSERT INTO items_v2 ({_V2_COLUMNS}) VALUES ({marks})", [_v2_row(r) for r in kept])
    conn.execute("DROP TABLE items")
    conn.execute("ALTER TABLE items_v2 RENAME TO items")
    # ids of folded items are never handed out again
    conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'items'", (last_id,))
    conn.execute("CREATE INDEX items_by_status ON items (status, priority DESC, id)")
    conn.execute("CREATE INDEX items_by_image ON items (image, id)")


def _fold(into: list, other: list) -> None:
    """Merge a converted v1 row into an earlier pending row of the same image (column order of _V2_COLUMNS)."""
    into[5] = into[5].merged(other[5])
    into[6] = worst_severity((into[6], other[6]))
    into[10] = max(into[10], other[10])
    into[11] = other[11] if into[11] is None else into[11]


def _v2_row(row: list) -> list:
    work: Work = row[5]
    return [row[0], row[1], _json(list(work.object_ids)), work.action, _json(list(work.reasons)),
            _json(work.to_json()), *row[6:]]


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1_to_v2,)
