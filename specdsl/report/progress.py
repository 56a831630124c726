"""Progress of a long ``specc check`` on stderr: a rich bar on a terminal, sparse lines in CI logs."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Protocol, Self

import msgspec

MODES = ("auto", "bar", "plain", "none")
PLAIN_INTERVAL_S = 2.0  # a CI log wants a heartbeat, not a line per batch


class ProgressSink(Protocol):
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...


class _ContextManager:
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        pass

    def rescale(self, completed: int, total: int | None) -> None:
        """A new measure for a bar; lines and silence have none."""


class NullProgress(_ContextManager):
    def advance(self, n: int = 1) -> None:
        pass


class PlainProgress(_ContextManager):
    """``checked 12000/50000 images (24%)`` at most every ``interval`` seconds; silent on short runs."""

    def __init__(self, total: int | None, unit: str, stream: IO[str], *, interval: float = PLAIN_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic, describe: Callable[[], str] | None = None):
        self.total, self.unit, self.stream = total, unit, stream
        self.describe = describe  # the line's text, when more than one count is shown (chunks and images)
        self.interval, self.clock = interval, clock
        self.done = 0
        self._start = self._last = clock()
        self._printed = self._closed = False

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self._last >= self.interval:
            self._last = now
            self._emit(self._line())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._printed:  # a run that said nothing while running needs no closing line either
            self._emit(f"{self._line()} in {self.clock() - self._start:.1f} s")

    def _line(self) -> str:
        if self.describe is not None:
            return self.describe()
        if not self.total:
            return f"checked {self.done} {self.unit}"
        percent = min(100, self.done * 100 // self.total)
        return f"checked {self.done}/{self.total} {self.unit} ({percent}%)"

    def _emit(self, line: str) -> None:
        self._printed = True
        self.stream.write(line + "\n")
        self.stream.flush()


class BarProgress(_ContextManager):
    """A transient rich bar: it disappears when done so that the summary line stands alone."""

    def __init__(self, total: int | None, unit: str, stream: IO[str], *, force_terminal: bool | None,
                 no_color: bool, describe: Callable[[], str] | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=stream, force_terminal=force_terminal, no_color=no_color, highlight=False)
        counts = [MofNCompleteColumn(), TextColumn(unit)] if describe is None else [TextColumn("{task.description}")]
        self._progress = Progress(TextColumn("checking"), BarColumn(), *counts, TimeRemainingColumn(),
                                  console=console, transient=True)
        self.describe = describe  # the counts as text (chunks and images); the bar then shows ``completed``
        self._task = self._progress.add_task(describe() if describe else "check", total=total)
        self._progress.start()
        self._closed = False

    def advance(self, n: int = 1) -> None:
        if self.describe is None:
            self._progress.advance(self._task, n)
        else:
            self._progress.update(self._task, advance=n, description=self.describe())

    def rescale(self, completed: int, total: int | None) -> None:
        """A new measure of the bar (the totals grew, or the measure changed from images to bytes)."""
        description = self.describe() if self.describe else "check"
        self._progress.update(self._task, completed=completed, total=total, description=description)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._progress.stop()


def make_progress(mode: str, total: int | None, unit: str, *, stream: IO[str] | None = None,
                  environ: Mapping[str, str] | None = None, describe: Callable[[], str] | None = None,
                  interval: float = PLAIN_INTERVAL_S) -> ProgressSink:
    """``auto``: a bar when stderr is an interactive terminal, periodic lines in CI or a pipe.
    ``describe``: the counts as text, for a progress of several counts (see report/check_progress.py)."""
    if mode not in MODES:
        raise ValueError(f"unknown progress mode {mode!r} (choose from {', '.join(MODES)})")
    env = os.environ if environ is None else environ
    stream = sys.stderr if stream is None else stream
    if mode == "none":
        return NullProgress()
    if mode == "auto":
        mode = "bar" if _interactive(stream, env) else "plain"
    if mode == "plain":
        return PlainProgress(total, unit, stream, describe=describe, interval=interval)
    return BarProgress(total, unit, stream, force_terminal=True, no_color=bool(env.get("NO_COLOR")),
                       describe=describe)


def _interactive(stream: IO[str], env: Mapping[str, str]) -> bool:
    if env.get("CI", "").lower() in ("true", "1") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Lists(msgspec.Struct):
    images: list[msgspec.Raw] | None = None
    frames: list[msgspec.Raw] | None = None


def expected_records(path: Path, fmt: str | None = None) -> int | None:
    """How many records reading ``path`` will yield, counted from its bytes without decoding values,
    so that progress can say ``12000/50000 (24%)``; None when that cannot be told cheaply (Label
    Studio yields one record per annotation, CVAT video one per frame) or the file is unreadable."""
    from specdsl.data.readers import ReaderError, detect_format

    try:
        fmt = fmt or detect_format(path)
        if path.is_dir():
            pattern = {"culane": "*.lines.txt", "openlane": "*.json"}.get(fmt)
            return sum(1 for p in path.rglob(pattern) if p.is_file()) if pattern else None
        if fmt in ("culane", "openlane"):
            return 1
        return _count_in_file(path, fmt)
    except (OSError, ReaderError, ValueError, RecursionError, msgspec.MsgspecError):
        return None  # no total: the progress counts without one, and the reader reports what is wrong


def _count_in_file(path: Path, fmt: str) -> int | None:
    from specdsl.data.readers.native import is_json_lines

    data = path.read_bytes()
    if fmt == "tusimple" or (fmt == "native" and is_json_lines(path, data)):
        return _non_blank_lines(data)
    if fmt == "cvat":
        return None if b"<track" in data else data.count(b"<image ")
    if fmt in ("native", "coco", "scalabel"):
        return _raw_list_length(data)
    return None


def _non_blank_lines(data: bytes) -> int:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(0, lines - data.count(b"\n\n") - (1 if data.startswith(b"\n") else 0))


def _raw_list_length(data: bytes) -> int | None:
    """Length of a top-level list, or of its ``images`` / ``frames`` list: msgspec checks the JSON
    and keeps the elements as raw bytes, which is a small part of the cost of decoding them."""
    document = msgspec.json.decode(data, type=list[msgspec.Raw] | _Lists)
    if isinstance(document, list):
        return len(document)
    found = document.images if document.images is not None else document.frames
    return None if found is None else len(found)
