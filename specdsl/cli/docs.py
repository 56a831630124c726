"""``specc docs SPEC -o OUT.html [--since N | --against REV] [--labels EXPORT...]``: labeler instructions."""

from __future__ import annotations

import os
from pathlib import Path

from specdsl.cli.common import EXIT_OK, UsageError, compile_or_exit, err_console, write_out
from specdsl.cli.exports import add_reader_options, load_or_exit


def register(sub) -> None:
    parser = sub.add_parser("docs", help="labeler instructions as one self-contained HTML page")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("-o", "--output", metavar="OUT.html", help="write the page here (default: stdout)")
    since = parser.add_mutually_exclusive_group()
    since.add_argument("--since", type=int, metavar="N",
                       help="start with what changed since version N (read from git when the history holds it, "
                       "else the spec's own `changes` blocks)")
    since.add_argument("--against", metavar="REV",
                       help="start with what changed since SPEC as it was at git revision REV")
    parser.add_argument("--labels", nargs="+", metavar="EXPORT",
                        help="count the labeled objects each change affects (needs --since or --against)")
    add_reader_options(parser, "the --labels exports")
    parser.add_argument("--assets-dir", metavar="DIR",
                        help="write the CSS to DIR/specdsl.css and link it, for hosts that forbid inline styles")
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.docs import render_docs

    if args.labels and args.since is None and args.against is None:
        raise UsageError("--labels needs --since N or --against REV: it counts what those changes affect")
    spec = compile_or_exit(args.spec).spec
    old = _old_spec(args) if args.against else None
    since = old.version if old is not None else args.since
    changes, known = None, {old.version: old} if old is not None else {}
    if since is not None and old is None:
        changes, known = _changes_since(args, spec, since)
    elif old is not None:
        from specdsl.diff import diff_specs

        changes = diff_specs(old, spec)
    impact = _impact(args, spec, known, since) if args.labels else None
    href = _assets(args) if args.assets_dir else None
    html = render_docs(spec, changes=changes, impact=impact, assets_dir=href, since=since)
    _write(args.output, html)
    return EXIT_OK


def _old_spec(args):
    from specdsl.gitrev import split_rev

    path, _ = split_rev(args.spec)
    return compile_or_exit(f"{path}@{args.against}").spec


def _changes_since(args, spec, since: int) -> tuple[list, dict]:
    """The changes since version ``since`` and the versions at hand (read from git when it has them)."""
    from specdsl.docs.changes import changes_since

    changes, known, notes = changes_since(spec, args.spec, since)
    _print_notes(notes)
    return changes, known


def _impact(args, spec, known: dict, since: int):
    from specdsl.docs.changes import label_impact

    datasets = [load_or_exit(path, args, spec=spec) for path in args.labels]
    impact = label_impact(datasets, spec, known, since)
    _print_notes(impact.notes)
    return impact


def _print_notes(notes) -> None:
    for note in notes:
        err_console().print(f"[yellow]note:[/] {note}", highlight=False)


def _assets(args) -> str:
    """Write the stylesheet into the assets folder; the page links it relative to where the page is."""
    from specdsl.docs import STYLESHEET_NAME, stylesheet

    folder = Path(args.assets_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STYLESHEET_NAME).write_text(stylesheet(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {folder / STYLESHEET_NAME}: {exc.strerror or exc}") from None
    page_dir = Path(args.output).resolve().parent if args.output else Path.cwd()
    return Path(os.path.relpath(folder.resolve(), page_dir)).as_posix()


def _write(output: str | None, html: str) -> None:
    if output is None:
        write_out(html)
        return
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


__all__ = ["register", "run"]
