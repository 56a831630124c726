"""``specc diff OLD NEW [--labels EXPORT...]``: changes between two spec versions and the labels they invalidate."""

from __future__ import annotations

import argparse

from specdsl.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    compile_or_exit,
    err_console,
    write_out,
    write_output_file,
)
from specdsl.cli.exports import add_reader_options, load_or_exit, reader_options
from specdsl.cli.gallery import add_gallery_options, diff_html, gallery_datasets
from specdsl.cli.scale import add_scale_options

FAIL_ON = ("breaking", "dangerous", "migratable", "safe", "none")


def register(sub) -> None:
    parser = sub.add_parser("diff", help="changes between two spec versions, and the labels they invalidate",
                            description="Compare two versions of a spec (files or PATH@GITREV) on their meaning; "
                            "with --labels, list the images and objects each change invalidates.")
    parser.add_argument("specs", nargs="+", metavar="SPEC", help="OLD NEW, or one SPEC with --against REV")
    parser.add_argument("--against", metavar="REV", help="compare SPEC as it was at git revision REV with SPEC")
    parser.add_argument("--labels", nargs="+", metavar="EXPORT", default=[], help="exports whose labels to assess")
    add_reader_options(parser)
    parser.add_argument("--labeled-under", type=int, metavar="N",
                        help="the spec version of images whose export does not say (default: OLD's version)")
    parser.add_argument("--history", metavar="REV-RANGE",
                        help="read older versions of NEW from git for labels made before OLD (e.g. v1..HEAD; "
                        "unlike git, A..B includes A itself)")
    parser.add_argument("--allow-rename", action="store_true", help="allow OLD and NEW to name different specs")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text",
                        help="output format (default: text)")
    parser.add_argument("-o", "--output-file", metavar="FILE", help="write the output to FILE instead of stdout")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="none",
                        help="exit 1 when a change is at or above this severity (default: %(default)s)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even with changes (2 still means broken input)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no notes on stderr")
    add_gallery_options(parser)
    add_scale_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from specdsl.data.readers.native import gc_paused
    from specdsl.diff import diff_specs
    from specdsl.diff.render import diff_document, render_json, render_text

    old_arg, new_arg = spec_pair(args.specs, args.against)
    old, new = compile_or_exit(old_arg).spec, compile_or_exit(new_arg).spec
    if old.name != new.name and not args.allow_rename:
        raise UsageError(f"{old_arg} is spec '{old.name}' but {new_arg} is spec '{new.name}' "
                         "(pass --allow-rename if the spec was renamed)")
    changes = diff_specs(old, new)
    kept = gallery_datasets(args)  # html: datasets to draw from until the sample is known; otherwise None
    impact = assess(args, old, new, new_arg, kept) if args.labels else None
    # the document of a fleet's impact is a dict per item and no garbage cycle: collecting mid-way is wasted work
    with gc_paused():
        if args.format == "json":
            text = render_json(diff_document(old, new, changes, impact))
        elif args.format == "html":
            text = diff_html(old, new, changes, impact, kept, args)
        else:
            text = render_text(old, new, changes, impact)
    _write(text, args.output_file)
    return _exit_code(changes, args)


def spec_pair(specs: list[str], against: str | None) -> tuple[str, str]:
    if against is not None:
        if len(specs) != 1:
            raise UsageError("--against REV takes exactly one SPEC (compared with itself at REV)")
        path = specs[0]
        return f"{path}@{against}", path
    if len(specs) != 2:
        raise UsageError("give OLD and NEW (files or PATH@GITREV), or one SPEC with --against REV")
    return specs[0], specs[1]


def assess(args: argparse.Namespace, old, new, new_arg: str, kept: list | None = None):
    """The impact on every ``--labels`` export. Each is assessed chunk by chunk, as ``specc check`` reads
    it (``--jobs``, ``--dask``); the html page draws from whole datasets, so it reads them whole."""
    from specdsl.diff.impact import analyze_impact, merge_impacts

    known = known_versions(args, old, new, new_arg)
    options = reader_options(args, old)
    if kept is None:
        impacts = _assess_in_chunks(args, known, new, old.version, options)
    else:
        impacts = []
        for path in args.labels:
            dataset = load_or_exit(path, args, options)
            impacts.append(analyze_impact(dataset, new, known, old.version, args.labeled_under))
            kept.append(dataset)
    impact = merge_impacts(impacts)
    if not args.quiet:
        for note in impact.notes:
            err_console().print(f"note: {note}", highlight=False)
    return impact


def _assess_in_chunks(args: argparse.Namespace, known: dict, new, default_version: int, options) -> list:
    from specdsl.cli.exports import expand_or_exit
    from specdsl.cli.scale import run_shard, scale_session
    from specdsl.diff.chunked import ImpactTask
    from specdsl.diff.impact import join_parts

    impacts = []
    with scale_session(args) as cluster:
        for export in args.labels:
            task = ImpactTask(new, known, default_version, args.labeled_under, options, export)
            parts = [run_shard(task, shard, args, cluster) for shard in expand_or_exit(export, args.input_format)]
            impacts.append(join_parts([part.impact for shard_parts in parts for part in shard_parts]))
    return impacts


def known_versions(args: argparse.Namespace, old, new, new_arg: str) -> dict:
    known = {}
    if args.history:
        from specdsl.diff.history import read_history
        from specdsl.gitrev import SpecReadError

        try:
            history = read_history(new_arg, args.history, new.name)
        except SpecReadError as exc:
            raise UsageError(str(exc)) from None
        known.update(history.specs)
        if history.skipped and not args.quiet:
            err_console().print(f"note: skipped {len(history.skipped)} revisions that do not hold a compiling "
                                f"'{new.name}' spec", highlight=False)
    known[old.version] = old
    known[new.version] = new
    return known


def _write(text: str, output_file: str | None) -> None:
    if output_file is None:
        write_out(text)
        return
    write_output_file(output_file, text)


def _exit_code(changes, args: argparse.Namespace) -> int:
    from specdsl.diff.model import at_or_above

    if args.exit_zero or args.fail_on == "none":
        return EXIT_OK
    return EXIT_FINDINGS if at_or_above(changes, args.fail_on) else EXIT_OK
