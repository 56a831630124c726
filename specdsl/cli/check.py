"""``specc check SPEC EXPORT...``: validate annotation exports against a spec."""

from __future__ import annotations

import dataclasses
import os
import sys

from specdsl.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_fail_on,
    compile_or_exit,
    err_console,
    write_out,
    write_output_file,
)
from specdsl.cli.exports import add_reader_options, load_or_exit
from specdsl.cli.gallery import add_gallery_options, check_context, gallery_datasets
from specdsl.cli.scale import add_scale_options, check_in_chunks, scale_session

FORMATS = ("text", "concise", "json", "jsonl", "sarif", "github", "junit", "gitlab", "html")


def register(sub) -> None:
    parser = sub.add_parser("check", help="validate annotation exports against a spec")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("exports", nargs="+", metavar="EXPORT",
                        help="annotation exports: files, folders of shards, quoted glob patterns, URLs")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("-o", "--output-file", metavar="FILE", help="write the formatted findings to FILE")
    add_reader_options(parser)
    parser.add_argument("--baseline", metavar="FILE", help="ignore findings recorded in this baseline")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline")
    parser.add_argument("--progress", choices=("auto", "bar", "plain", "none"), default="auto")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary on stderr")
    parser.add_argument("--docs-url", metavar="URL", help="base URL of the labeler docs, for help links")
    add_gallery_options(parser)
    add_fail_on(parser)
    add_scale_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.data.readers.native import gc_paused

    compiled = compile_or_exit(args.spec)
    spec = compiled.spec
    kept = gallery_datasets(args)  # html: datasets to draw from until the sample is known; otherwise None
    findings, images, objects = [], 0, 0
    with scale_session(args) as cluster:
        for export in args.exports:
            checked = check_in_chunks(export, args, spec, cluster)
            findings += checked.findings
            images += checked.images
            objects += checked.objects
            if kept is not None:  # the gallery draws objects from whole datasets: read the export again, whole
                kept.append(_load(export, args, spec))
    with gc_paused():  # findings and their records: many small objects and no garbage cycle
        report = _report(spec, findings, images, objects)
        report = _baseline(report, args)
        _emit(report, args, compiled, kept)
    if args.write_baseline:
        return EXIT_OK  # recording the known findings is the point of the run, not a failure
    return _exit_code(report, args)


def _load(export: str, args, spec):
    """The export read whole for the gallery's figures; its findings are the chunked check's, so that an
    HTML report lists exactly what every other format lists (duplicate image ids across chunks too)."""
    return load_or_exit(export, args, spec=spec)


def _report(spec, findings, images: int, objects: int):
    from specdsl.fix import finding_fixes
    from specdsl.report.finding import CheckReport, summarize

    ordered = tuple(sorted(finding_fixes(spec, findings), key=lambda f: f.sort_key()))
    return CheckReport(spec.name, spec.version, summarize(images, objects, ordered), ordered)


def _baseline(report, args):
    from specdsl.report.baseline import BaselineError, apply_baseline, write_baseline

    if args.write_baseline:
        try:
            written = write_baseline(args.write_baseline, report)
        except OSError as exc:
            raise UsageError(f"cannot write baseline {args.write_baseline}: {exc.strerror or exc}") from None
        err_console().print(f"wrote {written} finding{'s' if written != 1 else ''} to {args.write_baseline}",
                            markup=False, highlight=False, soft_wrap=True)
    if args.baseline:
        try:
            report, removed = apply_baseline(report, args.baseline)
        except (OSError, BaselineError) as exc:
            raise UsageError(f"cannot use baseline {args.baseline}: {exc}") from None
        if removed and not args.quiet:
            err_console().print(f"{removed} known finding{'s' if removed != 1 else ''} hidden by the baseline")
    return report


def _emit(report, args, compiled, kept=None) -> None:
    from specdsl.report import render, write_github_step_summary
    from specdsl.report.context import RenderContext
    from specdsl.report.locate import locate_findings

    color = args.format == "text" and not args.output_file and _color(sys.stdout)
    ctx = RenderContext(spec_path=args.spec, spec_text=compiled.source.text, exports=tuple(args.exports),
                        docs_url=args.docs_url, color=color, checks=compiled.spec.check_names(),
                        fail_on=args.fail_on)
    report = dataclasses.replace(report, findings=locate_findings(report.findings))
    if kept is not None:
        ctx = check_context(ctx, report, kept, compiled.spec, args)
        kept.clear()  # only the sampled images' objects are needed from here on
    text = render(args.format, report, ctx)
    if args.output_file:
        write_output_file(args.output_file, text)
        if not args.quiet:
            from specdsl.report.common import summary_line

            err_console().print(summary_line(report))
    elif color:
        from specdsl.cli.common import out_console

        out_console().print(text, end="", markup=True)  # the renderer escaped every piece of user text
    else:
        write_out(text)
    if args.format == "github":
        write_github_step_summary(report)


def _color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def _exit_code(report, args) -> int:
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if report.at_or_above(args.fail_on) else EXIT_OK


__all__ = ["register", "run", "EXIT_ERROR"]
