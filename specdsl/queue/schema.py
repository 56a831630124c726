"""The queue file: how a SQLite file is recognised as a specc queue, created and checked.

A queue is marked three ways so that no other SQLite file is mistaken for one: the header's
``application_id``, a ``meta`` table naming the application, and ``user_version`` as the schema version.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote

APPLICATION = "specdsl-relabel-queue"
APPLICATION_ID = 0x53504351  # "SPCQ": shows in `file relabel.db` and the SQLite header
SCHEMA_VERSION = 2  # 2: one open item per image, per-object work, image size, the `label` action
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


class QueueError(Exception):
    """The file is not a queue this version can use (not SQLite, not a queue, newer schema)."""


ITEMS_TABLE = """
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image TEXT NOT NULL,
    objects TEXT NOT NULL DEFAULT '[]',
    action TEXT NOT NULL CHECK (action IN ('relabel', 'delete', 'fill', 'migrate', 'review', 'label')),
    reasons TEXT NOT NULL DEFAULT '[]',
    work TEXT NOT NULL DEFAULT '{{}}',
    severity TEXT NOT NULL,
    spec TEXT,
    from_version INTEGER,
    to_version INTEGER,
    width INTEGER,
    height INTEGER,
    priority REAL NOT NULL DEFAULT 0,
    score REAL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done')),
    labeler TEXT,
    claimed_at TEXT,
    lease_seconds REAL,
    lease_expires REAL,
    done_at TEXT,
    created_at TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{{}}'
)"""

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + ITEMS_TABLE.format(name="items") + """;
CREATE INDEX items_by_status ON items (status, priority DESC, id);
CREATE INDEX items_by_image ON items (image, id);
"""


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before sqlite3 gets a chance to treat it as an empty database."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise QueueError(f"{path} is not a SQLite file, so not a specc queue")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode; ``readonly`` opens the file read-only (``mode=ro``)."""
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so every write is one explicit transaction.
    target, uri = (f"file:{quote(str(path.absolute()))}?mode=ro", True) if readonly else (path, False)
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly and not _reads(conn):
        # A WAL file in a directory we cannot write: SQLite cannot make its shared-memory file, so read
        # the file as it is (immutable). Writers elsewhere are not seen until the next command.
        conn.close()
        conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1", uri=True,
                               isolation_level=None)
    return conn


def _reads(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_CANTOPEN:
            return False
        raise
    return True


def _disk_full(path: Path) -> bool:
    """SQLite reports a full disk met while growing its shared-memory file as an I/O error: ask the disk."""
    try:
        return shutil.disk_usage(path.absolute().parent).free < 1 << 20
    except OSError:
        return False


def refusal(path: Path, exc: sqlite3.Error | ValueError) -> QueueError:
    """A SQLite (or JSON) failure as a refusal that names the file and says what is wrong with it."""
    message = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or (code is not None and code & 0xFF == sqlite3.SQLITE_IOERR and _disk_full(path)):
        return QueueError(f"{path}: the disk is full; the queue was left as it was before this command")
    if code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
        return QueueError(f"{path}: the disk failed a read or write ({message}); the queue was left as it was "
                          "before this command")
    if code == sqlite3.SQLITE_READONLY or code == getattr(sqlite3, "SQLITE_READONLY_DIRECTORY", -1):
        return QueueError(f"{path} is read-only here: this command changes the queue (list, stats and export "
                          "only read it)")
    if code == sqlite3.SQLITE_CANTOPEN:
        return QueueError(f"cannot open queue {path} to change it: {message} (SQLite writes files next to it: "
                          "is its directory writable?)")
    if isinstance(exc, ValueError):
        message = f"an item holds unreadable JSON: {message}"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or isinstance(exc, ValueError):
        return QueueError(f"{path} is damaged ({message}): restore it from a backup, or rebuild it with "
                          "`specc queue build` from the check or diff output")
    if "no such table" in message or "no such column" in message:
        return QueueError(f"{path} is not a complete specc queue ({message})")
    return QueueError(f"cannot use queue {path}: {message}")


def prepare(conn: sqlite3.Connection, path: Path, create: bool, readonly: bool = False) -> None:
    """Check the file is a usable queue; create the schema in an empty database when ``create``.

    Checking only reads, so opening a queue never waits for a long build in another process.
    """
    try:
        empty = _is_empty(conn)
    except sqlite3.DatabaseError as exc:
        raise refusal(path, exc) from exc
    if empty and not create:
        raise QueueError(f"{path} is an empty database, not a specc queue")
    if empty:
        _create_once(conn)
    version = _verify(conn, path)
    if readonly:
        if version < SCHEMA_VERSION:
            raise QueueError(f"{path} is a queue of schema version {version}: open it once for writing "
                             "(specc queue build or claim) to upgrade it")
        return
    if version < SCHEMA_VERSION:
        from specdsl.queue.migrations import migrate

        migrate(conn, path)
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


def _verify(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version, once it is known to be a queue this specdsl can use or upgrade."""
    if not _names_application(conn):
        raise QueueError(f"{path} is a SQLite database but not a specc queue (no '{APPLICATION}' meta)")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise QueueError(f"{path} has queue schema version {version}, newer than the {SCHEMA_VERSION} "
                         "this specdsl understands: upgrade specdsl")
    if version < 1:
        raise QueueError(f"{path} has no queue schema version: not a specc queue")
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'items'").fetchone():
        raise QueueError(f"{path} is not a complete specc queue: its 'items' table is missing")
    return version


def _names_application(conn: sqlite3.Connection) -> bool:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        return False
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
    except sqlite3.OperationalError:  # a 'meta' table of another shape: another application's file
        return False
    return row is not None and row[0] == APPLICATION
