"""``specc suspect SPEC EXPORT... --predictions P.jsonl``: labels a model doubts (ENGINE.md)."""

from __future__ import annotations

import os

from specdsl.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, compile_or_exit, write_out
from specdsl.cli.exports import add_reader_options
from specdsl.cli.gallery import add_gallery_options, gallery_datasets
from specdsl.cli.select import add_prediction_options, predictions_or_exit, start_predictions_or_exit

FORMATS = ("text", "json", "jsonl", "sarif", "github", "junit", "gitlab", "concise", "html")


def register(sub) -> None:
    parser = sub.add_parser("suspect", help="labels that a model's predictions doubt (confident learning)")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("exports", nargs="+", metavar="EXPORT",
                        help="labeled exports: files, folders of shards, quoted glob patterns, URLs")
    add_prediction_options(parser)
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output-file", "-o", metavar="FILE", help="write the output to FILE")
    add_reader_options(parser)
    parser.add_argument("--fail-on", choices=("none", "error", "warning", "info"), default="none",
                        help="lowest finding severity that makes the exit code 1 (default: none: suspects report)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 whatever the findings")
    parser.add_argument("--docs-url", metavar="URL", help="base URL of the labeler docs, for help links")
    add_gallery_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.data.readers.native import gc_paused
    from specdsl.engine.suspect import SuspectError, suspect
    from specdsl.scale.run import usable_cores

    compiled = compile_or_exit(args.spec)
    spec = compiled.spec
    gallery_datasets(args)  # --images / --embed-images checked before the long part
    jobs = args.jobs or usable_cores()
    predictions, sets = _inputs(args, spec, jobs)
    # the rest makes many small objects (findings, their records) and no garbage cycles: the collector's
    # passes over them would only cost time (a fifth of the rendering at 1M objects); they are freed before
    # it runs again
    with gc_paused():
        try:
            report = suspect(spec, sets, predictions, jobs)
        except SuspectError as exc:
            raise UsageError(str(exc)) from None
        schema = [f for labels in sets for f in labels.schema_findings()]
        _write(render(report, schema, args, compiled, sets), args)
        code = _exit_code(report.findings + schema, args)
        del report, schema, predictions, sets
    return code


def _inputs(args, spec, jobs: int):
    """The predictions and the exports' label sets. An export read in two halves is read after the predictions'
    workers are done, not beside them: four processes sharing two cores spend a third more time each (caches).
    The predictions are joined while the first such export's second half is read in a child. Exports read in
    one pass (small ones, other formats) are read beside the workers. A problem of the predictions is reported
    before one of an export."""
    from specdsl.cli import export_halves
    from specdsl.engine.labels import LabelSet
    from specdsl.engine.pairing import load_solver

    pending = start_predictions_or_exit(args.predictions, spec, args.renormalize, args.jobs)
    load_solver()  # while the predictions are read in worker processes
    halves, joining = [], args.predictions
    for path in args.exports:
        halves.append(export_halves.plan(path, args, jobs, _share_here(path, joining)))
        joining = joining if halves[-1] is None else None
    datasets = {}
    try:
        for k, path in enumerate(args.exports):
            if halves[k] is None:
                datasets[k] = export_halves.load(path, args, None)
    except BaseException:
        predictions_or_exit(pending)  # its problem first
        raise
    pending.wait()
    joined: list = []

    def join_predictions() -> None:
        if not joined:
            joined.append(predictions_or_exit(pending))

    for k, path in enumerate(args.exports):
        if k not in datasets:
            datasets[k] = export_halves.load(path, args, halves[k], join_predictions)
    join_predictions()
    return joined[0], [LabelSet.of(path, spec, datasets[k], path) for k, path in enumerate(args.exports)]


# Nanoseconds per byte, measured at 1M objects: reading a native export, handing a half read in a child back,
# and joining the predictions' parts (done here before the first export's half).
READ_NS, HAND_BACK_NS, JOIN_NS = 27.5, 2.2, 0.55


def _share_here(export: str, joined: str | None) -> float:
    """The share of an export's images this process reads so that it ends with the child: the child hands its
    half back, and this process joins the predictions (``joined``) first."""
    try:
        export_bytes = os.path.getsize(export)
        join = JOIN_NS * os.path.getsize(joined) if joined else 0.0
    except OSError:
        return 0.5
    if not export_bytes:
        return 0.5
    share = (export_bytes * (READ_NS + HAND_BACK_NS) - join) / (export_bytes * (2 * READ_NS + HAND_BACK_NS))
    return min(0.6, max(0.25, share))


def _write(text: str, args) -> None:
    if args.output_file:
        from specdsl.cli.common import write_output_file

        write_output_file(args.output_file, text)
    else:
        write_out(text)


def render(report, schema: list, args, compiled, sets=()) -> str:
    """Schema findings of the labels first (a broken record is left out of the comparison), then the
    suspects, most suspect first, in every format."""
    import orjson

    findings = tuple(schema) + tuple(report.findings)
    if args.format == "json":
        document = {"spec": compiled.spec.name, "version": compiled.spec.version, "summary": report.summary(),
                    "findings": [f.to_dict() for f in findings]}
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if args.format == "text":
        return _text(report, schema)
    from specdsl.report import render as render_findings
    from specdsl.report.context import RenderContext
    from specdsl.report.finding import CheckReport, summarize

    check_report = CheckReport(compiled.spec.name, compiled.spec.version,
                               summarize(report.images, report.objects, findings), findings)
    ctx = RenderContext(spec_path=args.spec, spec_text=compiled.source.text, exports=tuple(args.exports),
                        docs_url=args.docs_url, fail_on="warning")
    if args.format == "html":
        from specdsl.cli.gallery import sets_context

        ctx = sets_context(ctx, check_report, sets, compiled.spec, args, by_labeler=False)
    return render_findings(args.format, check_report, ctx)


def _text(report, schema: list) -> str:
    lines = [f"{report.images} labeled image(s) compared with their predictions ({report.unpredicted} without a "
             f"prediction line); {report.matched} of {report.objects} labeled object(s) matched, "
             f"{report.predicted} predicted"]
    lines.append("thresholds: " + ", ".join(f"{c} {t:.3f}" for c, t in report.class_thresholds.items()))
    for key, values in report.value_thresholds.items():
        lines.append(f"  {key}: " + ", ".join(f"{v} {t:.3f}" for v, t in values.items()))
    for finding in schema:
        lines.append(f"{finding.source}#{finding.pointer}: {finding.check}: {finding.message}")
    lines.append(f"{len(report.findings)} suspect label(s), most suspect first:")
    for f in report.findings:
        where = f"{f.image} {','.join(f.objects)}" if f.objects else f"{f.image} prediction {f.prediction}"
        lines.append(f"  {f.score:.3f}  {f.check:<28} {where}: {f.message}")
    return "\n".join(lines) + "\n"


def _exit_code(findings: list, args) -> int:
    if args.exit_zero or args.fail_on == "none":
        return EXIT_OK
    from specdsl.report.finding import SEVERITY_RANK

    failed = [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.fail_on]]
    return EXIT_FINDINGS if failed else EXIT_OK
