"""``specc export-config SPEC --target label-studio|cvat [-o FILE]``: a labeling tool's config from the spec."""

from __future__ import annotations

from pathlib import Path

from specdsl.cli.common import EXIT_OK, UsageError, compile_or_exit, err_console, styled, write_out


def register(sub) -> None:
    from specdsl.configs import TARGETS

    parser = sub.add_parser("export-config", help="labeling-tool config (Label Studio XML, CVAT labels JSON)")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("--target", required=True, choices=tuple(TARGETS), help="the labeling tool")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the config here (default: stdout)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.configs import export_config

    spec = compile_or_exit(args.spec).spec
    config = export_config(spec, args.target)
    for warning in config.warnings:  # what the tool cannot express: said, not dropped silently
        err_console().print(styled("warning:", "yellow", warning))
    if args.output is None:
        write_out(config.text)
        return EXIT_OK
    try:
        Path(args.output).write_text(config.text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return EXIT_OK


__all__ = ["register", "run"]
