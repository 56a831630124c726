"""Pass 2: name resolution and type checking of expressions, producing typed IR expressions.

Every error is reported to the sink and the offending sub-expression gets the
``ERROR`` type, which silences follow-on errors, so one run reports each mistake once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from specdsl import ir
from specdsl.compiler import builtins as B
from specdsl.compiler.symbols import ClassInfo, Symbols
from specdsl.compiler.types import (
    BOOL,
    BOOL_KIND,
    ENUM,
    ERROR,
    ERROR_KIND,
    NUM,
    OBJECT,
    POINT_KIND,
    STR,
    STR_KIND,
    T,
    divide_units,
    multiply_units,
)
from specdsl.diagnostics import DiagnosticSink, did_you_mean
from specdsl.syntax import ast

_ORDERING = ("<", "<=", ">", ">=")


@dataclass(frozen=True)
class Scope:
    """What bare names and variables mean where an expression is written."""

    self_class: ClassInfo | None = None  # bare names are this class's attributes and properties
    image_bare: bool = False  # bare names are image attributes (``image where ...``, ``review images where``)
    variables: dict[str, ClassInfo] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()  # variables whose 'for' failed: references are not errors again
    aggregates: str = "count"  # which aggregates are allowed: "count" (per image), "share" (quotas), "none"


Typed = tuple[ir.Expr | None, T]


def _attr_type(attr: ir.Attribute) -> T:
    kind = attr.type.kind
    if kind == "enum":
        return T(ENUM, enum=attr.type.enum, values=attr.type.values)
    if kind in ("int", "float"):
        return T(NUM)
    return {"bool": BOOL, "string": STR}[kind]


def _is_id(expr: ir.Expr | None) -> bool:
    """An object's or the image's id: ids order as strings (``a.id < b.id`` orders a pair by hand)."""
    return (isinstance(expr, ir.EProp) and expr.name == "id") or (isinstance(expr, ir.EImage) and expr.name == "id")


class ExprChecker:
    def __init__(self, symbols: Symbols, sink: DiagnosticSink):
        self.symbols = symbols
        self.sink = sink

    def condition(self, expr: ast.Expr, scope: Scope, what: str) -> ir.Expr | None:
        """Check an expression that must be a bool (require, where, quota)."""
        typed, t = self.check(expr, scope)
        if t.kind not in (BOOL_KIND, ERROR_KIND):
            self.sink.error("E0107", f"{what} must be true or false, not {t.describe()}", expr.span,
                            f"this is {t.describe()}", help="compare it with something, e.g. '>= 1'")
            return None
        return typed

    def check(self, expr: ast.Expr, scope: Scope) -> Typed:
        return HANDLERS[type(expr)](self, expr, scope)

    # ---- leaves
    def _number(self, expr: ast.Number, scope: Scope) -> Typed:
        unit = B.UNITS.get(expr.unit) if expr.unit else None
        value = expr.value / 100 if expr.unit == "%" else expr.value
        return ir.EConst(value), T(NUM, unit=unit)

    def _string(self, expr: ast.String, scope: Scope) -> Typed:
        return ir.EConst(expr.value), STR

    def _bool(self, expr: ast.Bool, scope: Scope) -> Typed:
        return ir.EConst(expr.value), BOOL

    def _imageref(self, expr: ast.ImageRef, scope: Scope) -> Typed:
        self.sink.error("E0107", "'image' alone is not a value", expr.span, "use image.ATTRIBUTE",
                        help="write e.g. image.weather or image.width")
        return None, ERROR

    def _name(self, expr: ast.Name, scope: Scope) -> Typed:
        if expr.name in scope.broken:
            return None, ERROR
        if expr.name in scope.variables:
            return None, T(OBJECT, class_name=scope.variables[expr.name].decl.name)
        if scope.self_class is not None:
            found = self._object_member(None, scope.self_class, expr.name)
            if found:
                return found
        if scope.image_bare:
            found = self._image_member(expr.name)
            if found:
                return found
        return self._unknown_name(expr, scope)

    def _unknown_name(self, expr: ast.Name, scope: Scope) -> Typed:
        candidates = list(scope.variables)
        if scope.self_class:
            candidates += list(scope.self_class.attributes) + list(B.properties_of(scope.self_class.geometry))
        if scope.image_bare:
            candidates += list(self.symbols.image_attributes) + list(B.IMAGE_PROPERTIES)
        where = f"class {scope.self_class.decl.name}" if scope.self_class else "this scope"
        self._unknown("E0105", f"unknown name '{expr.name}' in {where}", expr.span, expr.name, candidates,
                      self._geometry_note(expr.name, scope.self_class))
        return None, ERROR

    def _geometry_note(self, name: str, cls: ClassInfo | None) -> str | None:
        owners = B.geometries_with(name)
        if cls is None or not owners:
            return None
        return f"'{name}' is a property of {', '.join(owners)} geometries; {cls.decl.name} is a {cls.geometry}"

    def _unknown(self, code, message, span, name, candidates, note=None) -> None:
        hint = did_you_mean(name, candidates)
        self.sink.error(code, message, span, "not found", help=hint or note,
                        notes=(note,) if note and hint else ())

    def _object_member(self, var: str | None, cls: ClassInfo, name: str) -> Typed | None:
        attr = cls.attributes.get(name)
        if attr is not None:
            return ir.EAttr(var, name, attr.type.kind), _attr_type(attr)
        prop = B.properties_of(cls.geometry).get(name)
        if prop is not None:
            return ir.EProp(var, name), replace(prop.type, class_name=cls.decl.name) if prop.type.kind == POINT_KIND \
                else prop.type
        return None

    def _image_member(self, name: str) -> Typed | None:
        attr = self.symbols.image_attributes.get(name)
        if attr is not None:
            return ir.EImage(name, True, attr.type.kind), _attr_type(attr)
        if name in B.IMAGE_PROPERTIES:
            return ir.EImage(name, False, "int" if name != "id" else "string"), B.IMAGE_PROPERTIES[name]
        return None

    def _member(self, expr: ast.Member, scope: Scope) -> Typed:
        if isinstance(expr.obj, ast.ImageRef):
            found = self._image_member(expr.name)
            if found:
                return found
            self._unknown("E0105", f"unknown image attribute '{expr.name}'", expr.name_span, expr.name,
                          [*self.symbols.image_attributes, *B.IMAGE_PROPERTIES])
            return None, ERROR
        if isinstance(expr.obj, ast.Name) and expr.obj.name in scope.broken:
            return None, ERROR
        if isinstance(expr.obj, ast.Name) and expr.obj.name in scope.variables:
            return self._variable_member(expr, expr.obj.name, scope.variables[expr.obj.name])
        base, t = self.check(expr.obj, scope)
        if t.kind == POINT_KIND and expr.name in ("x", "y") and isinstance(base, ir.EProp):
            return ir.EPointCoord(base.var, base.name, expr.name), T(NUM, unit="px")
        if t.kind != ERROR_KIND:
            self.sink.error("E0105", f"a {t.describe()} has no member '{expr.name}'", expr.name_span, "not found",
                            help="points have .x and .y; objects bound by 'for' have attributes and properties")
        return None, ERROR

    def _variable_member(self, expr: ast.Member, var: str, cls: ClassInfo) -> Typed:
        found = self._object_member(var, cls, expr.name)
        if found:
            return found
        candidates = list(cls.attributes) + list(B.properties_of(cls.geometry))
        self._unknown("E0105", f"class {cls.decl.name} has no attribute or property '{expr.name}'", expr.name_span,
                      expr.name, candidates, self._geometry_note(expr.name, cls))
        return None, ERROR

    # ---- operators
    def _compare(self, expr: ast.Compare, scope: Scope) -> Typed:
        if self._is_variable(expr.left, scope) or self._is_variable(expr.right, scope):
            return self._identity(expr, scope)
        left, lt, right, rt = self._operands(expr.left, expr.right, scope)
        if ERROR_KIND in (lt.kind, rt.kind) or not self._comparable(expr, lt, rt, _is_id(left) or _is_id(right)):
            return None, BOOL
        if lt.kind == NUM:
            self._check_units(expr, expr.left, lt, expr.right, rt)
        return ir.ECompare(expr.op, left, right), BOOL

    def _operands(self, a: ast.Expr, b: ast.Expr, scope: Scope):
        """Bare names next to an enum are that enum's values: ``color == orange`` and ``orange == color``."""
        if self._is_bare_value(a, scope) and not self._is_bare_value(b, scope):
            right, rt = self.check(b, scope)
            left, lt = self._bare_value(a, rt, scope)
        else:
            left, lt = self.check(a, scope)
            right, rt = self._bare_value(b, lt, scope) if self._is_bare_value(b, scope) else self.check(b, scope)
        return left, lt, right, rt

    def _is_bare_value(self, expr: ast.Expr, scope: Scope) -> bool:
        return isinstance(expr, ast.Name) and not self._resolves(expr.name, scope)

    def _bare_value(self, expr: ast.Name, other: T, scope: Scope) -> Typed:
        if other.kind == ENUM:
            return self._enum_value(expr, other)
        if other.kind == ERROR_KIND:
            return None, ERROR
        return self.check(expr, scope)

    def _is_variable(self, expr: ast.Expr, scope: Scope) -> bool:
        return isinstance(expr, ast.Name) and (expr.name in scope.variables or expr.name in scope.broken)

    def _identity(self, expr: ast.Compare, scope: Scope) -> Typed:
        if {getattr(expr.left, "name", None), getattr(expr.right, "name", None)} & scope.broken:
            return None, BOOL
        both = self._is_variable(expr.left, scope) and self._is_variable(expr.right, scope)
        if not both or expr.op not in ("==", "!="):
            self.sink.error("E0107", "objects can only be compared with == or != to other objects", expr.span,
                            "comparing an object", help="compare an attribute instead, e.g. a.color == b.color")
            return None, BOOL
        return ir.ESame(expr.op, expr.left.name, expr.right.name), BOOL

    def _resolves(self, name: str, scope: Scope) -> bool:
        if name in scope.variables:
            return True
        if scope.self_class and (name in scope.self_class.attributes
                                 or name in B.properties_of(scope.self_class.geometry)):
            return True
        return scope.image_bare and (name in self.symbols.image_attributes or name in B.IMAGE_PROPERTIES)

    def _enum_value(self, expr: ast.Name, enum_t: T) -> Typed:
        if expr.name in enum_t.values:
            return ir.EConst(expr.name), enum_t
        owner = f"enum {enum_t.enum}" if enum_t.enum else "the enum { " + ", ".join(enum_t.values) + " }"
        self.sink.error("E0104", f"'{expr.name}' is not a value of {owner}", expr.span, f"not in {owner}",
                        help=did_you_mean(expr.name, enum_t.values) or "values: " + ", ".join(enum_t.values))
        return None, ERROR

    def _comparable(self, expr: ast.Compare, lt: T, rt: T, ids: bool = False) -> bool:
        """Same kinds; orderings only between numbers, or between strings when one side is an id."""
        ordering = expr.op in _ORDERING
        ok = (lt.kind == rt.kind and (not ordering or lt.kind == NUM or (ids and lt.kind == STR_KIND))
              and not (lt.kind == ENUM and rt.kind == ENUM and lt.values != rt.values and lt.values and rt.values))
        if ok:
            return True
        if lt.kind == rt.kind and ordering:
            message = f"'{expr.op}' needs numbers (or object ids), not {lt.describe()} values"
        else:
            message = f"cannot compare {lt.describe()} with {rt.describe()}"
        self.sink.error("E0107", message, expr.span, "type mismatch",
                        help="enum values are written bare (color == orange), strings in quotes")
        return False

    def _check_units(self, node, a: ast.Expr, at: T, b: ast.Expr, bt: T) -> None:
        """A literal's unit must match what it is compared with; a bare literal takes the other side's unit."""
        if at.unit == bt.unit:
            return
        literal_a, literal_b = isinstance(a, ast.Number), isinstance(b, ast.Number)
        if (literal_a and a.unit is None) or (literal_b and b.unit is None):
            return
        if "ratio" in (at.unit, bt.unit) and None in (at.unit, bt.unit):
            return  # 5% against a plain number (e.g. a 0..1 confidence) is a fraction
        if not (literal_a or literal_b) and "count" in (at.unit, bt.unit) and None in (at.unit, bt.unit):
            return
        self.sink.error("E0108", f"unit mismatch: {at.describe()} against {bt.describe()}", node.span,
                        "units differ", help="write the number bare to use the unit of what it is compared with")

    def _inset(self, expr: ast.InSet, scope: Scope) -> Typed:
        operand, t = self.check(expr.operand, scope)
        if t.kind == ERROR_KIND:
            return None, BOOL
        values = []
        for value in expr.values:
            checked = self._set_member(value, t)
            if checked is not None:
                values.append(checked)
        return ir.EIn(operand, tuple(values), expr.negated), BOOL

    def _set_member(self, value: ast.Value, t: T):
        if t.kind == ENUM and isinstance(value, ast.Name):
            const, vt = self._enum_value(value, t)
            return const.value if const else None
        kinds = {ast.Number: NUM, ast.String: STR_KIND, ast.Bool: BOOL_KIND}
        if kinds.get(type(value)) == t.kind:
            return value.value / 100 if isinstance(value, ast.Number) and value.unit == "%" else value.value
        self.sink.error("E0107", f"set member does not fit a {t.describe()}", value.span, "wrong type",
                        help="enum values are written bare, strings in quotes")
        return None

    def _boolop(self, expr: ast.BoolOp, scope: Scope) -> Typed:
        operands = tuple(self.condition(op, scope, f"an operand of '{expr.op}'") for op in expr.operands)
        if any(o is None for o in operands):
            return None, BOOL
        return (ir.EAnd(operands) if expr.op == "and" else ir.EOr(operands)), BOOL

    def _not(self, expr: ast.Not, scope: Scope) -> Typed:
        operand = self.condition(expr.operand, scope, "the operand of 'not'")
        return (ir.ENot(operand) if operand is not None else None), BOOL

    def _arith(self, expr: ast.Arith, scope: Scope) -> Typed:
        left, lt = self.check(expr.left, scope)
        right, rt = self.check(expr.right, scope)
        if ERROR_KIND in (lt.kind, rt.kind):
            return None, ERROR
        if lt.kind != NUM or rt.kind != NUM:
            bad = expr.left if lt.kind != NUM else expr.right
            self.sink.error("E0107", f"'{expr.op}' needs numbers", bad.span, "not a number")
            return None, ERROR
        if expr.op in "+-":
            self._check_units(expr, expr.left, lt, expr.right, rt)
            unit = lt.unit if lt.unit == rt.unit or rt.unit is None or isinstance(expr.right, ast.Number) else lt.unit
        else:
            unit = (multiply_units if expr.op == "*" else divide_units)(lt.unit, rt.unit)
        return ir.EArith(expr.op, left, right), T(NUM, unit=unit)

    def _neg(self, expr: ast.Neg, scope: Scope) -> Typed:
        operand, t = self.check(expr.operand, scope)
        if t.kind not in (NUM, ERROR_KIND):
            self.sink.error("E0107", "'-' needs a number", expr.operand.span, "not a number")
            return None, ERROR
        return (ir.ENeg(operand) if operand is not None else None), t

    def _classfilter(self, expr: ast.ClassFilter, scope: Scope) -> Typed:
        self.sink.error("E0110", "'CLASS where ...' is only an argument of count, exists or share", expr.span,
                        "not inside count/exists/share")
        return None, ERROR

    def _listvalue(self, expr, scope):
        self.sink.error("E0107", "a list is not a value in expressions", expr.span, "list")
        return None, ERROR

    _pairvalue = _listvalue

    # ---- calls
    def _call(self, expr: ast.Call, scope: Scope) -> Typed:
        if expr.func in B.PAIR_FUNCTIONS:
            return self._pair_call(expr, scope, B.PAIR_FUNCTIONS[expr.func])
        if expr.func in B.AGGREGATES:
            return self._aggregate(expr, scope)
        self._unknown("E0110", f"unknown function '{expr.func}'", expr.name_span, expr.func,
                      [*B.PAIR_FUNCTIONS, *B.AGGREGATES])
        return None, ERROR

    def _pair_call(self, expr: ast.Call, scope: Scope, fn: B.PairFunction) -> Typed:
        if any(isinstance(a, ast.Name) and a.name in scope.broken for a in expr.args):
            return None, ERROR
        if len(expr.args) != 2 or not all(self._is_variable(a, scope) for a in expr.args):
            self.sink.error("E0110", f"{fn.name}() takes two objects bound by 'for'", expr.span,
                            "wrong arguments", help=f"write {fn.name}(a, b) where a and b are rule variables")
            return None, ERROR
        names = [a.name for a in expr.args]
        for arg, name in zip(expr.args, names):
            geometry = scope.variables[name].geometry
            if geometry not in fn.geometries:
                self.sink.error("E0106", f"{fn.name}() is not defined for {geometry} geometries", arg.span,
                                f"'{name}' is a {geometry}", help=f"{fn.name}() takes {', '.join(fn.geometries)}")
                return None, ERROR
        return ir.EPair(fn.name, names[0], names[1]), fn.result

    def _aggregate(self, expr: ast.Call, scope: Scope) -> Typed:
        func = expr.func
        allowed = {"count": ("count", "exists"), "share": ("share",), "none": ()}[scope.aggregates]
        if func not in allowed:
            help_ = "quotas measure the whole export with share(CLASS where ...)" if func != "share" \
                else "share() is for quotas; in rules use count() or exists()"
            self.sink.error("E0118", f"{func}() is not available here", expr.name_span, "not allowed here", help=help_)
            return None, ERROR
        if len(expr.args) != 1:
            self.sink.error("E0110", f"{func}() takes one argument: CLASS or CLASS where ...", expr.span,
                            "wrong arguments")
            return None, ERROR
        return self._aggregate_arg(func, expr.args[0], scope)

    def _aggregate_arg(self, func: str, arg: ast.Expr, scope: Scope) -> Typed:
        if isinstance(arg, ast.ClassFilter):
            class_name, where, span = arg.class_name, arg.where, arg.name_span
        elif isinstance(arg, ast.Name):
            class_name, where, span = arg.name, None, arg.span
        elif isinstance(arg, ast.ImageRef):
            class_name, where, span = None, None, arg.span
        else:
            self.sink.error("E0110", f"{func}() takes a class name", arg.span, "not a class")
            return None, ERROR
        if class_name is None:
            return self._image_share(func, where, arg)
        info = self.symbols.classes.get(class_name)
        if info is None:
            self._unknown("E0102", f"unknown class '{class_name}'", span, class_name, self.symbols.classes)
            return None, ERROR
        inner = Scope(self_class=info, aggregates="none")
        typed_where = self.condition(where, inner, "the filter") if where is not None else None
        if where is not None and typed_where is None:
            return None, ERROR
        if func == "share":
            return ir.EShare(class_name, typed_where), T(NUM, unit="ratio")
        return ir.ECount(class_name, typed_where, func == "exists"), BOOL if func == "exists" else T(NUM, unit="count")

    def _image_share(self, func: str, where, arg) -> Typed:
        if func != "share":
            self.sink.error("E0110", f"{func}() counts objects of a class, not images", arg.span, "not a class")
            return None, ERROR
        inner = Scope(image_bare=True, aggregates="none")
        typed_where = self.condition(where, inner, "the filter") if where is not None else None
        if where is not None and typed_where is None:
            return None, ERROR
        return ir.EShare(None, typed_where), T(NUM, unit="ratio")


# One handler per kind of AST expression (tests/test_check_ids.py checks that none is missing or stray).
HANDLERS = {
    ast.Number: ExprChecker._number, ast.String: ExprChecker._string, ast.Bool: ExprChecker._bool,
    ast.Name: ExprChecker._name, ast.ImageRef: ExprChecker._imageref, ast.Member: ExprChecker._member,
    ast.ClassFilter: ExprChecker._classfilter, ast.Call: ExprChecker._call, ast.Compare: ExprChecker._compare,
    ast.InSet: ExprChecker._inset, ast.BoolOp: ExprChecker._boolop, ast.Not: ExprChecker._not,
    ast.Arith: ExprChecker._arith, ast.Neg: ExprChecker._neg, ast.ListValue: ExprChecker._listvalue,
    ast.PairValue: ExprChecker._pairvalue,
}
