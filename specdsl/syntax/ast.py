"""The surface AST: exactly what was written, a span on every node.

Frozen keyword-only dataclasses. ``span`` never takes part in equality, so a spec
printed and parsed again equals the original (the round-trip property the tests check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from specdsl.source import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Node:
    span: Span = _span()


# ---- expressions --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Expr(Node):
    pass


@dataclass(frozen=True, kw_only=True)
class Number(Expr):
    value: int | float
    unit: str | None = None  # "px", "deg" or "%"


@dataclass(frozen=True, kw_only=True)
class String(Expr):
    value: str


@dataclass(frozen=True, kw_only=True)
class Bool(Expr):
    value: bool


@dataclass(frozen=True, kw_only=True)
class Name(Expr):
    """A bare name: a variable, an attribute or property of ``self``, an enum value."""

    name: str


@dataclass(frozen=True, kw_only=True)
class ImageRef(Expr):
    pass


@dataclass(frozen=True, kw_only=True)
class Member(Expr):
    obj: Expr
    name: str
    name_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class ClassFilter(Expr):
    """``CLASS where EXPR`` as an argument of count/exists/share; ``image where EXPR`` has class_name None."""

    class_name: str | None
    where: Expr | None
    name_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class Call(Expr):
    func: str
    args: tuple[Expr, ...]
    name_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, kw_only=True)
class InSet(Expr):
    operand: Expr
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, kw_only=True)
class BoolOp(Expr):
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]


@dataclass(frozen=True, kw_only=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, kw_only=True)
class Arith(Expr):
    op: str  # + - * /
    left: Expr
    right: Expr


@dataclass(frozen=True, kw_only=True)
class Neg(Expr):
    operand: Expr


# ---- literal values (defaults, example fields, set members) ---------------------------------------


@dataclass(frozen=True, kw_only=True)
class ListValue(Node):
    items: tuple[Value, ...]


@dataclass(frozen=True, kw_only=True)
class PairValue(Node):
    x: Value
    y: Value


# A literal value is a Number, String, Bool, Name (bare enum value), ListValue or PairValue.
Value = Number | String | Bool | Name | ListValue | PairValue


# ---- types and attributes ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EnumValue(Node):
    name: str
    doc: str | None = None


@dataclass(frozen=True, kw_only=True)
class NamedType(Node):
    name: str  # bool, int, float, string, or an enum's name


@dataclass(frozen=True, kw_only=True)
class RangeType(Node):
    base: str  # int or float
    low: int | float
    high: int | float


@dataclass(frozen=True, kw_only=True)
class InlineEnum(Node):
    values: tuple[EnumValue, ...]


TypeExpr = NamedType | RangeType | InlineEnum


@dataclass(frozen=True, kw_only=True)
class Attribute(Node):
    name: str
    type: TypeExpr
    default: Value | None = None
    optional: bool = False
    doc: str | None = None


FIX_ACTIONS = ("set", "delete", "clip", "join")


@dataclass(frozen=True, kw_only=True)
class Fix(Node):
    """``fix [unsafe] ACTION`` after a require: the mechanical repair ``specc fix`` applies.

    ``targets`` are the variables the action names (none in a class: the object is the class's own);
    ``set`` also has the attribute and its new value. Its span is the fix line alone.
    """

    action: str  # one of FIX_ACTIONS
    targets: tuple[str, ...] = ()
    attribute: str | None = None
    value: Value | None = None
    unsafe: bool = False


@dataclass(frozen=True, kw_only=True)
class Require(Node):
    expr: Expr
    doc: str | None = None
    name: str | None = None  # ``require NAME: EXPR``: the check is CLASS.NAME
    name_span: Span = _span()
    fix: Fix | None = None  # its span is not part of the require's


@dataclass(frozen=True, kw_only=True)
class Match(Node):
    """``match SCORE OP THRESHOLD``: how two annotation sets' objects of the class are paired."""

    score: str
    op: str
    threshold: Number
    score_span: Span = _span()


# ---- declarations ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ImageBlock(Node):
    attributes: tuple[Attribute, ...]
    head_span: Span = _span()  # ``image {``


@dataclass(frozen=True, kw_only=True)
class EnumDecl(Node):
    name: str
    values: tuple[EnumValue, ...]
    name_span: Span = _span()
    head_span: Span = _span()  # ``enum NAME {``


@dataclass(frozen=True, kw_only=True)
class ClassDecl(Node):
    name: str
    geometry: str
    doc: str | None
    members: tuple[Attribute | Require | Match, ...]
    name_span: Span = _span()
    geometry_span: Span = _span()
    head_span: Span = _span()  # ``class NAME: GEOMETRY {``
    doc_span: Span = _span()

    @property
    def matches(self) -> tuple[Match, ...]:
        return tuple(m for m in self.members if isinstance(m, Match))

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return tuple(m for m in self.members if isinstance(m, Attribute))

    @property
    def requires(self) -> tuple[Require, ...]:
        return tuple(m for m in self.members if isinstance(m, Require))


@dataclass(frozen=True, kw_only=True)
class ForClause(Node):
    var: str
    class_name: str
    where: Expr | None = None
    class_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class RuleDecl(Node):
    name: str
    severity: str
    doc: str | None
    fors: tuple[ForClause, ...]
    require: Expr | None
    fix: Fix | None = None
    name_span: Span = _span()
    severity_span: Span = _span()
    head_span: Span = _span()  # ``rule NAME: SEVERITY {``
    doc_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class QuotaDecl(Node):
    name: str
    severity: str
    doc: str | None
    expr: Expr
    name_span: Span = _span()
    severity_span: Span = _span()
    head_span: Span = _span()  # ``quota NAME: SEVERITY {``
    doc_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class Field(Node):
    name: str
    value: Value


@dataclass(frozen=True, kw_only=True)
class ExampleObject(Node):
    class_name: str
    fields: tuple[Field, ...]
    name_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class ExampleDecl(Node):
    title: str
    valid: bool
    check: str | None  # "rule", "CLASS.require.N", "CLASS.ATTR" for invalid examples
    width: int | float
    height: int | float
    image_fields: tuple[Field, ...]
    objects: tuple[ExampleObject, ...]
    check_span: Span = _span()
    head_span: Span = _span()  # ``example "title" VERDICT {``
    frame_span: Span = _span()  # ``image W x H [{ fields }]``
    frame_head_span: Span = _span()  # ``image W x H`` or ``image W x H {``


@dataclass(frozen=True, kw_only=True)
class Relabel(Node):
    class_name: str
    where: Expr
    class_span: Span = _span()


@dataclass(frozen=True, kw_only=True)
class ReviewImages(Node):
    where: Expr | None = None


@dataclass(frozen=True, kw_only=True)
class Rename(Node):
    path: tuple[str, ...]  # (CLASS, attr) or (CLASS, attr, value)
    new_name: str


ChangeAction = Relabel | ReviewImages | Rename


@dataclass(frozen=True, kw_only=True)
class ChangesDecl(Node):
    version: int
    doc: str | None
    actions: tuple[ChangeAction, ...]
    head_span: Span = _span()  # ``changes N {``
    doc_span: Span = _span()


Declaration = ImageBlock | EnumDecl | ClassDecl | RuleDecl | QuotaDecl | ExampleDecl | ChangesDecl


@dataclass(frozen=True, kw_only=True)
class Comment(Node):
    text: str  # including the leading '#'


@dataclass(frozen=True, kw_only=True)
class Spec(Node):
    name: str
    version: int
    doc: str | None
    declarations: tuple[Declaration, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    name_span: Span = _span()
    header_span: Span = _span()  # ``spec NAME version N``
    doc_span: Span = _span()
