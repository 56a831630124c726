"""A Pygments lexer for the spec language (``pygmentize -l specdsl``; entry point in pyproject.toml).

It follows grammars/spec.lark. Geometry, type and severity names are plain names in the
grammar; the lexer still colours them, since that is how a reader tells them apart.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

__all__ = ["SpecLexer"]

_DECLARATIONS = ("spec", "version", "image", "enum", "class", "require", "rule", "for", "where", "quota",
                 "example", "valid", "invalid", "changes", "relabel", "review", "images", "rename", "match")
_TYPES = ("bool", "int", "float", "string", "box", "polygon", "polyline", "point", "tag", "mask")
_SEVERITIES = ("error", "warning", "info")
_FUNCTIONS = ("distance", "intersects", "iou", "contains", "endpoint_gap", "angle", "count", "exists", "share")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class SpecLexer(RegexLexer):
    name = "specdsl"
    aliases = ("specdsl", "spec")
    filenames = ("*.spec",)
    mimetypes = ("text/x-specdsl",)
    url = "https://pypi.org/project/specdsl/"

    def analyse_text(text: str) -> float:
        # RPM's spec lexer also claims *.spec: a spec header on the first line decides.
        return 1.0 if re.match(r"\s*spec\s+[A-Za-z_]\w*\s+version\s+\d", text) else 0.0

    tokens: ClassVar[dict] = {
        "root": [
            (r"[ \t\r\n\f]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"""(?:[^"\\]|\\.|"(?!""))*"""', String.Doc),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"(spec)(\s+)(" + _NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Namespace)),
            (r"(class|enum)(\s+)(" + _NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (r"(rule|quota)(\s+)(" + _NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(fix)(\s+)(?:(unsafe)(\s+))?(set|delete|clip|join)\b",
             bygroups(Keyword, Whitespace, Keyword, Whitespace, Keyword)),
            (words(("true", "false"), suffix=r"\b"), Keyword.Constant),
            (words(("and", "or", "not", "in"), suffix=r"\b"), Operator.Word),
            (words(_DECLARATIONS, suffix=r"\b"), Keyword),
            (words(_TYPES, suffix=r"\b"), Keyword.Type),
            (words(_SEVERITIES, suffix=r"\b"), Name.Exception),
            (words(_FUNCTIONS, suffix=r"\b(?=\s*\()"), Name.Builtin),
            (r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?(px|deg|%)?", Number),
            (_NAME, Name),
            (r"==|!=|<=|>=|->|\.\.|[<>+\-*/=?]", Operator),
            (r"[{}()\[\],:.]", Punctuation),
            (r".", Text),
        ],
    }
