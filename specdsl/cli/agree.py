"""``specc agree SPEC EXPORT EXPORT...``: agreement between labelers (ENGINE.md)."""

from __future__ import annotations

from specdsl.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, compile_or_exit, err_console, write_out
from specdsl.cli.exports import add_reader_options, load_or_exit
from specdsl.cli.gallery import add_gallery_options, gallery_datasets

FORMATS = ("text", "json", "jsonl", "sarif", "github", "junit", "gitlab", "concise", "html")


def register(sub) -> None:
    parser = sub.add_parser("agree", help="agreement between labelers' exports of the same images")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("exports", nargs="+", metavar="EXPORT",
                        help="one export per labeler (two or more); a folder or quoted glob pattern of shards "
                        "is one labeler's set")
    parser.add_argument("--names", metavar="A,B,...", help="labeler names (default: the exports' file stems)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output-file", "-o", metavar="FILE", help="write the output to FILE")
    add_reader_options(parser)
    parser.add_argument("--fail-on", choices=("none", "error", "warning", "info"), default="none",
                        help="lowest finding severity that makes the exit code 1 (default: none)")
    parser.add_argument("--min-kappa", type=float, metavar="K",
                        help="exit 1 when an attribute's kappa (alpha for 3+ labelers) is below K")
    parser.add_argument("--min-f1", type=float, metavar="F", help="exit 1 when a class's f1 is below F")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 whatever the agreement")
    parser.add_argument("--docs-url", metavar="URL", help="base URL of the labeler docs, for help links")
    add_gallery_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.engine.agree import AgreeError, agree
    from specdsl.engine.labels import LabelSet

    compiled = compile_or_exit(args.spec)
    gallery_datasets(args)  # --images / --embed-images checked before the long part
    sets = _one_export_split(compiled.spec, args) if len(args.exports) == 1 else [
        LabelSet.of(name, compiled.spec, load_or_exit(path, args, spec=compiled.spec), path)
        for name, path in zip(labeler_names(args.exports, args.names), args.exports)]
    try:
        report = agree(compiled.spec, sets)
    except AgreeError as exc:
        raise UsageError(str(exc)) from None
    _emit(report, args, compiled, sets)
    return exit_code(report, args)


def _one_export_split(spec, args) -> list:
    """One export holding several annotation sets per image, split per labeler (over all its shards)."""
    from specdsl.cli.exports import expand_or_exit, one_dataset
    from specdsl.engine.labels import LabelSet

    path = args.exports[0]
    shards = expand_or_exit(path, args.input_format)
    by_labeler = _split_shards(shards, args, spec)  # name -> ([shard...], [dataset...])
    if shards == [path]:
        parts = [(name, datasets[0]) for name, (_, datasets) in by_labeler.items()]
    else:
        parts = [(name, one_dataset(datasets, path, where)) for name, (where, datasets) in by_labeler.items()]
    if len(parts) < 2:
        raise UsageError(f"{path} holds one annotation set per image: give agree two or more exports")
    names = [name for name, _ in parts]
    if args.names:
        names = [n.strip() for n in args.names.split(",")]
        if len(names) != len(parts):
            raise UsageError(f"{path} holds {len(parts)} annotation sets: --names needs {len(parts)} names")
    return [LabelSet.of(name, spec, dataset, path) for name, (_, dataset) in zip(names, parts)]


def _split_shards(shards: list[str], args, spec) -> dict[str, tuple[list[str], list]]:
    """Each labeler's datasets of the shards they labeled in, labelers in order of first appearance."""
    from specdsl.cli.exports import reader_options
    from specdsl.data.readers import ReaderError
    from specdsl.engine.labels import split_by_labeler

    found: dict[str, tuple[list[str], list]] = {}
    for shard in shards:
        try:
            split = split_by_labeler(shard, args.input_format, reader_options(args, spec))
        except ReaderError as exc:
            raise UsageError(f"{exc.location()}: {exc.message}") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"{shard}: {exc}") from None
        for name, dataset in split:
            where, datasets = found.setdefault(name, ([], []))
            where.append(shard)
            datasets.append(dataset)
    return found


def labeler_names(exports: list[str], names: str | None) -> list[str]:
    if names is None:
        from specdsl.data.inputs import export_name

        stems = [export_name(e) for e in exports]
        return stems if len(set(stems)) == len(stems) else [f"{s}#{k + 1}" for k, s in enumerate(stems)]
    given = [n.strip() for n in names.split(",")]
    if len(given) != len(exports) or len(set(given)) != len(given) or not all(given):
        raise UsageError(f"--names needs {len(exports)} distinct names, one per export, separated by commas")
    return given


def _emit(report, args, compiled, sets=()) -> None:
    text = render(report, args, compiled, sets)
    if args.output_file:
        from specdsl.cli.common import write_output_file

        write_output_file(args.output_file, text)
    else:
        write_out(text)


def render(report, args, compiled, sets=()) -> str:
    import orjson

    if args.format == "json":
        return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
    from specdsl.report import render as render_findings
    from specdsl.report.context import RenderContext
    from specdsl.report.finding import CheckReport, summarize

    findings = tuple(report.findings)
    check_report = CheckReport(compiled.spec.name, compiled.spec.version,
                               summarize(report.images, report.objects, findings), findings)
    ctx = RenderContext(spec_path=args.spec, spec_text=compiled.source.text, exports=tuple(args.exports),
                        docs_url=args.docs_url, fail_on="warning")
    if args.format == "html":
        from specdsl.cli.gallery import sets_context

        ctx = sets_context(ctx, check_report, sets, compiled.spec, args, by_labeler=True)
    text = render_findings(args.format, check_report, ctx)
    if args.format == "text":
        from specdsl.engine.agree_text import summary_tables

        text = summary_tables(report) + "\n" + text
    return text


def exit_code(report, args) -> int:
    if args.exit_zero:
        return EXIT_OK
    failed = []
    if args.fail_on != "none":
        from specdsl.report.finding import SEVERITY_RANK

        failed += [f for f in report.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.fail_on]]
    if args.min_kappa is not None:
        failed += [k for k, v in report.attributes.items() if _below(v.get("kappa", v.get("alpha")), args.min_kappa)]
    if args.min_f1 is not None:
        failed += [k for k, v in report.classes.items() if _below(v["f1"], args.min_f1)]
    if args.min_kappa is not None or args.min_f1 is not None:
        _say_thresholds(report, args)
    return EXIT_FINDINGS if failed else EXIT_OK


def _below(value, threshold: float) -> bool:
    return value is not None and value < threshold


def _say_thresholds(report, args) -> None:
    console = err_console()
    for key, value in report.attributes.items():
        score = value.get("kappa", value.get("alpha"))
        if args.min_kappa is not None and _below(score, args.min_kappa):
            console.print(f"{key}: agreement {score:.3f} is below --min-kappa {args.min_kappa}", markup=False)
    for key, value in report.classes.items():
        if args.min_f1 is not None and _below(value["f1"], args.min_f1):
            console.print(f"{key}: f1 {value['f1']:.3f} is below --min-f1 {args.min_f1}", markup=False)
