"""Where the torch hook finds the queue: a path, an open :class:`~specdsl.queue.Queue`, or nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from specdsl.queue import Queue, open_queue

QueueLike = Queue | str | os.PathLike | None


@contextmanager
def borrowed_queue(queue: QueueLike, create: bool) -> Iterator[Queue | None]:
    """Open a path for the duration of one use (a trainer should not hold the file open across epochs)."""
    if queue is None or isinstance(queue, Queue):
        yield queue
        return
    path = Path(queue)
    if not create and not path.exists():
        yield None  # no queue yet means nothing is held back
        return
    opened = open_queue(path, create=create)
    try:
        yield opened
    finally:
        opened.close()


def read_pending_images(queue: QueueLike) -> frozenset[str]:
    with borrowed_queue(queue, create=False) as opened:
        return frozenset(opened.pending_images()) if opened is not None else frozenset()
