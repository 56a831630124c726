"""The resolved model every back-end consumes (checker, docs, diff, queue).

The IR is what a spec *means*: names resolved, enum values checked, units
normalised (``5%`` is ``0.05``), comments and layout gone. Reformatting or
reordering a spec leaves the IR unchanged apart from locations, which the diff
ignores. Expressions are typed trees (``E*`` classes) that the checker lowers to
array operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import cached_property
from typing import Any

from specdsl.check_id import CheckId

GEOMETRIES = ("box", "polygon", "polyline", "point", "mask", "tag")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Loc:
    """Where a declaration was written; excluded from equality so that moving code changes nothing."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def _loc() -> Any:
    return field(default=None, compare=False)


# ---- value types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttrType:
    kind: str  # bool | int | float | string | enum
    enum: str | None = None  # name of a named enum; None for an inline one
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        if self.kind == "enum":
            return self.enum or "enum { " + ", ".join(self.values) + " }"
        if self.low is not None:
            return f"{self.kind} {_num(self.low)}..{_num(self.high)}"
        return self.kind


def _num(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


@dataclass(frozen=True)
class EnumValue:
    name: str
    doc: str | None = None
    loc: Loc | None = _loc()


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple[EnumValue, ...]
    loc: Loc | None = _loc()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values)


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttrType
    default: Any = None  # None: no default
    optional: bool = False
    doc: str | None = None
    value_docs: tuple[EnumValue, ...] = ()  # the enum's values with their docs, for the labeler docs
    loc: Loc | None = _loc()

    @property
    def required(self) -> bool:
        return not self.optional and self.default is None


# ---- typed expressions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    pass


@dataclass(frozen=True)
class EConst(Expr):
    value: Any  # bool, int, float or str (enum values are their names)


@dataclass(frozen=True)
class EAttr(Expr):
    """An attribute of the object bound to ``var`` (None: the object in scope, ``self``)."""

    var: str | None
    name: str
    kind: str  # the attribute's AttrType.kind


@dataclass(frozen=True)
class EProp(Expr):
    """A built-in property of an object: points, length, area, inside_image, id, class ..."""

    var: str | None
    name: str


@dataclass(frozen=True)
class EPointCoord(Expr):
    """``start.x`` / ``end.y`` of a polyline."""

    var: str | None
    point: str  # start | end
    axis: str  # x | y


@dataclass(frozen=True)
class EImage(Expr):
    """An image attribute (``image.weather``) or property (``image.width``, ``image.height``, ``image.id``)."""

    name: str
    is_attribute: bool
    kind: str


@dataclass(frozen=True)
class ECompare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class ESame(Expr):
    """``a == b`` / ``a != b`` between two bound objects: identity."""

    op: str
    left: str
    right: str


@dataclass(frozen=True)
class EIn(Expr):
    operand: Expr
    values: tuple[Any, ...]
    negated: bool = False


