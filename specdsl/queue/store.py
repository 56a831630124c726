"""The queue itself: a SQLite file in WAL mode where every write is one ``BEGIN IMMEDIATE`` transaction.

``BEGIN IMMEDIATE`` takes the write lock before reading, so two claimers can never both see an item as
pending, and a process killed mid-write leaves the file as it was before that transaction.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import orjson

from specdsl.queue.item import ACTIONS, STATUSES, Item, NewItem, Work
from specdsl.queue.priority import priority, rarities, worst_severity
from specdsl.queue.schema import QueueError, check_header, connect, prepare, refusal

ITEM_COLUMNS = ("id, image, objects, action, reasons, priority, status, labeler, severity, spec, from_version, "
                "to_version, score, claimed_at, lease_seconds, done_at, created_at, details, work, width, height")
OPEN_STATUSES = ("pending", "claimed")


class UnknownItemsError(QueueError):
    def __init__(self, ids: Sequence[int]) -> None:
        self.ids = tuple(ids)
        super().__init__(f"unknown item id(s): {', '.join(map(str, self.ids))}")


class NotReleasableError(QueueError):
    """``release`` of items that are done, or claimed by someone else than the labeler named."""


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int = 0
    merged: int = 0  # a still-pending item gained objects or reasons
    unchanged: int = 0


def open_queue(path: str | Path, create: bool = True, clock: Callable[[], float] = time.time,
               readonly: bool = False) -> Queue:
    """Open (and with ``create``, make) the queue at ``path``; QueueError for any other kind of file.

    ``readonly`` opens it for reading only (list, stats, export), which works in a directory or on a file
    this user cannot write; claims whose lease ran out then read as pending without being rewritten.
    """
    path = Path(path)
    if path.is_dir():
        raise QueueError(f"{path} is a directory, not a specc queue")
    if path.exists():
        check_header(path)
    elif not create:
        raise QueueError(f"no queue at {path}")
    try:
        conn = connect(path, readonly)
    except sqlite3.Error as exc:
        raise refusal(path, exc) from exc
    try:
        prepare(conn, path, create and not readonly, readonly)
    except sqlite3.Error as exc:
        conn.close()
        raise refusal(path, exc) from exc
    except BaseException:
        conn.close()
        raise
    return Queue(conn, path, clock, readonly)


# An item's status as of ``:now``: a claim whose lease ran out is pending again, whether or not a writer
# has reset it in the file yet (a read-only reader cannot).
STATUS_NOW = "CASE WHEN status = 'claimed' AND lease_expires < :now THEN 'pending' ELSE status END"


class Queue:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Callable[[], float],
                 readonly: bool = False) -> None:
        self._conn = conn
        self.path = path
        self._clock = clock
        self.readonly = readonly

    # --- writing -------------------------------------------------------------------------------------

    def add_items(self, items: Iterable[NewItem | Mapping[str, Any]]) -> int:
        """Add work; returns how many items are new (merged or already-present ones do not count)."""
        return self.upsert(items).added

    def build_from_documents(self, documents: Iterable[Any]) -> int:
        from specdsl.queue.sources import items_from_documents

        return self.add_items(items_from_documents(documents))

    def upsert(self, items: Iterable[NewItem | Mapping[str, Any]], reopen_done: bool = False) -> UpsertCounts:
        """Add or merge items: an image has at most one pending item, which absorbs new work. Work that a
        claimed or done item of the image already lists is not asked for again (so building the same input
        twice adds nothing), except that with ``reopen_done`` done items no longer count."""
        new_items = [i if isinstance(i, NewItem) else NewItem.from_dict(i) for i in items]
        with self._write() as now:
            outcomes = [self._upsert_one(item, now, reopen_done) for item in new_items]
            if new_items:
                self._recompute_priorities()
        return UpsertCounts(outcomes.count("added"), outcomes.count("merged"), outcomes.count("unchanged"))

    def push_review(self, image: str, reason: str, score: float | None,
                    details: Mapping[str, Any] | None = None) -> bool:
        """Ask for a review of ``image``; False when an open (pending or claimed) item already asks for it
        for ``reason``. Once that item is done, the same request makes a new item."""
        return self.push_reviews([(image, reason, score, details)]) == 1

    def push_reviews(self, requests: Iterable[tuple[str, str, float | None, Mapping[str, Any] | None]]) -> int:
        """Many :meth:`push_review` calls in one transaction; returns how many asked for something new."""
        items = [NewItem(image=image, action="review", reasons=(reason,), severity="warning", score=score,
                         details=dict(details or {})) for image, reason, score, details in requests]
        counts = self.upsert(items, reopen_done=True)
        return counts.added + counts.merged

    def claim(self, labeler: str, n: int = 1, lease_seconds: float = 3600,
              deliver: Callable[[list[Item]], object] | None = None) -> list[Item]:
        """Hand the ``n`` highest-priority pending items (ties by id) to ``labeler``, atomically.

        ``deliver`` is called with the items before the claim commits; if it raises, nothing is claimed.
        A caller renders what the labeler will see there, so a claim is never kept that cannot be shown.
        """
        if lease_seconds < 0:
            raise ValueError("lease_seconds must not be negative")
        with self._write() as now:
            self._expire_leases(now)
            ids = [r[0] for r in self._conn.execute(
                "SELECT id FROM items WHERE status = 'pending' ORDER BY priority DESC, id LIMIT ?", (max(n, 0),))]
            self._conn.executemany(
                "UPDATE items SET status = 'claimed', labeler = ?, claimed_at = ?, lease_seconds = ?, "
                "lease_expires = ? WHERE id = ?",
                [(labeler, _iso(now), float(lease_seconds), now + lease_seconds, i) for i in ids])
            by_id = {item.id: item for item in self._select_ids(ids)}
            claimed = [by_id[i] for i in ids]
            if deliver is not None:
                deliver(claimed)
        return claimed

    def release_undelivered(self, items: Iterable[Item]) -> int:
        """Return claimed items to pending, if they are still held under exactly that claim (the same
        labeler since the same time): for a claim whose items never reached the labeler."""
        keys = [(item.id, item.labeler, item.claimed_at) for item in items if item.status == "claimed"]
        with self._write():
            changed = 0
            for key in keys:
                changed += self._conn.execute(
                    "UPDATE items SET status = 'pending', labeler = NULL, claimed_at = NULL, lease_seconds = NULL, "
                    "lease_expires = NULL WHERE id = ? AND status = 'claimed' AND labeler = ? AND claimed_at = ?",
                    key).rowcount
        return changed

    def release(self, ids: Iterable[int], labeler: str | None = None) -> int:
        """Give claimed items back (pending, no labeler); returns how many changed. Unknown or done ids, or
        (with ``labeler``) items claimed by someone else, change nothing and raise. Pending ones are skipped."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        with self._write() as now:
            self._expire_leases(now)
            found = {item.id: item for item in self._select_ids(wanted)}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise UnknownItemsError(missing)
            done = [i for i in wanted if found[i].status == "done"]
            if done:
                raise NotReleasableError(f"item(s) {', '.join(map(str, done))} are done, not claimed")
            others = [i for i in wanted if found[i].status == "claimed" and labeler is not None
                      and found[i].labeler != labeler]
            if others:
                raise NotReleasableError("; ".join(f"item {i} is claimed by {found[i].labeler}, not {labeler}"
                                                   for i in others))
            claimed = [found[i] for i in wanted if found[i].status == "claimed"]
            self._return_to_pending(claimed)
        return len(claimed)

    def done(self, ids: Iterable[int]) -> int:
        """Mark items done; returns how many changed. Unknown ids change nothing and raise."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        with self._write() as now:
            found = {item.id: item for item in self._select_ids(wanted)}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise UnknownItemsError(missing)
            open_ids = [i for i in wanted if found[i].status != "done"]
            self._conn.executemany("UPDATE items SET status = 'done', done_at = ?, lease_expires = NULL "
                                   "WHERE id = ?", [(_iso(now), i) for i in open_ids])
        return len(open_ids)

    # --- reading ---------------------------------------------------------------------------------------

    def items(self, status: str | None = None) -> list[Item]:
        """All items (or those with ``status``) by id; expired claims are first returned to pending."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        with self._read() as now:
            # a writer has just reset lapsed claims, so the status column (and its index) is current
            where = f"WHERE {STATUS_NOW if self.readonly else 'status'} = :status" if status else ""
            rows = self._conn.execute(f"SELECT {ITEM_COLUMNS}, {STATUS_NOW} FROM items {where} ORDER BY id",
                                      {"now": now, "status": status})
            return [_item_now(row) for row in rows]

    def pending_images(self) -> set[str]:
        """Images with open work (pending or claimed, expired or not): what a trainer should hold back."""
        with self._refusals():
            rows = self._conn.execute("SELECT DISTINCT image FROM items WHERE status IN ('pending', 'claimed')")
            return {row[0] for row in rows}

    def stats(self) -> dict[str, Any]:
        """Counts by status, action and reason (an item counts once for each reason it lists)."""
        with self._read() as now:
            total = self._conn.execute("SELECT count(*) FROM items").fetchone()[0]
            by_status = dict(self._conn.execute(f"SELECT {STATUS_NOW} AS s, count(*) FROM items GROUP BY s",
                                                {"now": now}))
            by_action = dict(self._conn.execute("SELECT action, count(*) FROM items GROUP BY action"))
            by_reason = self._conn.execute("SELECT j.value, count(*) AS n FROM items, json_each(items.reasons) j "
                                           "GROUP BY j.value ORDER BY n DESC, j.value").fetchall()
        return {"total": total,
                "status": {s: by_status.get(s, 0) for s in STATUSES},
                "action": {a: by_action.get(a, 0) for a in ACTIONS},
                "reason": dict(by_reason)}

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals --------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[float]:
        """One write transaction; yields the time every change in it is stamped with. Any failure (a full
        disk, a damaged page) rolls the whole transaction back: no item is lost or handed out twice."""
        if self.readonly:
            raise QueueError(f"{self.path} was opened read-only")
        with self._refusals():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._clock()
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[float]:
        """A consistent view as of the yielded time; a writable queue also resets expired claims first."""
        if not self.readonly:
            with self._write() as now:
                self._expire_leases(now)
                yield now
            return
        with self._refusals():
            self._conn.execute("BEGIN")
            try:
                yield self._clock()
            finally:
                self._rollback()

    def _rollback(self) -> None:
        if self._conn.in_transaction:  # SQLite may already have rolled back (SQLITE_FULL and others)
            with suppress(sqlite3.Error):  # an unusable connection: the file keeps its last committed state
                self._conn.execute("ROLLBACK")

    @contextmanager
    def _refusals(self) -> Iterator[None]:
        """SQLite and JSON failures become a QueueError that names the file and the problem."""
        try:
            yield
        except (sqlite3.Error, orjson.JSONDecodeError) as exc:
            raise refusal(self.path, exc) from exc

    def _expire_leases(self, now: float) -> None:
        rows = self._conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE status = 'claimed' AND lease_expires < ?",
                                  (now,)).fetchall()
        self._return_to_pending([_item(row) for row in rows])

    def _return_to_pending(self, items: Sequence[Item]) -> None:
        """Claimed items go back to pending. New work may have opened a pending item for the same image
        meanwhile; it folds into the returned (older) item, so an image keeps one pending item."""
        self._conn.executemany("UPDATE items SET status = 'pending', labeler = NULL, claimed_at = NULL, "
                               "lease_seconds = NULL, lease_expires = NULL WHERE id = ?", [(i.id,) for i in items])
        folded = [self._fold_pending(image) for image in dict.fromkeys(i.image for i in items)]
        if any(folded):
            self._recompute_priorities()

    def _fold_pending(self, image: str) -> bool:
        rows = self._conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE image = ? AND status = 'pending' "
                                  "ORDER BY id", (image,)).fetchall()
        if len(rows) < 2:
            return False
        first, *later = (_item(row) for row in rows)
        for other in later:
            first = self._merge(first, _as_new(other))
            self._conn.execute("DELETE FROM items WHERE id = ?", (other.id,))
        return True

    def _select_ids(self, ids: Sequence[int]) -> list[Item]:
        items: list[Item] = []
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id IN ({marks})", chunk)
            items.extend(_item(row) for row in rows)
        return items

    def _upsert_one(self, new: NewItem, now: float, reopen_done: bool) -> str:
        """Merge into the image's pending item, or insert the part of the work no other item lists yet."""
        rows = self._conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE image = ? ORDER BY id",
                                  (new.image,)).fetchall()
        items = [_item(row) for row in rows]
        counted = [i for i in items if i.status == "claimed" or (i.status == "done" and not reopen_done)]
        covered = set().union(*(i.work.pairs() for i in counted))
        fresh = new.work.without(covered)
        if not fresh:  # all of it is asked for already: the input must not touch any item (idempotence)
            return "unchanged"
        pending = [i for i in items if i.status == "pending"]
        if pending:
            target = pending[-1]
            grows = bool(fresh.without(target.work.pairs()))
            self._merge(target, _replace_work(new, fresh))
            return "merged" if grows else "unchanged"
        self._insert(_replace_work(new, fresh), now)
        return "added"

    def _insert(self, new: NewItem, now: float) -> None:
        work = new.work
        self._conn.execute(
            "INSERT INTO items (image, objects, action, reasons, work, severity, spec, from_version, "
            "to_version, width, height, score, created_at, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new.image, _json(list(work.object_ids)), work.action, _json(list(work.reasons)), _json(work.to_json()),
             new.severity, new.spec, new.from_version, new.to_version, new.width, new.height, new.score, _iso(now),
             _json(dict(new.details))))

    def _merge(self, old: Item, new: NewItem) -> Item:
        work = old.work.merged(new.work)
        severity = worst_severity((old.severity, new.severity))
        score = old.score if new.score is None else new.score
        details = _merge_details(old.details, new.details)
        self._conn.execute(
            "UPDATE items SET objects = ?, action = ?, reasons = ?, work = ?, severity = ?, score = ?, details = ?, "
            "spec = coalesce(spec, ?), from_version = coalesce(from_version, ?), to_version = coalesce(to_version, ?), "
            "width = coalesce(width, ?), height = coalesce(height, ?) WHERE id = ?",
            (_json(list(work.object_ids)), work.action, _json(list(work.reasons)), _json(work.to_json()), severity,
             score, _json(details), new.spec, new.from_version, new.to_version, new.width, new.height, old.id))
        return _item(self._conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (old.id,)).fetchone())

    def _recompute_priorities(self) -> None:
        """Rarity depends on the whole queue, so adding work re-ranks every open item."""
        rows = self._conn.execute("SELECT id, reasons, details, severity, score, priority, status "
                                  "FROM items ORDER BY id").fetchall()
        keys = [_rarity_keys(orjson.loads(r[1]), orjson.loads(r[2])) for r in rows]
        changes = []
        for row, rarity_value in zip(rows, rarities(keys), strict=True):
            value = priority(row[3], rarity_value, row[4])
            if row[6] != "done" and value != row[5]:
                changes.append((value, row[0]))
        self._conn.executemany("UPDATE items SET priority = ? WHERE id = ?", changes)


