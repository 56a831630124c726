"""``specc fix SPEC EXPORT... -o OUT``: apply the spec's declared fixes to native exports."""

from __future__ import annotations

import argparse
from pathlib import Path

from specdsl.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, compile_or_exit, err_console, write_out

UNRESOLVED_SHOWN = 10


def register(sub) -> None:
    parser = sub.add_parser("fix", help="apply the fixes the spec declares to an export",
                            description="Check native JSON/JSONL exports, apply the `fix` of every check that has "
                            "one, write the repaired copy (objects no fix touches are copied byte for byte), "
                            "check it again and print `N fixed, M remaining`. The input is never overwritten.")
    parser.add_argument("spec", help="the spec: a file or PATH@GITREV")
    parser.add_argument("exports", nargs="+", metavar="EXPORT", help="native JSON or JSON Lines exports")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="OUT", help="where to write the repaired export (one EXPORT)")
    where.add_argument("--output-dir", metavar="DIR", help="write each repaired export to DIR under its own name")
    parser.add_argument("--diff", action="store_true", help="print what would change, write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes declared `fix unsafe ...`")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="the summary: text on stderr, or json on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from specdsl.fix import FixError, fix_export, render_diff

    spec = compile_or_exit(args.spec).spec
    targets = _targets(args)
    reports = []
    for source, out in targets:
        if not source.is_file():
            raise UsageError(f"cannot read export {source}: " + ("a directory, not a file" if source.is_dir()
                                                                  else "no such file"))
        try:
            report = fix_export(spec, source, None if args.diff else out, unsafe=args.unsafe_fixes)
        except FixError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
        if args.diff:
            write_out(render_diff(report, out))
        reports.append(report)
    _print(reports, args)
    remaining_errors = any(f.severity == "error" for r in reports for f in r.remaining)
    return EXIT_FINDINGS if remaining_errors else EXIT_OK


def _targets(args: argparse.Namespace) -> list[tuple[Path, Path | None]]:
    sources = [Path(e) for e in args.exports]
    if args.output_dir:
        directory = Path(args.output_dir)
        if not directory.is_dir():
            raise UsageError(f"--output-dir {directory}: no such directory")
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise UsageError("two exports have the same file name: fix them into different directories")
        return [(s, directory / s.name) for s in sources]
    if args.output:
        if len(sources) > 1:
            raise UsageError("-o takes one export; use --output-dir DIR for several")
        return [(sources[0], Path(args.output))]
    if not args.diff:
        raise UsageError("say where to write: -o OUT (or --output-dir DIR), or --diff to only show the changes")
    return [(s, None) for s in sources]


def _print(reports, args: argparse.Namespace) -> None:
    if args.format == "json":
        import orjson

        write_out(orjson.dumps([r.to_dict() for r in reports]).decode())
    if args.quiet:
        return
    console = err_console()
    for report in reports:
        for finding, reason in report.unresolved[:UNRESOLVED_SHOWN]:
            console.print(f"not fixed: {finding.check} on {finding.image}: {reason}", highlight=False)
        unsafe = (f" ({report.skipped_unsafe} more with --unsafe-fixes)" if report.skipped_unsafe else "")
        name = f"{report.source}: " if len(reports) > 1 else ""
        console.print(f"{name}{report.fixed} fixed, {len(report.remaining)} remaining{unsafe}", highlight=False)
