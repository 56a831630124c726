"""``specc fmt SPEC... [--check] [--diff]``: canonical formatting, comments kept.

Files are rewritten in place (atomically, and only when they change); a directory stands for every
``*.spec`` file under it; ``-`` reads stdin and writes stdout. ``--check`` and ``--diff`` write nothing.
A file with syntax errors gets its diagnostics on stderr and exit code 2; the other files are still
processed.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from specdsl.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, err_console
from specdsl.diagnostics import render_all
from specdsl.source import Source
from specdsl.syntax.parser import ParseFailure
from specdsl.syntax.printer import format_source, normalize_newlines

STDIN = "-"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fmt", help="format spec files canonically (comments are kept)",
        description="Rewrite spec files in the canonical layout. '-' formats stdin to stdout.")
    parser.add_argument("specs", nargs="+", metavar="SPEC",
                        help="spec files, directories (every *.spec under them), or '-' for stdin")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a file is not formatted, listing it on stderr")
    parser.add_argument("--diff", action="store_true",
                        help="write nothing; print a unified diff of the changes")
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class _Outcome:
    changed: bool = False
    failed: bool = False


def run(args: argparse.Namespace) -> int:
    outcomes = [_format_one(name, args) for name in _expand(args.specs)]
    if any(o.failed for o in outcomes):
        return EXIT_ERROR
    if args.check and any(o.changed for o in outcomes):
        return EXIT_FINDINGS
    return EXIT_OK


def _expand(names: list[str]) -> list[str]:
    """Directories replaced by the ``*.spec`` files under them, in sorted order."""
    expanded: list[str] = []
    for name in names:
        if name != STDIN and Path(name).is_dir():
            expanded += sorted(str(p) for p in Path(name).rglob("*.spec") if p.is_file())
        else:
            expanded.append(name)
    return expanded


def _format_one(name: str, args: argparse.Namespace) -> _Outcome:
    label = "<stdin>" if name == STDIN else name
    original = _read(name, label)
    if original is None:
        return _Outcome(failed=True)
    try:
        formatted = format_source(original, label)
    except ParseFailure as failure:
        _report(render_all(Source(label, normalize_newlines(original)), failure.diagnostics))
        return _Outcome(failed=True)
    changed = formatted != original
    if args.diff and changed:
        sys.stdout.write(unified_diff(original, formatted, label))
    if args.check and changed:
        _report(f"would reformat {label}")
    if not (args.check or args.diff):
        _write(name, formatted, changed)
    return _Outcome(changed=changed)


def _read(name: str, label: str) -> str | None:
    try:
        if name == STDIN:
            return sys.stdin.read()
        with open(name, encoding="utf-8", newline="") as handle:  # newline="": CRLF counts as a change
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        _report(f"error: cannot read {label}: {exc}")
        return None


def _write(name: str, formatted: str, changed: bool) -> None:
    if name == STDIN:
        sys.stdout.write(formatted)
    elif changed:
        write_atomically(Path(name), formatted)
        _report(f"reformatted {name}")


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by a fully written temporary file, so a crash never leaves half a spec."""
    from specdsl.atomic import write_atomically as write_bytes

    write_bytes(path, text.encode("utf-8"), mode=path.stat().st_mode & 0o7777, exact_mode=True)


def unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=name, tofile=name)
    marker = "\n\\ No newline at end of file\n"
    return "".join(line if line.endswith("\n") else line + marker for line in lines)


def _lines(text: str) -> list[str]:
    """Lines with their ends, split at '\\n' only (``str.splitlines`` also splits at form feeds)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _report(text: str) -> None:
    err_console().print(text, markup=False, highlight=False)
