"""Parse spec text into the surface AST (lark LALR, strict), with every syntax error located.

On a syntax error the parser does not stop: it re-parses from the next top-level
declaration, so one run reports one error per broken declaration.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark import Token

from specdsl.diagnostics import Diagnostic, Label, Severity, did_you_mean
from specdsl.source import Source
from specdsl.syntax import ast
from specdsl.syntax.comments import scan_comments
from specdsl.syntax.limits import limit_diagnostics
from specdsl.syntax.transform import NumberTooLarge, SpecBuilder, too_large_diagnostic

KEYWORDS = ("spec", "version", "image", "enum", "class", "require", "rule", "for", "in", "where", "quota",
            "example", "valid", "invalid", "changes", "relabel", "review", "images", "rename", "true", "false",
            "not", "and", "or", "fix")
_TOP_LEVEL = re.compile(r"^(?:spec|image|enum|class|rule|quota|example|changes)\b", re.MULTILINE)


def grammar_text() -> str:
    """The grammar, from inside the installed package or from the source tree."""
    packaged = resources.files("specdsl") / "grammars" / "spec.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammars" / "spec.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    text = grammar_text()
    return lark.Lark(text, parser="lalr", strict=True, propagate_positions=True,
                     maybe_placeholders=True, start=["start", "items"], cache=_cache_file(text))


def _cache_file(grammar: str) -> str | bool:
    """Building the LALR tables takes ~1 s, so lark keeps them in a file (it checks the grammar's hash on load).

    The file lives in the user's own cache directory, never in a shared temp directory: lark stores it
    as a pickle, and loading a pickle someone else could have written would run their code.
    """
    import hashlib

    from specdsl.compile_cache import writable_cache_dir

    directory = writable_cache_dir()
    if directory is None:
        return False
    return str(directory / f"grammar-{hashlib.sha256(grammar.encode()).hexdigest()[:16]}.lark")


class ParseFailure(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics


def parse(source: Source) -> ast.Spec:
    """The AST of ``source``; raises :class:`ParseFailure` with every syntax error found."""
    try:
        tree = _lark().parse(source.text, start="start", on_error=None)
    except lark.exceptions.UnexpectedInput:
        raise ParseFailure(_recover_errors(source)) from None
    beyond_limits = limit_diagnostics(source, tree)  # before the (recursive) builder sees the tree
    if beyond_limits:
        raise ParseFailure(beyond_limits)
    try:
        spec = SpecBuilder(source).transform(tree)
    except lark.exceptions.VisitError as exc:  # the transformer wraps what the builder raises
        if isinstance(exc.orig_exc, NumberTooLarge):
            raise ParseFailure([too_large_diagnostic(exc.orig_exc.token)]) from None
        raise
    return replace(spec, comments=scan_comments(source, _lark()))


def parse_text(text: str, name: str = "<string>") -> ast.Spec:
    return parse(Source(name, text))


# ---- error recovery ------------------------------------------------------------------------------


def _recover_errors(source: Source) -> list[Diagnostic]:
    """One diagnostic per broken top-level declaration."""
    starts = [m.start() for m in _TOP_LEVEL.finditer(source.text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    diagnostics: list[Diagnostic] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(source.text)
        masked = _mask(source.text, start, end)
        try:
            _lark().parse(masked, start="start" if k == 0 else "items")
        except lark.exceptions.UnexpectedInput as exc:
            diagnostics.append(_syntax_diagnostic(source, exc))
    return diagnostics or [_syntax_diagnostic(source, None)]


def _mask(text: str, start: int, end: int) -> str:
    """``text`` with everything outside [start, end) blanked, so positions stay the same."""
    blank = re.compile(r"[^\n]")
    return blank.sub(" ", text[:start]) + text[start:end] + blank.sub(" ", text[end:])


_READABLE = {"NAME": "a name", "NUMBER": "a number", "STRING": 'a "string"', "DOCSTRING": 'a """doc string"""',
             "COMPARE": "a comparison", "$END": "the end of the file"}


def _describe(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    pattern = _lark().get_terminal(terminal).pattern if terminal in _terminal_names() else None
    if pattern is not None and pattern.type == "str":
        return f"'{pattern.value}'"
    return terminal.lower()


@lru_cache(maxsize=1)
def _terminal_names() -> frozenset[str]:
    return frozenset(t.name for t in _lark().terminals)


def _syntax_diagnostic(source: Source, exc: lark.exceptions.UnexpectedInput | None) -> Diagnostic:
    if exc is None:
        return Diagnostic("E0001", Severity.ERROR, "syntax error", Label(source.span(0, 0)))
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        return _unexpected_character(source, exc)
    token = getattr(exc, "token", None)
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ())
    if token is None or token.type == "$END":
        span = source.span(len(source.text), len(source.text))
        return Diagnostic("E0001", Severity.ERROR, "unexpected end of file", Label(span, "the spec ends here"),
                          help=_expected_help(expected))
    span = source.span(token.start_pos, token.end_pos)
    words = [_describe(t).strip("'") for t in expected]
    hint = did_you_mean(str(token), [w for w in words if w.isidentifier()]) if token.type == "NAME" else None
    return Diagnostic("E0001", Severity.ERROR, f"unexpected {_token_text(token)}", Label(span, "not expected here"),
                      notes=(_expected_help(expected),) if hint else (), help=hint or _expected_help(expected))


def _unexpected_character(source: Source, exc: lark.exceptions.UnexpectedCharacters) -> Diagnostic:
    pos = exc.pos_in_stream
    char = source.text[pos] if pos < len(source.text) else ""
    span = source.span(pos, pos + 1)
    if char == '"':
        return Diagnostic("E0002", Severity.ERROR, "unterminated string", Label(span, "this string never ends"),
                          help='close the string with " on the same line, or use """ for several lines')
    expected = sorted(exc.allowed or ())
    return Diagnostic("E0002", Severity.ERROR, f"unexpected character {char!r}", Label(span, "not valid here"),
                      help=_expected_help(expected))


def _token_text(token: Token) -> str:
    if token.type in ("NAME", "NUMBER"):
        return f"{token.type.lower()} '{token}'"
    return f"'{token}'"


def _expected_help(expected: list[str]) -> str:
    names = sorted({_describe(t) for t in expected if not t.startswith("__")})
    if not names:
        return "check the syntax in docs/language.md"
    if len(names) > 8:
        names = names[:8] + ["..."]
    return "expected " + ", ".join(names)
