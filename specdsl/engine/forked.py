"""One piece of work in a forked child process, while this process does another.

The child inherits everything (nothing is pickled on the way in) and sends back its pickled result. The
memory of its arrays (pickle protocol 5's out-of-band buffers) goes apart from the pickle: into a shared
memory region the parent mapped before the fork when ``shared_bytes`` gives one and they fit, so that the
child writes them while the parent is still busy and the parent maps them without a copy; through the
pipe otherwise, received straight into the arrays' memory. A child that fails for any reason sends
nothing: :meth:`Child.result` is then None and the caller does the work itself, so an error surfaces from
the parent exactly as without the child.
"""

from __future__ import annotations

import gc
import mmap
import pickle
from collections.abc import Callable

import numpy as np

ALIGN = 64  # each buffer in the shared region starts at a multiple of this


class Child:
    def __init__(self, process, receive, shared: mmap.mmap | None):
        self.process, self.receive, self.shared = process, receive, shared

    def result(self):
        """The child's result, or None when it failed (waits for it)."""
        try:
            layout = self.receive.recv_bytes()
            payload = self.receive.recv_bytes() if layout else b""
            buffers = [self._buffer(place) for place in pickle.loads(layout)] if layout else []
        except (EOFError, OSError):
            payload = b""
        finally:
            self.receive.close()
        if not payload:
            self.process.join()
            return None
        # the child has sent everything and only ends now: the teardown of its memory (a few hundredths of a
        # second for a large part) is not waited for; multiprocessing reaps it at its next start or at exit
        return pickle.loads(payload, buffers=buffers)

    def _buffer(self, place: tuple[int, int]):
        """(offset, size) in the shared region; offset -1: the next message on the pipe."""
        offset, size = place
        if offset >= 0:
            return memoryview(self.shared)[offset:offset + size]
        buffer = np.empty(size, np.uint8)  # not zeroed: the message fills it
        self.receive.recv_bytes_into(buffer)
        return buffer

    def stop(self) -> None:
        """End the child now (its result is no longer wanted)."""
        if self.process.is_alive():
            self.process.kill()
        self.receive.close()
        self.process.join()


def in_child(work: Callable[[], object], shared_bytes: int = 0) -> Child | None:
    """``work()`` started in a forked child; None where forking is not possible. ``shared_bytes``: the size of
    the shared region for the result's arrays (mapped now, backed by memory only where written)."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return None
    try:
        shared = mmap.mmap(-1, shared_bytes) if shared_bytes > 0 else None
    except (OSError, ValueError):  # no such mapping here: the pipe carries everything
        shared = None
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(send, _Job(work, shared)), daemon=True)
    try:
        process.start()
    except OSError:  # out of processes or memory: the caller does the work
        receive.close()
        send.close()
        return None
    send.close()
    return Child(process, receive, shared)


class _Job:
    """The work and the shared region its result's arrays go to."""

    def __init__(self, work: Callable[[], object], shared: mmap.mmap | None):
        self.work, self.shared = work, shared

    def __call__(self):
        return self.work()


def _run(send, job: _Job) -> None:
    # the child ends with its one piece of work, and its memory with it: the collector's passes over what the
    # work builds (a whole dataset) would only cost time
    gc.disable()
    try:
        buffers: list[pickle.PickleBuffer] = []
        payload = pickle.dumps(job(), protocol=5, buffer_callback=buffers.append)
        layout, piped = _place([buffer.raw() for buffer in buffers], job.shared)
        messages = [pickle.dumps(layout), payload, *piped]
    except BaseException:  # noqa: BLE001 - the parent does the work itself and reports what goes wrong
        messages = [b""]
    try:
        for message in messages:
            send.send_bytes(message)
    finally:
        send.close()


def _place(memory: list[memoryview], shared: mmap.mmap | None) -> tuple[list[tuple[int, int]], list[memoryview]]:
    """Each buffer copied into the shared region while it has room (its (offset, size)), the others left for
    the pipe ((-1, size), in order)."""
    layout, piped, offset = [], [], 0
    for buffer in memory:
        size = buffer.nbytes
        if shared is not None and offset + size <= len(shared):
            shared[offset:offset + size] = buffer.cast("B")
            layout.append((offset, size))
            offset += -(-size // ALIGN) * ALIGN
        else:
            layout.append((-1, size))
            piped.append(buffer)
    return layout, piped
