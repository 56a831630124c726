"""Entry point of ``specc``: one sub-command per module, listed explicitly in ``COMMANDS``."""

from __future__ import annotations

import argparse
import importlib
import sys

from specdsl import __version__
from specdsl.cli.common import EXIT_ERROR, SpecFailed, UsageError, err_console, styled

# Each module defines ``register(subparsers)``; the order here is the order of ``specc --help``.
COMMANDS = (
    "specdsl.cli.check",
    "specdsl.cli.compile",
    "specdsl.cli.test",
    "specdsl.cli.fmt",
    "specdsl.cli.diff",
    "specdsl.cli.migrate",
    "specdsl.cli.fix",
    "specdsl.cli.queue",
    "specdsl.cli.explain",
    "specdsl.cli.docs",
    "specdsl.cli.export_config",
    "specdsl.cli.agree",
    "specdsl.cli.stats",
    "specdsl.cli.select",
    "specdsl.cli.suspect",
    "specdsl.cli.init",
    "specdsl.cli.lsp",
)


def command_name(module: str) -> str:
    return module.rsplit(".", 1)[1].replace("_", "-")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that sub-command is imported (start-up time counts in CI)."""
    parser = argparse.ArgumentParser(prog="specc", description="Label specs as code.")
    parser.add_argument("--version", action="version", version=f"specc {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        if only is None or command_name(name) == only:
            importlib.import_module(name).register(sub)
    return parser


def _requested_command(argv: list[str]) -> str | None:
    first = next((a for a in argv if not a.startswith("-")), None)
    known = {command_name(m) for m in COMMANDS}
    return first if first in known else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_requested_command(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors already; keep its code
        return int(exc.code or 0)
    try:
        return int(args.run(args) or 0)
    except SpecFailed:
        return EXIT_ERROR
    except UsageError as exc:
        err_console().print(styled("error:", "bold red", str(exc)))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns crashes into exit 2
        if args.debug:
            raise
        err_console().print(styled("internal error:", "bold red", f"{type(exc).__name__}: {exc}\n"
                                   "run again with --debug for the traceback"))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
