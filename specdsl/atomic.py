"""Write a file all at once: a temporary file next to the target, renamed over it when complete.

Readers never see half a file under its final name. The temporary file is removed on any exception,
on Ctrl-C and on SIGTERM; only SIGKILL (or a power cut) can leave one behind, and its name says which
process made it (``.NAME.specc-tmp-HOST-PID``), so the next write to the same target removes the
leftovers of processes of this host that are gone.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_MARK = ".specc-tmp-"


def same_file(a: Path, b: Path) -> bool:
    """Whether writing ``b`` would write over ``a`` (the same path, or a link to it): outputs never replace inputs."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    return Path(b).exists() and os.path.samefile(a, b)


def write_atomically(path: Path, data: bytes, mode: int = 0o666, exact_mode: bool = False) -> None:
    """Replace ``path`` by ``data``. The new file gets ``mode`` less the umask, as any file this process
    creates (``open(path, "w")`` uses 0o666); ``exact_mode`` keeps ``mode`` as it is (rewriting a file in
    place keeps its permissions)."""
    path = Path(path)
    remove_stale_temporaries(path)
    temporary = path.with_name(f".{path.name}{TEMP_MARK}{_host()}-{os.getpid()}")
    with _terminate_raises():
        try:
            _write_new(temporary, data, mode)
            if exact_mode:
                os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def _write_new(temporary: Path, data: bytes, mode: int) -> None:
    temporary.unlink(missing_ok=True)  # our own pid's leftover: that process is this one, so it is stale
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode & 0o777)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporaries of ``path`` left by processes of this host that no longer run; returns them."""
    removed = []
    prefix = f".{path.name}{TEMP_MARK}{_host()}-"
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for candidate in candidates:
        pid = candidate.name[len(prefix):]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass  # not ours to remove (permissions): harmless, it is only a leftover
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def _host() -> str:
    return socket.gethostname().replace("/", "_") or "localhost"


class Terminated(SystemExit):
    """SIGTERM while a temporary file is open: unwinds like Ctrl-C so the temporary file is removed."""


@contextmanager
def _terminate_raises() -> Iterator[None]:
    """Turn SIGTERM into an exception while the temporary file exists (main thread only: Python delivers
    signals there; elsewhere the default action stays)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated(128 + signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    if previous is None:  # a handler installed outside Python: put back the default
        previous = signal.SIG_DFL
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
