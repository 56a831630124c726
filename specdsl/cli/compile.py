"""``specc compile SPEC``: compile only; ``--emit ir|jsonschema`` prints the IR or the export's JSON Schema."""

from __future__ import annotations

import orjson

from specdsl.cli.common import EXIT_OK, compile_or_exit, write_out


def register(sub) -> None:
    parser = sub.add_parser("compile", help="compile a spec and report its diagnostics")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("--emit", choices=("ir", "jsonschema"), help="print the compiled IR or the export JSON Schema")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="how to print diagnostics (json/sarif go to stdout)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.cli.common import SpecFailed

    try:
        result = compile_or_exit(args.spec, quiet=args.format != "text")
    except SpecFailed as failed:
        if args.format != "text":
            _print_diagnostics(args, failed.result)
        raise
    if args.format != "text":
        _print_diagnostics(args, result)
    if args.emit == "ir":
        from specdsl.ir import to_json

        write_out(orjson.dumps(to_json(result.spec), option=orjson.OPT_INDENT_2).decode())
    elif args.emit == "jsonschema":
        from specdsl.jsonschema_export import export_schema

        write_out(orjson.dumps(export_schema(result.spec), option=orjson.OPT_INDENT_2).decode())
    return EXIT_OK


def _print_diagnostics(args, result) -> None:
    from specdsl.diagnostics import to_json

    if args.format == "json":
        write_out(orjson.dumps([to_json(result.source, d) for d in result.diagnostics],
                               option=orjson.OPT_INDENT_2).decode())
    else:
        from specdsl.report import render_diagnostics_sarif

        write_out(render_diagnostics_sarif(result.source, result.diagnostics))
