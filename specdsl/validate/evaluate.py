"""Evaluate typed IR expressions over columns: every node is one array operation over all rows.

A row is one object (constraints, single-``for`` rules), one tuple of objects
(multi-``for`` rules), or one image (rules without ``for``). Missing values are
unequal to everything: ``==`` and orderings are false, ``!=`` is true.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

import numpy as np
import shapely

from specdsl import ir
from specdsl.validate import geometry as geo
from specdsl.validate.view import AttributeValues, ClassView

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


@dataclass
class CatVal:
    """Values still coded: a comparison with a constant is done once per distinct value."""

    categories: np.ndarray  # object array; the last slot is None (missing)
    codes: np.ndarray

    def materialize(self) -> np.ndarray:
        return self.categories[self.codes]


@dataclass
class Env:
    rows: int
    image_index: np.ndarray
    variables: dict  # var name (None for self) -> (ClassView, object index per row)
    context: EvalContext


@dataclass
class EvalContext:
    dataset: object
    views: dict[str, ClassView]
    image_attributes: dict[str, AttributeValues]
    _image_counts: dict = field(default_factory=dict)
    shares: dict | None = None  # id(EShare) -> fraction merged over chunks (specdsl.scale.quotas)

    def object_env(self, view: ClassView, index: np.ndarray | None = None, var: str | None = None) -> Env:
        index = np.arange(view.n) if index is None else index
        return Env(len(index), view.table.image_index[index], {var: (view, index)}, self)

    def image_env(self) -> Env:
        n = len(self.dataset.images)
        return Env(n, np.arange(n), {}, self)

    def export_env(self) -> Env:
        """One row for the whole export (quotas): only share() and constants mean anything here."""
        return Env(1, np.zeros(1, dtype=np.int64), {}, self)


def evaluate(expr: ir.Expr, env: Env):
    return _EVALUATORS[type(expr)](expr, env)


def truth(expr: ir.Expr, env: Env) -> np.ndarray:
    """A condition as a bool array of ``env.rows``."""
    value = evaluate(expr, env)
    if isinstance(value, CatVal):
        value = value.materialize() == True  # noqa: E712 - elementwise
    return np.broadcast_to(np.asarray(value, dtype=bool), (env.rows,))


def _const(expr: ir.EConst, env: Env):
    return expr.value


def _attr(expr: ir.EAttr, env: Env):
    view, index = env.variables[expr.var]
    return _attribute_values(view.attributes[expr.name], expr.kind, index)


def _attribute_values(values: AttributeValues, kind: str, index: np.ndarray):
    column = values.effective
    if kind in ("int", "float"):
        table = np.array([_as_float(c) for c in column.categories] + [np.nan], dtype=float)
        return table[column.codes[index]]
    # bools stay coded too: a missing one must be neither true nor false in == and in { }
    return CatVal(column.category_array(), column.codes[index])


def _as_float(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else np.nan


def _prop(expr: ir.EProp, env: Env):
    view, index = env.variables[expr.var]
    return view.prop(expr.name)[index]


def _point_coord(expr: ir.EPointCoord, env: Env):
    view, index = env.variables[expr.var]
    return view.prop(expr.point)[index, 0 if expr.axis == "x" else 1]


def _image(expr: ir.EImage, env: Env):
    images = env.context.dataset.images
    if expr.is_attribute:
        return _attribute_values(env.context.image_attributes[expr.name], expr.kind, env.image_index)
    if expr.name == "id":
        return np.asarray(images.ids, dtype=object)[env.image_index]
    return getattr(images, expr.name)[env.image_index]


def _compare(expr: ir.ECompare, env: Env):
    left, right = evaluate(expr.left, env), evaluate(expr.right, env)
    op = _OPS[expr.op]
    if isinstance(left, CatVal) and not isinstance(right, (CatVal, np.ndarray)):
        return _coded(left, lambda v: v is not None and op(v, right), expr.op == "!=")
    if isinstance(right, CatVal) and not isinstance(left, (CatVal, np.ndarray)):
        return _coded(right, lambda v: v is not None and op(left, v), expr.op == "!=")
    left, right = _plain(left), _plain(right)
    with np.errstate(invalid="ignore"):
        result = op(left, right)
    if _is_object(left) or _is_object(right):
        known = _not_none(left) & _not_none(right)  # a missing value is unequal to everything, even another
        result = result | ~known if expr.op == "!=" else result & known
    return result


def _coded(values: CatVal, test, missing: bool) -> np.ndarray:
    table = np.array([test(c) for c in values.categories[:-1]] + [missing], dtype=bool)
    return table[values.codes]


def _plain(value):
    return value.materialize() if isinstance(value, CatVal) else value


def _is_object(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == object


def _not_none(value):
    return value != None if _is_object(value) else True  # noqa: E711 - elementwise


def _in(expr: ir.EIn, env: Env):
    value = evaluate(expr.operand, env)
    members = set(expr.values)
    if isinstance(value, CatVal):
        result = _coded(value, lambda v: v is not None and v in members, False)
    else:
        result = np.isin(value, list(members))
    return ~result if expr.negated else result


def _and(expr: ir.EAnd, env: Env):
    return np.logical_and.reduce([truth(o, env) for o in expr.operands])


def _or(expr: ir.EOr, env: Env):
    return np.logical_or.reduce([truth(o, env) for o in expr.operands])


def _not(expr: ir.ENot, env: Env):
    return ~truth(expr.operand, env)


def _arith(expr: ir.EArith, env: Env):
    left = np.asarray(_plain(evaluate(expr.left, env)), dtype=float)
    right = np.asarray(_plain(evaluate(expr.right, env)), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[expr.op](left, right)


def _neg(expr: ir.ENeg, env: Env):
    return -np.asarray(evaluate(expr.operand, env), dtype=float)


def _same(expr: ir.ESame, env: Env):
    (va, ia), (vb, ib) = env.variables[expr.left], env.variables[expr.right]
    same = (ia == ib) if va is vb else np.zeros(env.rows, dtype=bool)
    return same if expr.op == "==" else ~same


def _pair(expr: ir.EPair, env: Env):
    (va, ia), (vb, ib) = env.variables[expr.left], env.variables[expr.right]
    return pair_function(expr.func, va, ia, vb, ib)


def pair_function(func: str, va: ClassView, ia: np.ndarray, vb: ClassView, ib: np.ndarray) -> np.ndarray:
    return PAIR_EVALUATORS[func](va, ia, vb, ib)


def _endpoint_gap(va: ClassView, ia: np.ndarray, vb: ClassView, ib: np.ndarray) -> np.ndarray:
    return geo.endpoint_gap(tuple(e[ia] for e in va.ends), tuple(e[ib] for e in vb.ends))


def _angle(va: ClassView, ia: np.ndarray, vb: ClassView, ib: np.ndarray) -> np.ndarray:
    return geo.angle_between(va.ends[0][ia], va.ends[1][ia], vb.ends[0][ib], vb.ends[1][ib])


def _on_shapes(function):
    """A pair function of the two objects' shapely geometries."""
    def evaluate(va: ClassView, ia: np.ndarray, vb: ClassView, ib: np.ndarray) -> np.ndarray:
        return function(va.shapes_of(ia), vb.shapes_of(ib))

    return evaluate