def _rarity_keys(reasons: list[str], details: Mapping[str, Any]) -> list[str]:
    """What makes an item rare: its reasons and, for diff items, the changed targets (labels)."""
    targets = details.get("targets") if isinstance(details, Mapping) else None
    return [f"reason:{r}" for r in reasons] + [f"target:{t}" for t in targets or ()]


def _merge_details(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        previous = merged.get(key)
        if isinstance(previous, list) and isinstance(value, list):
            merged[key] = previous + [v for v in value if v not in previous]
        else:
            merged[key] = value
    return merged


def _replace_work(new: NewItem, work: Work) -> NewItem:
    return NewItem(image=new.image, severity=new.severity, spec=new.spec, from_version=new.from_version,
                   to_version=new.to_version, score=new.score, details=new.details, work=work, width=new.width,
                   height=new.height)


def _as_new(item: Item) -> NewItem:
    return NewItem(image=item.image, severity=item.severity, spec=item.spec, from_version=item.from_version,
                   to_version=item.to_version, score=item.score, details=item.details, work=item.work,
                   width=item.width, height=item.height)
def _item_now(row: Sequence[Any]) -> Item:
    """An item with its status as of now (the last column): a lapsed claim reads as pending."""
    item = _item(row[:-1])
    if row[-1] == item.status:
        return item
    return replace(item, status=row[-1], labeler=None, claimed_at=None, lease_seconds=None)


def _item(row: Sequence[Any]) -> Item:
    (id_, image, objects, action, reasons, priority, status, labeler, severity, spec, from_version,
     to_version, score, claimed_at, lease_seconds, done_at, created_at, details, work, width, height) = row
    return Item(id=id_, image=image, objects=tuple(orjson.loads(objects)), action=action,
                reasons=tuple(orjson.loads(reasons)), priority=priority, status=status, labeler=labeler,
                severity=severity, spec=spec, from_version=from_version, to_version=to_version, score=score,
                claimed_at=claimed_at, lease_seconds=lease_seconds, done_at=done_at, created_at=created_at,
                details=orjson.loads(details), work=Work.from_json(orjson.loads(work)), width=width, height=height)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
