"""``specc stats SPEC EXPORT...``: distributions, slices, quota shortfalls and drift (ENGINE.md)."""

from __future__ import annotations

from specdsl.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, compile_or_exit, err_console, write_out
from specdsl.cli.exports import add_reader_options, load_or_exit

FORMATS = ("text", "json", "html")


def register(sub) -> None:
    parser = sub.add_parser("stats", help="what the data holds in the spec's terms: distributions, quotas, drift")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("exports", nargs="+", metavar="EXPORT",
                        help="annotation exports (counted together): files, folders of shards, quoted glob "
                        "patterns, URLs")
    parser.add_argument("--by", action="append", default=[], metavar="EXPR",
                        help="slice by an image or class attribute (image.weather, vehicle.blinker); repeatable")
    parser.add_argument("--against", nargs="+", metavar="OLD_EXPORT", help="older exports to measure drift from")
    parser.add_argument("--max-drift", type=float, metavar="X",
                        help="exit 1 when a distribution shifted by more than X (L-infinity or Jensen-Shannon)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output-file", "-o", metavar="FILE", help="write the output to FILE")
    add_reader_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.engine.stats import SliceBy, StatsError
    from specdsl.engine.stats_run import stats

    if args.max_drift is not None and not args.against:
        raise UsageError("--max-drift needs --against OLD_EXPORT")
    compiled = compile_or_exit(args.spec)
    spec = compiled.spec
    try:
        slices = [SliceBy.parse(text, spec) for text in args.by]
    except StatsError as exc:
        raise UsageError(str(exc)) from None
    sets = [_labels(spec, path, args) for path in args.exports]
    old = [_labels(spec, path, args) for path in args.against or []]
    record = stats(spec, sets, slices, old)
    _emit(_render(record, args, spec), args)
    return _exit_code(record, args)


def _labels(spec, path: str, args):
    from specdsl.data.inputs import export_name
    from specdsl.engine.labels import LabelSet

    labels = LabelSet.of(export_name(path), spec, load_or_exit(path, args, spec=spec), path)
    if labels.spec_name is not None and labels.spec_name != spec.name:
        raise UsageError(f"{path} is an export of spec '{labels.spec_name}', not '{spec.name}'")
    return labels


def _render(record: dict, args, spec) -> str:
    if args.format == "json":
        import orjson

        return orjson.dumps(record, option=orjson.OPT_INDENT_2).decode() + "\n"
    if args.format == "html":
        from specdsl.engine.stats_html import render_stats_html

        return render_stats_html(spec, record)
    from specdsl.engine.stats_text import render_stats_text

    return render_stats_text(record)


def _emit(text: str, args) -> None:
    if args.output_file:
        from specdsl.cli.common import write_output_file

        write_output_file(args.output_file, text)
    else:
        write_out(text)


def _exit_code(record: dict, args) -> int:
    if args.max_drift is None:
        return EXIT_OK
    from specdsl.engine.drift import largest

    worst = largest(record["drift"])
    if worst > args.max_drift:
        err_console().print(f"drift {worst:.4f} is above --max-drift {args.max_drift}", markup=False)
        return EXIT_FINDINGS
    return EXIT_OK
