"""``specc migrate SPEC EXPORT -o OUT``: apply the mechanical migrations (renames, defaults) to a native export."""

from __future__ import annotations

import argparse
from pathlib import Path

from specdsl.cli.common import EXIT_OK, UsageError, compile_or_exit, err_console, write_out

HELD_SHOWN = 10  # reasons printed on stderr; the rest are one `specc diff --labels` away


def register(sub) -> None:
    parser = sub.add_parser("migrate", help="apply mechanical migrations (renames, defaults) to an export",
                            description="Rewrite the labels of a native JSON/JSONL export for the spec's version "
                            "where only mechanical edits are needed (declared renames, defaults), and stamp them "
                            "with the new spec_version. Images that need a person are copied unchanged.")
    parser.add_argument("spec", help="the new spec: a file or PATH@GITREV")
    parser.add_argument("export", help="a native JSON or JSON Lines export; or a folder or glob pattern of shards")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="where to write (never the input); a folder for a folder or pattern of shards, "
                        "each shard written to its relative path under it")
    parser.add_argument("--history", metavar="REV-RANGE",
                        help="read older versions of SPEC from git, to migrate exactly what changed since each "
                        "image's version (without it only the `changes` blocks and the defaults are known); "
                        "unlike git, A..B includes A itself")
    parser.add_argument("--labeled-under", type=int, metavar="N",
                        help="the version of images whose export does not say (default: leave them alone)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="how to print the summary: text on stderr, or json on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from specdsl.cli.exports import expand_or_exit
    from specdsl.data.remote import is_url
    from specdsl.migrate import MigrationError, migrate_file

    spec = compile_or_exit(args.spec).spec
    if is_url(args.export) or is_url(args.output):
        raise UsageError("migrate reads and writes local files: copy the export here first")
    shards = expand_or_exit(args.export, "native")
    source, out = Path(args.export), Path(args.output)
    known = _history(args, spec) if args.history else {}
    try:
        if source.is_file():
            report = migrate_file(spec, source, out, known, args.labeled_under)
        else:
            from specdsl.migrate_shards import migrate_shards, shard_root

            report = migrate_shards(spec, shards, shard_root(args.export), out, known, args.labeled_under)
    except MigrationError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    _print(report, args, spec.version)
    return EXIT_OK


def _history(args: argparse.Namespace, spec) -> dict:
    from specdsl.diff.history import read_history
    from specdsl.gitrev import SpecReadError

    try:
        return read_history(args.spec, args.history, spec.name).specs
    except SpecReadError as exc:
        raise UsageError(str(exc)) from None


def _print(report, args: argparse.Namespace, version: int) -> None:
    if args.format == "json":
        import orjson

        held = [{"image": h.image, "reason": h.reason} for h in report.held]
        write_out(orjson.dumps({**report.to_dict(), "needs_person": held}).decode())
    if args.quiet:
        return
    console = err_console()
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    for held in report.held[:HELD_SHOWN]:
        console.print(f"needs a person: {held.image}: {held.reason}", highlight=False, soft_wrap=True)
    if len(report.held) > HELD_SHOWN:
        console.print(f"... and {len(report.held) - HELD_SHOWN} more images that need a person "
                      "(`specc diff --labels` lists them all)", highlight=False)
    console.print(f"{report.migrated} of {report.images} images migrated to version {version} "
                  f"({report.rewritten} rewritten); {report.needs_work} need a person "
                  f"(see `specc diff --labels`), {report.current} already current, "
                  f"{report.unknown_version} without spec_version (see --labeled-under)", highlight=False)
