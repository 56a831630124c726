"""``specc lsp``: the language server over stdio (needs the extra ``specdsl[lsp]``, i.e. pygls)."""

from __future__ import annotations

from specdsl.cli.common import EXIT_OK, UsageError


def register(sub) -> None:
    parser = sub.add_parser("lsp", help="language server for editors (stdio; pip install 'specdsl[lsp]')")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        from specdsl.lsp.server import serve
    except ImportError as exc:
        raise UsageError(f"specc lsp needs pygls: pip install 'specdsl[lsp]' ({exc})") from None
    serve()
    return EXIT_OK


__all__ = ["register", "run"]
