"""The lark parse tree -> the surface AST: one method per grammar rule, a span on every node."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, replace

from lark import Token, Transformer, v_args

from specdsl.diagnostics import Diagnostic, Label, Severity
from specdsl.source import NO_SPAN, Source, Span
from specdsl.syntax import ast


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

    return inspect.cleandoc(text)


class NumberTooLarge(Exception):
    def __init__(self, token: Token):
        self.token = token


def _number(token: Token) -> int | float:
    """The value of a NUMBER; one that overflows to infinity (or has too many digits for ``int``) has no
    meaning and could not be printed back, so it is an error."""
    text = str(token)
    try:
        value = int(text) if text.isdigit() else float(text)
    except ValueError:  # over sys.get_int_max_str_digits() digits
        raise NumberTooLarge(token) from None
    if value in (float("inf"), float("-inf")):
        raise NumberTooLarge(token)
    return value


def too_large_diagnostic(token: Token) -> Diagnostic:
    shown = str(token) if len(token) <= 20 else str(token)[:17] + "..."
    return Diagnostic("E0001", Severity.ERROR, f"number too large: {shown}", Label(_tok_span(token), "too large"),
                      help="numbers must be below 1.8e308")


@dataclass(frozen=True)
class _Fields:
    """``{ field, ... }``: the fields and where the braces are (a frame's head ends at the opening one)."""

    items: tuple[ast.Field, ...]
    span: Span

    @property
    def open_brace(self) -> Span:
        span = self.span
        return Span(span.start, span.start + 1, span.line, span.column, span.line, span.column + 1)


@v_args(meta=True)
class SpecBuilder(Transformer):
    """Builds AST nodes bottom-up; every node gets the span lark recorded."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source

    # -- top level
    def start(self, meta, children):
        (name, version, name_span, header_span), doc, *decls = children
        doc, doc_span = doc or (None, NO_SPAN)
        return ast.Spec(name=name, version=version, doc=doc, declarations=tuple(decls), span=_span_of(meta),
                        name_span=name_span, header_span=header_span, doc_span=doc_span)

    def items(self, meta, children):
        return children

    def header(self, meta, children):
        name, version = children
        return str(name), _number(version), _tok_span(name), _span_of(meta)

    def doc(self, meta, children):
        return string_value(children[0]), _span_of(meta)

    def image_block(self, meta, children):
        head, *attributes = children
        return ast.ImageBlock(attributes=tuple(attributes), span=_span_of(meta), head_span=head)

    def image_head(self, meta, children):
        return _span_of(meta)

    def enum_decl(self, meta, children):
        (name, head), values = children
        return ast.EnumDecl(name=str(name), values=values, span=_span_of(meta), name_span=_tok_span(name),
                            head_span=head)

    def _named_head(self, meta, children):
        """``KEYWORD NAME [: NAME] {``: its tokens and its own span."""
        return (*children, _span_of(meta))

    enum_head = class_head = rule_head = quota_head = _named_head

    def enum_values(self, meta, children):
        return tuple(children)

    def enum_value(self, meta, children):
        name, doc = children
        return ast.EnumValue(name=str(name), doc=string_value(doc) if doc else None, span=_span_of(meta))

    def class_decl(self, meta, children):
        (name, geometry, head), doc, *members = children
        doc, doc_span = doc or (None, NO_SPAN)
        return ast.ClassDecl(name=str(name), geometry=str(geometry), doc=doc, members=tuple(members),
                             span=_span_of(meta), name_span=_tok_span(name), geometry_span=_tok_span(geometry),
                             head_span=head, doc_span=doc_span)

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
        name, expr, doc = children
        return ast.Require(expr=expr, doc=string_value(doc) if doc else None, span=_span_of(meta),
                           name=str(name) if name is not None else None,
                           name_span=_tok_span(name) if name is not None else NO_SPAN)

    def fixed_require(self, meta, children):
        require, fix = children
        return require if fix is None else replace(require, fix=fix)

    def class_fix(self, meta, children):
        unsafe, fix = children
        return replace(fix, unsafe=unsafe is not None, span=_span_of(meta))

    rule_fix = class_fix

    def fix_set(self, meta, children):
        *path, value = children
        targets, attribute = tuple(str(p) for p in path[:-1]), str(path[-1])
        return ast.Fix(action="set", targets=targets, attribute=attribute, value=value, span=_span_of(meta))

    def fix_delete(self, meta, children):
        return ast.Fix(action="delete", targets=tuple(str(c) for c in children), span=_span_of(meta))

    def fix_clip(self, meta, children):
        return ast.Fix(action="clip", targets=tuple(str(c) for c in children), span=_span_of(meta))

    def fix_join(self, meta, children):
        return ast.Fix(action="join", targets=tuple(str(c) for c in children), span=_span_of(meta))

    def match(self, meta, children):
        score, op, threshold = children
        return ast.Match(score=str(score), op=str(op), threshold=threshold, span=_span_of(meta),
                         score_span=_tok_span(score))

    def rule_decl(self, meta, children):
        (name, severity, head), doc, *rest = children
        clause = rest.pop() if rest and not isinstance(rest[-1], ast.ForClause) else None
        require, fix = clause or (None, None)
        return ast.RuleDecl(name=str(name), severity=str(severity), doc=string_value(doc) if doc else None,
                            fors=tuple(r for r in rest if r is not None), require=require, fix=fix,
                            span=_span_of(meta),
                            name_span=_tok_span(name), severity_span=_tok_span(severity), head_span=head,
                            doc_span=_tok_span(doc) if doc else NO_SPAN)

    def for_clause(self, meta, children):
        var, cls, where = children
        return ast.ForClause(var=str(var), class_name=str(cls), where=where, span=_span_of(meta),
                             class_span=_tok_span(cls))

    def require_clause(self, meta, children):
        expr, fix = children
        return expr, fix

    def where(self, meta, children):
        return children[0]

    def quota_decl(self, meta, children):
        (name, severity, head), doc, expr = children
        return ast.QuotaDecl(name=str(name), severity=str(severity), doc=string_value(doc) if doc else None,
                             expr=expr, span=_span_of(meta), name_span=_tok_span(name),
                             severity_span=_tok_span(severity), head_span=head,
                             doc_span=_tok_span(doc) if doc else NO_SPAN)

    # -- examples
    def example_decl(self, meta, children):
        (title, (valid, check, check_span), head), frame, *objects = children
        width, height, image_fields, frame_span, frame_head = frame
        return ast.ExampleDecl(title=string_value(title), valid=valid, check=check, width=width, height=height,
                               image_fields=image_fields, objects=tuple(objects), span=_span_of(meta),
                               check_span=check_span, head_span=head, frame_span=frame_span,
                               frame_head_span=frame_head)

    example_head = _named_head

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
        span = _span_of(meta)
        head = span.to(_tok_span(height) if fields is None else fields.open_brace)
        return _number(width), _number(height), fields.items if fields else (), span, head

    def example_object(self, meta, children):
        name, fields = children
        return ast.ExampleObject(class_name=str(name), fields=fields.items, span=_span_of(meta),
                                 name_span=_tok_span(name))

    def fields(self, meta, children):
        return _Fields(tuple(c for c in children if c is not None), _span_of(meta))

    def field(self, meta, children):
        name, value = children
        return ast.Field(name=str(name), value=value, span=_span_of(meta))

    # -- changes
    def changes_decl(self, meta, children):
        (version, head), doc, *actions = children
        return ast.ChangesDecl(version=_number(version), doc=string_value(doc) if doc else None,
                               actions=tuple(actions), span=_span_of(meta), head_span=head,
                               doc_span=_tok_span(doc) if doc else NO_SPAN)

    changes_head = _named_head

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
