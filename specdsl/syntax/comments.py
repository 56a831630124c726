"""Comments of a spec, as the grammar's own lexer finds them (so '#' inside a string is never one).

lark drops ignored tokens from the parse tree, and ``specc fmt`` must keep every comment: the
grammar's lexer is run once more with ignored tokens kept, and its ``COMMENT`` tokens become
:class:`ast.Comment` nodes with their spans; the printer attaches each to the node it precedes or trails.
"""

from __future__ import annotations

import lark

from specdsl.source import Source
from specdsl.syntax import ast


def scan_comments(source: Source, parser: lark.Lark) -> tuple[ast.Comment, ...]:
    """Every ``# ...`` of ``source`` (which has parsed: its tokens are all known to the lexer)."""
    return tuple(ast.Comment(text=str(token).rstrip(), span=source.span(token.start_pos, token.end_pos))
                 for token in parser.lex(source.text, dont_ignore=True) if token.type == "COMMENT")
