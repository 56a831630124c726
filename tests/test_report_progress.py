"""Progress on stderr: a bar on a terminal, sparse lines in CI and pipes, nothing when quiet."""

from __future__ import annotations

import io
import os
import re

import pytest

from specdsl.report.progress import BarProgress, NullProgress, PlainProgress, make_progress


class Clock:
    """A clock the test moves by hand, so that the 2-second spacing is checked without sleeping."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_none_mode_says_nothing() -> None:
    stream = io.StringIO()
    with make_progress("none", 10, "images", stream=stream) as progress:
        progress.advance(10)
    assert isinstance(progress, NullProgress)
    assert stream.getvalue() == ""


def test_plain_lines_come_at_most_every_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = PlainProgress(50000, "images", stream, interval=2.0, clock=clock)
    progress.advance(6000)           # t=0: too soon
    clock.now += 2.5
    progress.advance(6000)           # t=2.5: a line
    clock.now += 1.0
    progress.advance(1000)           # t=3.5: too soon after the last line
    clock.now += 1.5
    progress.advance(1000)           # t=5.0: a line
    clock.now += 0.4
    progress.close()
    progress.close()                 # closing twice prints once
    assert stream.getvalue().splitlines() == [
        "checked 12000/50000 images (24%)", "checked 14000/50000 images (28%)",
        "checked 14000/50000 images (28%) in 5.4 s"]


def test_plain_is_silent_on_short_runs_and_copes_without_a_total() -> None:
    stream, clock = io.StringIO(), Clock()
    with PlainProgress(None, "objects", stream, clock=clock) as progress:
        progress.advance(5)
    assert stream.getvalue() == ""
    progress = PlainProgress(None, "objects", stream, interval=0.0, clock=clock)
    progress.advance(7)
    assert stream.getvalue() == "checked 7 objects\n"


def test_auto_is_plain_off_a_terminal_and_in_ci() -> None:
    assert isinstance(make_progress("auto", 5, "images", stream=io.StringIO(), environ={}), PlainProgress)
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        assert isinstance(make_progress("auto", 5, "images", stream=tty, environ={"CI": "true"}), PlainProgress)
        assert isinstance(make_progress("auto", 5, "images", stream=tty, environ={"TERM": "dumb"}), PlainProgress)
        bar = make_progress("auto", 5, "images", stream=tty, environ={"TERM": "xterm"})
        assert isinstance(bar, BarProgress)
        bar.close()
    os.close(master)


def test_bar_draws_and_clears_itself_and_honours_no_color() -> None:
    stream = io.StringIO()
    with make_progress("bar", 10, "images", stream=stream, environ={"NO_COLOR": "1"}) as progress:
        progress.advance(10)
    output = stream.getvalue()
    assert "checking" in output
    assert "10/10" in output
    assert "images" in output
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", output)  # no foreground colours
    coloured = io.StringIO()
    with make_progress("bar", 10, "images", stream=coloured, environ={}) as progress:
        progress.advance(10)
    assert re.search(r"\x1b\[[0-9;]*3[0-9]m", coloured.getvalue())


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown progress mode 'fancy'"):
        make_progress("fancy", 1, "images")
