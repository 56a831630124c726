"""Comments of a spec, found by a small scanner that knows strings, so that '#' inside a string is not one.

lark drops ignored tokens, and ``specc fmt`` must keep every comment: the scanner finds them with
their spans, and the printer attaches each to the node it precedes or trails.
"""

from __future__ import annotations

from specdsl.source import Source
from specdsl.syntax import ast


def scan_comments(source: Source) -> tuple[ast.Comment, ...]:
    return tuple(_scan_comments(source))


def _scan_comments(source: Source):
    text = source.text
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith('"""', i):
            end = text.find('"""', i + 3)
            while end > 0 and _escaped(text, end):
                end = text.find('"""', end + 1)
            i = n if end < 0 else end + 3
        elif ch == '"':
            i = _skip_string(text, i)
        elif ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield ast.Comment(text=text[i:end].rstrip(), span=source.span(i, end))
            i = end
        else:
            i += 1


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while pos - backslashes - 1 >= 0 and text[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _skip_string(text: str, i: int) -> int:
    j = i + 1
    while j < len(text) and text[j] not in '"\n':
        j += 2 if text[j] == "\\" else 1
    return j + 1
