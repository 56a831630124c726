"""The queue file: how a SQLite file is recognised as a specc queue, created and checked.

A queue is marked three ways so that no other SQLite file is mistaken for one: the header's
``application_id``, a ``meta`` table naming the application, and ``user_version`` as the schema version.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

APPLICATION = "specdsl-relabel-queue"
APPLICATION_ID = 0x53504351  # "SPCQ": shows in `file relabel.db` and the SQLite header
SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


class QueueError(Exception):
    """The file is not a queue this version can use (not SQLite, not a queue, newer schema)."""


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL,
    image TEXT NOT NULL,
    objects TEXT NOT NULL DEFAULT '[]',
    action TEXT NOT NULL CHECK (action IN ('relabel', 'review', 'fill', 'migrate', 'delete', 'label')),
    reasons TEXT NOT NULL DEFAULT '[]',
    severity TEXT NOT NULL,
    spec TEXT,
    from_version INTEGER,
    to_version INTEGER,
    priority REAL NOT NULL DEFAULT 0,
    score REAL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done')),
    labeler TEXT,
    claimed_at TEXT,
    lease_seconds REAL,
    lease_expires REAL,
    done_at TEXT,
    created_at TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX items_by_key ON items (dedupe_key, id);
CREATE INDEX items_by_status ON items (status, priority DESC, id);
CREATE INDEX items_by_image ON items (image);
"""


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before sqlite3 gets a chance to treat it as an empty database."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise QueueError(f"{path} is not a SQLite file, so not a specc queue")


def connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so every write is one explicit transaction.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def prepare(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    """Check the file is a usable queue; create the schema in an empty database when ``create``.

    Checking only reads, so opening a queue never waits for a long build in another process.
    """
    try:
        empty = _is_empty(conn)
    except sqlite3.DatabaseError as exc:
        raise QueueError(f"{path} is not a readable SQLite file: {exc}") from exc
    if empty and not create:
        raise QueueError(f"{path} is an empty database, not a specc queue")
    if empty:
        _create_once(conn)
    _verify(conn, path)
    # WAL lets readers (list, the torch sampler) run while a build writes; it is a property of the file.
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _create_once(conn: sqlite3.Connection) -> None:
    """Create the schema under the write lock; another process may have created it meanwhile."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _is_empty(conn):
            _create(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _create(conn: sqlite3.Connection) -> None:
    from specdsl import __version__

    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                     [("application", APPLICATION), ("created_by", f"specdsl {__version__}")])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _verify(conn: sqlite3.Connection, path: Path) -> None:
    if not _names_application(conn):
        raise QueueError(f"{path} is a SQLite database but not a specc queue (no '{APPLICATION}' meta)")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise QueueError(f"{path} has queue schema version {version}, newer than the {SCHEMA_VERSION} "
                         "this specdsl understands: upgrade specdsl")
    if version < 1:
        raise QueueError(f"{path} has no queue schema version: not a specc queue")


def _names_application(conn: sqlite3.Connection) -> bool:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        return False
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == APPLICATION
