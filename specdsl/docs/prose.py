"""Spec expressions as plain sentences for labelers: ``length >= 10`` -> "its length is at least 10 px".

Each function returns escaped HTML (``Markup``); names from the spec are shown as ``<code>``.
The wording is plain rather than clever: the expression as written is shown next to it.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from specdsl import ir

_COMPARE = {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is more than",
            ">=": "is at least"}
_PROPERTY = {"points": "number of points", "length": "length", "area": "area", "perimeter": "perimeter",
             "width": "width", "height": "height", "aspect": "aspect ratio (width / height)", "id": "id",
             "class": "class"}
_BOOL_PROPERTY = {"inside_image": "lies fully inside the image",
                  "valid": "is a simple polygon (its edges do not cross)"}
_PAIR = {"distance": "the distance between {a} and {b}", "iou": "the overlap (IoU) of {a} and {b}",
         "endpoint_gap": "the gap between the nearest ends of {a} and {b}",
         "angle": "the angle between {a} and {b}"}
_BOOL_PAIR = {"intersects": "{a} crosses {b}", "contains": "{a} contains {b}"}
_UNITS = {"length": " px", "perimeter": " px", "width": " px", "height": " px", "area": " px²",
          "distance": " px", "endpoint_gap": " px", "angle": "°"}


def code(text: object) -> Markup:
    return Markup("<code>{}</code>").format(text)


def describe(expr: ir.Expr) -> Markup:
    """A clause that reads as a statement (for boolean expressions) or a noun phrase (for values)."""
    handler = _HANDLERS.get(type(expr))
    return handler(expr) if handler else code(type(expr).__name__)


def requirement(expr: ir.Expr) -> Markup:
    """What a ``require`` demands, as a sentence without its subject."""
    if isinstance(expr, ir.EConst) and expr.value is False:
        return Markup("never allowed: no such combination may exist")
    return describe(expr)


def _owner(var: str | None, noun: str) -> Markup:
    return Markup("its {}").format(noun) if var is None else Markup("the {} of {}").format(noun, code(var))


def _subject(var: str | None) -> Markup:
    return Markup("it") if var is None else code(var)


def _const(expr: ir.EConst, unit: str = "") -> Markup:
    value = expr.value
    if isinstance(value, bool):
        return code("true" if value else "false")
    if isinstance(value, (int, float)):
        return escape(number_text(value) + unit)
    return code(value)


def number_text(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _percent(value: float) -> str:
    return number_text(round(value * 100, 6)) + "%"


def _attr(expr: ir.EAttr) -> Markup:
    name = expr.name if expr.var is None else f"{expr.var}.{expr.name}"
    if expr.kind == "bool":
        return Markup("{} is {}").format(code(name), code("true"))
    return code(name)


def _prop(expr: ir.EProp) -> Markup:
    if expr.name in _BOOL_PROPERTY:
        return Markup("{} {}").format(_subject(expr.var), _BOOL_PROPERTY[expr.name])
    return _owner(expr.var, _PROPERTY.get(expr.name, expr.name))


def _point(expr: ir.EPointCoord) -> Markup:
    return _owner(expr.var, f"{expr.axis} of the {expr.point} point")


def _image(expr: ir.EImage) -> Markup:
    if expr.is_attribute:
        text = code(f"image.{expr.name}")
        return Markup("{} is {}").format(text, code("true")) if expr.kind == "bool" else text
    return Markup("the image {}").format(expr.name)


def _unit_of(expr: ir.Expr) -> str:
    if isinstance(expr, ir.EProp):
        return _UNITS.get(expr.name, "")
    if isinstance(expr, ir.EPair):
        return _UNITS.get(expr.func, "")
    return ""


def _side(expr: ir.Expr, other: ir.Expr) -> Markup:
    """A constant takes the unit of what it is compared with; a share is a percentage."""
    if isinstance(expr, ir.EConst) and isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool):
        if isinstance(other, ir.EShare):
            return escape(_percent(expr.value))
        return _const(expr, _unit_of(other))
    return describe(expr)


_POINT_COUNT = {">=": "has at least {n} points", "<=": "has at most {n} points", "==": "has exactly {n} points",
                ">": "has more than {n} points", "<": "has fewer than {n} points",
                "!=": "does not have exactly {n} points"}


def _point_count(expr: ir.ECompare) -> Markup | None:
    """``points >= 2`` reads better as "it has at least 2 points" than as a comparison."""
    left, right = expr.left, expr.right
    if not (isinstance(left, ir.EProp) and left.name == "points" and isinstance(right, ir.EConst)):
        return None
    if isinstance(right.value, bool) or not isinstance(right.value, (int, float)) or expr.op not in _POINT_COUNT:
        return None
    return Markup("{} {}").format(_subject(left.var), _POINT_COUNT[expr.op].format(n=number_text(right.value)))


def _compare(expr: ir.ECompare) -> Markup:
    counted = _point_count(expr)
    if counted is not None:
        return counted
    if isinstance(expr.left, ir.EAttr) and expr.left.kind == "bool" and isinstance(expr.right, ir.EConst):
        name = expr.left.name if expr.left.var is None else f"{expr.left.var}.{expr.left.name}"
        return Markup("{} {} {}").format(code(name), _COMPARE[expr.op], _const(expr.right))
    op = _COMPARE.get(expr.op, expr.op)
    return Markup("{} {} {}").format(_side(expr.left, expr.right), op, _side(expr.right, expr.left))


def _same(expr: ir.ESame) -> Markup:
    verb = "are the same object" if expr.op == "==" else "are different objects"
    return Markup("{} and {} {}").format(code(expr.left), code(expr.right), verb)


def _in(expr: ir.EIn) -> Markup:
    values = Markup(", ").join(_const(ir.EConst(v)) for v in expr.values)
    verb = "is none of" if expr.negated else "is one of"
    return Markup("{} {} {}").format(describe(expr.operand), verb, values)


def _and(expr: ir.EAnd) -> Markup:
    return Markup(", and ").join(describe(e) for e in expr.operands)


def _or(expr: ir.EOr) -> Markup:
    return Markup("either ") + Markup(", or ").join(describe(e) for e in expr.operands)


def _not(expr: ir.ENot) -> Markup:
    return Markup("not ({})").format(describe(expr.operand))


def _arith(expr: ir.EArith) -> Markup:
    return Markup("({} {} {})").format(describe(expr.left), expr.op, describe(expr.right))


def _neg(expr: ir.ENeg) -> Markup:
    return Markup("minus {}").format(describe(expr.operand))


def _pair(expr: ir.EPair) -> Markup:
    template = _PAIR.get(expr.func) or _BOOL_PAIR.get(expr.func)
    if template is None:  # a built-in added later: show it as written
        return code(f"{expr.func}({expr.left}, {expr.right})")
    return Markup(template).format(a=code(expr.left), b=code(expr.right))


def _where(where: ir.Expr | None) -> Markup:
    return Markup("") if where is None else Markup(" where {}").format(describe(where))


def _count(expr: ir.ECount) -> Markup:
    if expr.exists:
        return Markup("there is a {}{}").format(code(expr.class_name), _where(expr.where))
    return Markup("the number of {} objects in the image{}").format(code(expr.class_name), _where(expr.where))


def _share(expr: ir.EShare) -> Markup:
    if expr.class_name is None:
        return Markup("the share of images{}").format(_where(expr.where))
    return Markup("the share of {} objects{}").format(code(expr.class_name), _where(expr.where))


_HANDLERS: dict[type, Callable[..., Markup]] = {
    ir.EConst: _const, ir.EAttr: _attr, ir.EProp: _prop, ir.EPointCoord: _point, ir.EImage: _image,
    ir.ECompare: _compare, ir.ESame: _same, ir.EIn: _in, ir.EAnd: _and, ir.EOr: _or, ir.ENot: _not,
    ir.EArith: _arith, ir.ENeg: _neg, ir.EPair: _pair, ir.ECount: _count, ir.EShare: _share,
}


def sentence(clause: Markup) -> Markup:
    """Capitalise a clause (keeping any leading tag intact) and end it with a full stop."""
    text = str(clause)
    if text and text[0].isalpha():
        text = text[0].upper() + text[1:]
    return Markup(text if text.endswith(".") else text + ".")
