"""Helpers shared by the sub-commands: exit codes, consoles, spec loading."""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A user error that is not a spec diagnostic: bad arguments, unreadable files. Exit 2."""


def _console(stderr: bool):
    """A console that prints strings as they are: no markup, no highlighting. What we print is mostly
    user text (file names, image ids, example titles, messages), and ``[/x]`` in it must print, not
    raise MarkupError. Style goes in explicitly, with :func:`styled` or ``rich.text.Text``."""
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    force = bool(os.environ.get("FORCE_COLOR"))
    return Console(stderr=stderr, no_color=no_color, force_terminal=True if force else None,
                   markup=False, highlight=False, soft_wrap=True)


def styled(label: str, style: str, text: str = ""):
    """``label`` in ``style``, then ``text`` exactly as it is (never read as markup)."""
    from rich.text import Text

    return Text.assemble((label, style), f" {text}" if text else "")


def out_console():
    return _console(False)


def err_console():
    return _console(True)


def write_out(text: str) -> None:
    """Data goes to stdout unstyled."""
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def add_fail_on(parser, default: str = "error") -> None:
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default=default,
                        help="lowest severity that makes the exit code 1 (default: %(default)s)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even with findings (2 still means broken input)")


def compile_or_exit(spec_arg: str, *, quiet: bool = False):
    """Compile a spec argument (path or PATH@REV); on errors raise :class:`SpecFailed`, after printing the
    diagnostics to stderr unless ``quiet`` (the caller prints them in a machine format)."""
    from specdsl import compile_cache
    from specdsl.gitrev import SpecReadError, read_source

    try:
        source = read_source(spec_arg)
    except SpecReadError as exc:
        raise UsageError(str(exc)) from None
    result = compile_cache.load(source)
    if result is None:
        from specdsl.compiler import compile_source

        result = compile_source(source)
        compile_cache.store(result)
    if result.diagnostics and not quiet:
        from specdsl.diagnostics import render_all

        sys.stderr.write(render_all(result.source, result.diagnostics) + "\n")
    if not result.ok:
        raise SpecFailed(result)
    return result


class SpecFailed(Exception):
    """The spec did not compile; diagnostics were printed. Exit 2."""

    def __init__(self, result):
        self.result = result


def write_output_file(path, text: str) -> None:
    """A command's output under its final name all at once (see :mod:`specdsl.atomic`), or a usage error."""
    from pathlib import Path

    from specdsl.atomic import write_atomically

    try:
        write_atomically(Path(path), text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
