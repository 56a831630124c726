"""Helpers shared by the sub-commands: exit codes, consoles, spec loading."""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A user error that is not a spec diagnostic: bad arguments, unreadable files. Exit 2."""


def _console(stderr: bool):
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    force = bool(os.environ.get("FORCE_COLOR"))
    return Console(stderr=stderr, no_color=no_color, force_terminal=True if force else None,
                   highlight=False, soft_wrap=True)


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


def write_output_file(path: str, text: str) -> None:
    """Write a command's output to ``path`` all at once: a temporary file beside it, renamed into place."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
