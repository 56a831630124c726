"""Parse spec text into the surface AST (lark LALR, strict), with every syntax error located.

On a syntax error the parser does not stop: it re-parses from the next top-level
declaration, so one run reports one error per broken declaration.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark import Token, Transformer, v_args

from specdsl.diagnostics import Diagnostic, Label, Severity, did_you_mean
from specdsl.source import Source, Span
from specdsl.syntax import ast

KEYWORDS = ("spec", "version", "image", "enum", "class", "require", "rule", "for", "in", "where", "quota",
            "example", "valid", "invalid", "changes", "relabel", "review", "images", "rename", "true", "false",
            "not", "and", "or")
_TOP_LEVEL = re.compile(r"^(?:spec|image|enum|class|rule|quota|example|changes)\b", re.MULTILINE)


def grammar_text() -> str:
    """The grammar, from inside the installed package or from the source tree."""
    packaged = resources.files("specdsl") / "grammars" / "spec.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammars" / "spec.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(grammar_text(), parser="lalr", strict=True, propagate_positions=True,
                     maybe_placeholders=True, start=["start", "items"], cache=_cache_file())


def _cache_file() -> str | bool:
    """Building the LALR tables takes ~1 s; lark keeps them in a file keyed by the grammar's hash."""
    import tempfile

    directory = Path(tempfile.gettempdir())
    return str(directory / "specdsl-grammar-cache.lark") if os.access(directory, os.W_OK) else False