@dataclass(frozen=True)
class EAnd(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class EOr(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class ENot(Expr):
    operand: Expr


@dataclass(frozen=True)
class EArith(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class ENeg(Expr):
    operand: Expr


@dataclass(frozen=True)
class EPair(Expr):
    """A function of two bound objects: distance, intersects, iou, contains, endpoint_gap, angle."""

    func: str
    left: str
    right: str


@dataclass(frozen=True)
class ECount(Expr):
    """``count(CLASS where ...)`` (or ``exists``) over the objects of the current image."""

    class_name: str
    where: Expr | None
    exists: bool = False


@dataclass(frozen=True)
class EShare(Expr):
    """``share(CLASS where ...)`` over all objects of the export; class_name None: over images."""

    class_name: str | None
    where: Expr | None


# ---- declarations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """A declared repair (``fix ACTION`` after a require), checked: its variables are bound, ``set``'s
    attribute exists and the value fits its type, ``join``'s two objects are polylines.

    ``targets`` name the rule's variables the action acts on; in a class they are empty (the object is
    the class's own). ``text`` is the action as written, e.g. ``set w.overridden = true``.
    """

    action: str  # set | delete | clip | join
    targets: tuple[str, ...] = ()
    attribute: str | None = None
    value: Any = None  # set's value, as the export stores it (enum values are their names)
    unsafe: bool = False
    text: str = ""
    loc: Loc | None = _loc()


@dataclass(frozen=True)
class Constraint:
    check: CheckId  # CLASS.NAME when named, else CLASS.require.N (its fingerprint: the normalised expression)
    index: int  # position among the class's requires, from 1
    expr: Expr
    message: str
    text: str  # the expression as written, for docs and messages
    loc: Loc | None = _loc()
    doc: str | None = None  # the explanation the spec gives (``message`` falls back to a generated one)
    # What `specc fix` does about it; not part of what the check means, so a diff ignores it.
    fix: Fix | None = field(default=None, compare=False)

    @property
    def name(self) -> str | None:
        return self.check.name


# The scores a ``match`` line may use, with the operator each takes and the geometries it measures.
MATCH_SCORES: dict[str, tuple[str, tuple[str, ...]]] = {
    "iou": (">=", ("box", "polygon", "mask")),
    "distance": ("<=", ("box", "polygon", "polyline", "point", "mask")),
    "hausdorff": ("<=", ("polyline", "polygon")),
    "frechet": ("<=", ("polyline",)),
}


@dataclass(frozen=True)
class Match:
    """How objects of a class are paired across annotation sets (``match iou >= 0.5``; ENGINE.md)."""

    score: str  # a key of MATCH_SCORES
    threshold: float  # an iou in [0, 1], or a distance in pixels
    declared: bool = True  # False: the geometry's default, no ``match`` line
    loc: Loc | None = _loc()

    @property
    def op(self) -> str:
        return MATCH_SCORES[self.score][0]

    def passes(self, score):
        """Whether scores (numbers or arrays) pass the threshold."""
        return score >= self.threshold if self.op == ">=" else score <= self.threshold

    def describe(self) -> str:
        unit = "" if self.score == "iou" else " px"
        return f"{self.score} {self.op} {_num(self.threshold)}{unit}"


DEFAULT_MATCH = {"box": Match("iou", 0.5, False), "polygon": Match("iou", 0.5, False),
                 "mask": Match("iou", 0.5, False), "polyline": Match("hausdorff", 20.0, False),
                 "point": Match("distance", 10.0, False)}


@dataclass(frozen=True)
class Class:
    name: str
    geometry: str
    doc: str | None
    attributes: tuple[Attribute, ...]
    constraints: tuple[Constraint, ...]
    loc: Loc | None = _loc()
    declared_match: Match | None = None

    @property
    def match(self) -> Match | None:
        """The declared ``match``, else the geometry's default; None for tags (they pair by class)."""
        return self.declared_match or DEFAULT_MATCH.get(self.geometry)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class Binding:
    var: str
    class_name: str
    where: Expr | None
    text: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    message: str
    bindings: tuple[Binding, ...]
    require: Expr
    text: str = ""  # the require clause as written
    loc: Loc | None = _loc()
    # Two variables the rule reads the same with swapped (same class, same filter, symmetric require):
    # each unordered pair of objects is one binding, the first variable's object first in export order.
    unordered: tuple[str, str] | None = None
    doc: str | None = None  # the explanation the spec gives (``message`` falls back to a generated one)
    fix: Fix | None = field(default=None, compare=False)  # what `specc fix` does about it

    @property
    def check(self) -> CheckId:
        return CheckId.rule(self.name)


@dataclass(frozen=True)
class Quota:
    name: str
    severity: str
    message: str
    expr: Expr
    text: str = ""
    loc: Loc | None = _loc()
    doc: str | None = None  # the explanation the spec gives (``message`` falls back to a generated one)

    @property
    def check(self) -> CheckId:
        return CheckId.quota(self.name)


@dataclass(frozen=True)
class Example:
    title: str
    valid: bool
    check: CheckId | None  # the check an invalid example must fire
    image: dict  # the example as a native export image
    loc: Loc | None = _loc()


@dataclass(frozen=True)
class Relabel:
    class_name: str
    where: Expr
    text: str = ""


@dataclass(frozen=True)
class ReviewImages:
    where: Expr | None
    text: str = ""


@dataclass(frozen=True)
class RenameAttribute:
    class_name: str  # "image" for image attributes
    old: str
    new: str


@dataclass(frozen=True)
class RenameValue:
    class_name: str
    attribute: str
    old: str
    new: str


@dataclass(frozen=True)
class Changes:
    version: int
    summary: str | None
    actions: tuple[Relabel | ReviewImages | RenameAttribute | RenameValue, ...]
    loc: Loc | None = _loc()


@dataclass(frozen=True)
class Spec:
    name: str
    version: int
    doc: str | None
    image_attributes: tuple[Attribute, ...]
    enums: tuple[Enum, ...]
    classes: tuple[Class, ...]
    rules: tuple[Rule, ...]
    quotas: tuple[Quota, ...]
    examples: tuple[Example, ...]
    changes: tuple[Changes, ...]
    source: str = field(default="", compare=False)

    def cls(self, name: str) -> Class | None:
        return self._classes_by_name.get(name)

    def image_attribute(self, name: str) -> Attribute | None:
        return self._image_attributes_by_name.get(name)

    # Built on first use and kept in the instance (a frozen dataclass allows it: cached_property writes
    # the instance dict directly): the diff and docs look classes up by name tens of thousands of times.
    @cached_property
    def _classes_by_name(self) -> dict[str, Class]:
        return _first_by_name(self.classes)

    @cached_property
    def _image_attributes_by_name(self) -> dict[str, Attribute]:
        return _first_by_name(self.image_attributes)

    def check_ids(self) -> tuple[CheckId, ...]:
        """Every check that can fire (the schema check aside)."""
        ids = [CheckId.attribute("image", a.name) for a in self.image_attributes]
        for c in self.classes:
            ids += [CheckId.attribute(c.name, a.name) for a in c.attributes] + [k.check for k in c.constraints]
        return tuple(ids + [r.check for r in self.rules] + [q.check for q in self.quotas])

    def fixes(self) -> dict[CheckId, Fix]:
        """The declared fix of each check that has one."""
        owners = [k for c in self.classes for k in c.constraints] + list(self.rules)
        return {owner.check: owner.fix for owner in owners if owner.fix is not None}

    def check_names(self) -> tuple[str, ...]:
        """Every check that can fire, by the names findings use."""
        return tuple(str(c) for c in self.check_ids())


def _first_by_name(items: tuple) -> dict:
    """Name -> item; with duplicate names (a spec with errors) the first wins, as in a linear search."""
    by_name: dict = {}
    for item in items:
        by_name.setdefault(item.name, item)
    return by_name


def to_json(node: Any) -> Any:
    """A JSON-ready form of any IR value (``specc compile --emit ir``)."""
    if is_dataclass(node):
        out: dict[str, Any] = {"node": type(node).__name__}
        for f in fields(node):
            value = getattr(node, f.name)
            out[f.name] = str(value) if isinstance(value, (Loc, CheckId)) else to_json(value)
        return out
    if isinstance(node, (tuple, list)):
        return [to_json(v) for v in node]
    if isinstance(node, dict):
        return {k: to_json(v) for k, v in node.items()}
    return node