# One evaluator per pair function of compiler/builtins.py (tests/test_check_ids.py keeps them in step).
PAIR_EVALUATORS = {
    "endpoint_gap": _endpoint_gap, "angle": _angle, "distance": _on_shapes(shapely.distance),
    "iou": _on_shapes(geo.iou), "intersects": _on_shapes(shapely.intersects), "contains": _on_shapes(shapely.contains),
}


def _count(expr: ir.ECount, env: Env):
    counts = image_counts(expr, env.context)
    per_row = counts[env.image_index]
    return per_row > 0 if expr.exists else per_row.astype(float)


def image_counts(expr: ir.ECount, context: EvalContext) -> np.ndarray:
    """Objects of a class passing the filter, per image (computed once per expression)."""
    key = (expr.class_name, expr.where)
    if key not in context._image_counts:
        view = context.views[expr.class_name]
        mask = truth(expr.where, context.object_env(view)) if expr.where is not None else np.ones(view.n, bool)
        n_images = len(context.dataset.images)
        context._image_counts[key] = np.bincount(view.table.image_index[mask], minlength=n_images)
    return context._image_counts[key]


def _share(expr: ir.EShare, env: Env):
    context = env.context
    if context.shares is not None:
        return context.shares[id(expr)]
    if expr.class_name is None:
        image_env = context.image_env()
        mask = truth(expr.where, image_env) if expr.where is not None else np.ones(image_env.rows, bool)
    else:
        view = context.views[expr.class_name]
        mask = truth(expr.where, context.object_env(view)) if expr.where is not None else np.ones(view.n, bool)
    return float(mask.mean()) if mask.size else np.nan


_EVALUATORS = {
    ir.EConst: _const, ir.EAttr: _attr, ir.EProp: _prop, ir.EPointCoord: _point_coord, ir.EImage: _image,
    ir.ECompare: _compare, ir.EIn: _in, ir.EAnd: _and, ir.EOr: _or, ir.ENot: _not, ir.EArith: _arith,
    ir.ENeg: _neg, ir.ESame: _same, ir.EPair: _pair, ir.ECount: _count, ir.EShare: _share,
}