class ParseFailure(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics


def parse(source: Source) -> ast.Spec:
    """The AST of ``source``; raises :class:`ParseFailure` with every syntax error found."""
    try:
        tree = _lark().parse(source.text, start="start", on_error=None)
        spec = _Builder(source).transform(tree)
    except lark.exceptions.UnexpectedInput:
        raise ParseFailure(_recover_errors(source)) from None
    except lark.exceptions.VisitError as exc:  # the transformer wraps what the builder raises
        if isinstance(exc.orig_exc, _NumberTooLarge):
            raise ParseFailure([_too_large_diagnostic(exc.orig_exc.token)]) from None
        raise
    comments = _comments(source)
    return ast.Spec(name=spec.name, version=spec.version, doc=spec.doc, declarations=spec.declarations,
                    comments=comments, span=spec.span, name_span=spec.name_span)


def parse_text(text: str, name: str = "<string>") -> ast.Spec:
    return parse(Source(name, text))


def _comments(source: Source) -> tuple[ast.Comment, ...]:
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


# ---- tree -> AST ---------------------------------------------------------------------------------------


def _span_of(meta) -> Span:
    return Span(meta.start_pos, meta.end_pos, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(token: Token) -> Span:
    return Span(token.start_pos, token.end_pos, token.line, token.column, token.end_line, token.end_column)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def string_value(token: Token) -> str:
    if token.type == "DOCSTRING":
        return _clean_doc(unescape(token[3:-3]))
    return unescape(token[1:-1])


def _clean_doc(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


class _NumberTooLarge(Exception):
    def __init__(self, token: Token):
        self.token = token


def _number(token: Token) -> int | float:
    """The value of a NUMBER; one that overflows to infinity (or has too many digits for ``int``) has no
    meaning and could not be printed back, so it is an error."""
    text = str(token)
    try:
        value = int(text) if text.isdigit() else float(text)
    except ValueError:  # over sys.get_int_max_str_digits() digits
        raise _NumberTooLarge(token) from None
    if value in (float("inf"), float("-inf")):
        raise _NumberTooLarge(token)
    return value


def _too_large_diagnostic(token: Token) -> Diagnostic:
    shown = str(token) if len(token) <= 20 else str(token)[:17] + "..."
    return Diagnostic("E0001", Severity.ERROR, f"number too large: {shown}", Label(_tok_span(token), "too large"),
                      help="numbers must be below 1.8e308")


@v_args(meta=True)
class _Builder(Transformer):
    """Builds AST nodes bottom-up; every node gets the span lark recorded."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source

    # -- top level
    def start(self, meta, children):
        (name, version, name_span), doc, *decls = children
        return ast.Spec(name=name, version=version, doc=doc, declarations=tuple(decls), span=_span_of(meta),
                        name_span=name_span)

    def items(self, meta, children):
        return children

    def header(self, meta, children):
        name, version = children
        return str(name), _number(version), _tok_span(name)

    def doc(self, meta, children):
        return string_value(children[0])

    def image_block(self, meta, children):
        return ast.ImageBlock(attributes=tuple(children), span=_span_of(meta))

    def enum_decl(self, meta, children):
        name, values = children
        return ast.EnumDecl(name=str(name), values=values, span=_span_of(meta), name_span=_tok_span(name))

    def enum_values(self, meta, children):
        return tuple(children)

    def enum_value(self, meta, children):
        name, doc = children
        return ast.EnumValue(name=str(name), doc=string_value(doc) if doc else None, span=_span_of(meta))

    def class_decl(self, meta, children):
        name, geometry, doc, *members = children
        return ast.ClassDecl(name=str(name), geometry=str(geometry), doc=doc, members=tuple(members),
                             span=_span_of(meta), name_span=_tok_span(name), geometry_span=_tok_span(geometry))

    def attr(self, meta, children):
        name, type_, default, optional, doc = children
        return ast.Attribute(name=str(name), type=type_, default=default, optional=optional is not None,
                             doc=string_value(doc) if doc else None, span=_span_of(meta))

    def default(self, meta, children):
        return children[0]

    def named_type(self, meta, children):
        return ast.NamedType(name=str(children[0]), span=_span_of(meta))

    def range_type(self, meta, children):
        base, low, high = children
        return ast.RangeType(base=str(base), low=low, high=high, span=_span_of(meta))

    def bound(self, meta, children):
        return _number(children[0])

    def negative_bound(self, meta, children):
        return -_number(children[0])

    def inline_enum(self, meta, children):
        return ast.InlineEnum(values=children[0], span=_span_of(meta))

    def require(self, meta, children):
        expr, doc = children
        return ast.Require(expr=expr, doc=string_value(doc) if doc else None, span=_span_of(meta))

    def rule_decl(self, meta, children):
        name, severity, doc, *rest = children
        require = rest.pop() if rest and not isinstance(rest[-1], ast.ForClause) else None
        return ast.RuleDecl(name=str(name), severity=str(severity), doc=string_value(doc) if doc else None,
                            fors=tuple(r for r in rest if r is not None), require=require, span=_span_of(meta),
                            name_span=_tok_span(name), severity_span=_tok_span(severity))

    def for_clause(self, meta, children):
        var, cls, where = children
        return ast.ForClause(var=str(var), class_name=str(cls), where=where, span=_span_of(meta),
                             class_span=_tok_span(cls))

    def require_clause(self, meta, children):
        return children[0]

    def where(self, meta, children):
        return children[0]

    def quota_decl(self, meta, children):
        name, severity, doc, expr = children
        return ast.QuotaDecl(name=str(name), severity=str(severity), doc=string_value(doc) if doc else None,
                             expr=expr, span=_span_of(meta), name_span=_tok_span(name),
                             severity_span=_tok_span(severity))

    # -- examples
    def example_decl(self, meta, children):
        title, (valid, check, check_span), (width, height, image_fields), *objects = children
        return ast.ExampleDecl(title=string_value(title), valid=valid, check=check, width=width, height=height,
                               image_fields=image_fields, objects=tuple(objects), span=_span_of(meta),
                               check_span=check_span)

    def valid(self, meta, children):
        return True, None, _span_of(meta)

    def invalid(self, meta, children):
        return False, children[0][0], children[0][1]

    def check_ref(self, meta, children):
        return ".".join("require" if c is None else str(c) for c in children), _span_of(meta)

    def require_word(self, meta, children):
        return None

    def frame(self, meta, children):
        width, height, fields = children
        return _number(width), _number(height), fields or ()

    def example_object(self, meta, children):
        name, fields = children
        return ast.ExampleObject(class_name=str(name), fields=fields, span=_span_of(meta))

    def fields(self, meta, children):
        return tuple(c for c in children if c is not None)

    def field(self, meta, children):
        name, value = children
        return ast.Field(name=str(name), value=value, span=_span_of(meta))

    # -- changes
    def changes_decl(self, meta, children):
        version, doc, *actions = children
        return ast.ChangesDecl(version=_number(version), doc=string_value(doc) if doc else None,
                               actions=tuple(actions), span=_span_of(meta))

    def relabel(self, meta, children):
        cls, where = children
        return ast.Relabel(class_name=str(cls), where=where, span=_span_of(meta), class_span=_tok_span(cls))

    def review_images(self, meta, children):
        return ast.ReviewImages(where=children[0], span=_span_of(meta))

    def rename(self, meta, children):
        path, new_name = children
        return ast.Rename(path=path, new_name=str(new_name), span=_span_of(meta))

    def dotted(self, meta, children):
        return tuple(str(c) for c in children)

    # -- values
    def number(self, meta, children):
        token, unit = children
        return ast.Number(value=_number(token), unit=unit, span=_span_of(meta))

    def px(self, meta, children):
        return "px"

    def deg(self, meta, children):
        return "deg"

    def percent(self, meta, children):
        return "%"

    def negative(self, meta, children):
        n = children[0]
        return ast.Number(value=-n.value, unit=n.unit, span=_span_of(meta))

    def string(self, meta, children):
        return ast.String(value=string_value(children[0]), span=_span_of(meta))

    def true(self, meta, children):
        return ast.Bool(value=True, span=_span_of(meta))

    def false(self, meta, children):
        return ast.Bool(value=False, span=_span_of(meta))

    def bare_name(self, meta, children):
        return ast.Name(name=str(children[0]), span=_span_of(meta))

    def list(self, meta, children):
        return ast.ListValue(items=tuple(c for c in children if c is not None), span=_span_of(meta))

    def pair(self, meta, children):
        return ast.PairValue(x=children[0], y=children[1], span=_span_of(meta))

    # -- expressions
    def or_expr(self, meta, children):
        return ast.BoolOp(op="or", operands=tuple(children), span=_span_of(meta))

    def and_expr(self, meta, children):
        return ast.BoolOp(op="and", operands=tuple(children), span=_span_of(meta))

    def not_(self, meta, children):
        return ast.Not(operand=children[0], span=_span_of(meta))

    def compare(self, meta, children):
        left, op, right = children
        if isinstance(right, Token):
            right = ast.String(value=string_value(right), span=_tok_span(right))
        return ast.Compare(op=str(op), left=left, right=right, span=_span_of(meta))

    def in_set(self, meta, children):
        return ast.InSet(operand=children[0], values=children[1], span=_span_of(meta))

    def not_in_set(self, meta, children):
        return ast.InSet(operand=children[0], values=children[1], negated=True, span=_span_of(meta))

    def set_items(self, meta, children):
        return tuple(children)

    def _arith(op):  # noqa: N805 - a small factory for the four operators
        def build(self, meta, children):
            return ast.Arith(op=op, left=children[0], right=children[1], span=_span_of(meta))

        return build

    add, sub, mul, div = _arith("+"), _arith("-"), _arith("*"), _arith("/")

    def neg(self, meta, children):
        return ast.Neg(operand=children[0], span=_span_of(meta))

    def name(self, meta, children):
        return ast.Name(name=str(children[0]), span=_span_of(meta))

    def image_ref(self, meta, children):
        return ast.ImageRef(span=_span_of(meta))

    def member(self, meta, children):
        obj, name = children
        return ast.Member(obj=obj, name=str(name), span=_span_of(meta), name_span=_tok_span(name))

    def call(self, meta, children):
        name, *args = children
        args = tuple(a for a in args if a is not None)
        return ast.Call(func=str(name), args=args, span=_span_of(meta), name_span=_tok_span(name))

    def class_filter(self, meta, children):
        name, where = children
        return ast.ClassFilter(class_name=str(name), where=where, span=_span_of(meta), name_span=_tok_span(name))

    def image_filter(self, meta, children):
        return ast.ClassFilter(class_name=None, where=children[0], span=_span_of(meta))
