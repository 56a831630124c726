"""The relabel queue: a SQLite file of work items built from `specc diff` and `specc check` output.

Importing this package loads neither torch nor numpy; see docs/queue.md.
"""

from __future__ import annotations

from specdsl.queue.item import ACTIONS, STATUSES, Item, NewItem, Work, strongest
from specdsl.queue.schema import SCHEMA_VERSION, QueueError
from specdsl.queue.sources import SOURCES, InputError, Source, items_from_documents, parse_text
from specdsl.queue.store import NotReleasableError, Queue, UnknownItemsError, UpsertCounts, open_queue

__all__ = [
    "ACTIONS",
    "SCHEMA_VERSION",
    "STATUSES",
    "InputError",
    "Item",
    "NewItem",
    "NotReleasableError",
    "Queue",
    "QueueError",
    "SOURCES",
    "Source",
    "UnknownItemsError",
    "UpsertCounts",
    "Work",
    "items_from_documents",
    "open_queue",
    "parse_text",
    "strongest",
]
