"""One piece of work in a forked child process, while this process does another.

The child inherits everything (nothing is pickled on the way in) and sends back its pickled result. A
child that fails for any reason sends nothing: :meth:`Child.result` is then None and the caller does the
work itself, so an error surfaces from the parent exactly as without the child.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable


class Child:
    def __init__(self, process, receive):
        self.process, self.receive = process, receive

    def result(self):
        """The child's result, or None when it failed (waits for it)."""
        try:
            payload = self.receive.recv_bytes()
        except (EOFError, OSError):
            payload = b""
        finally:
            self.receive.close()
            self.process.join()
        return pickle.loads(payload) if payload else None

    def stop(self) -> None:
        """End the child now (its result is no longer wanted)."""
        if self.process.is_alive():
            self.process.kill()
        self.receive.close()
        self.process.join()


def in_child(work: Callable[[], object]) -> Child | None:
    """``work()`` started in a forked child; None where forking is not possible."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return None
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(send, work), daemon=True)
    try:
        process.start()
    except OSError:  # out of processes or memory: the caller does the work
        receive.close()
        send.close()
        return None
    send.close()
    return Child(process, receive)


def _run(send, work) -> None:
    try:
        payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the parent does the work itself and reports what goes wrong
        payload = b""
    try:
        send.send_bytes(payload)
    finally:
        send.close()
