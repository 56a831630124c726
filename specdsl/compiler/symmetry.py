"""Which rules read the same with two variables swapped, decided on the IR.

``for a in C where F(a)`` / ``for b in C where F(b) and G(a, b)`` / ``require R(a, b)`` binds each
unordered pair twice, as (x, y) and (y, x). When the whole rule (every ``where`` conjunct, taken
as a set, and the ``require``) is unchanged by swapping ``a`` and ``b`` the two bindings fail or
pass together, so the checker keeps one of them (LANGUAGE.md). Deciding this is a comparison of
IR trees after a swap, in a normal form that knows which operations commute: symmetric pair
functions (``compiler/builtins.py``), ``a != b``, ``==`` and ``!=``, ``and``/``or``, ``+`` and ``*``.
It errs on the side of "not symmetric": a rule it cannot prove symmetric reports ordered pairs.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from itertools import combinations

from specdsl import ir
from specdsl.compiler.builtins import PAIR_FUNCTIONS

_FLIPPED = {">": "<", ">=": "<="}
_COMMUTING_ARITH = ("+", "*")
_VARIABLE_FIELDS = {
    ir.EAttr: ("var",), ir.EProp: ("var",), ir.EPointCoord: ("var",), ir.ESame: ("left", "right"),
    ir.EPair: ("left", "right"),
}


def unordered_pair(bindings: tuple[ir.Binding, ...], require: ir.Expr) -> tuple[str, str] | None:
    """The first two variables (in ``for`` order) that the rule reads the same with swapped, or None."""
    conditions = [c for b in bindings for c in ir_conjuncts(b.where)]
    for first, second in combinations(bindings, 2):
        if first.class_name != second.class_name:
            continue
        swap = {first.var: second.var, second.var: first.var}
        same_filter = _normal_set(conditions) == _normal_set([rename(c, swap) for c in conditions])
        if same_filter and normal(require) == normal(rename(require, swap)):
            return first.var, second.var
    return None


def ir_conjuncts(expr: ir.Expr | None) -> list[ir.Expr]:
    if expr is None:
        return []
    if isinstance(expr, ir.EAnd):
        return [c for operand in expr.operands for c in ir_conjuncts(operand)]
    return [expr]


def rename(expr, mapping: dict[str, str]):
    """``expr`` with the rule variables renamed by ``mapping`` (the filters of aggregates bind none)."""
    if isinstance(expr, tuple):
        return tuple(rename(e, mapping) for e in expr)
    if not is_dataclass(expr) or isinstance(expr, (ir.ECount, ir.EShare)):
        return expr
    changes = {f: mapping.get(getattr(expr, f), getattr(expr, f)) for f in _VARIABLE_FIELDS.get(type(expr), ())}
    for f in fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, (ir.Expr, tuple)):
            changes[f.name] = rename(value, mapping)
    return replace(expr, **changes)


def normal(expr):
    """A canonical form of ``expr``: equal for expressions that differ only in the order of commuting operands."""
    if isinstance(expr, ir.ESame):
        return replace(expr, left=min(expr.left, expr.right), right=max(expr.left, expr.right))
    if isinstance(expr, ir.EPair):
        if PAIR_FUNCTIONS[expr.func].symmetric:
            return replace(expr, left=min(expr.left, expr.right), right=max(expr.left, expr.right))
        return expr
    if isinstance(expr, ir.ECompare):
        return _normal_compare(expr)
    if isinstance(expr, (ir.EAnd, ir.EOr)):
        return replace(expr, operands=tuple(sorted(set(map(normal, expr.operands)), key=repr)))
    if isinstance(expr, ir.EArith):
        left, right = normal(expr.left), normal(expr.right)
        if expr.op in _COMMUTING_ARITH:
            left, right = sorted((left, right), key=repr)
        return replace(expr, left=left, right=right)
    if isinstance(expr, (ir.ENot, ir.ENeg)):
        return replace(expr, operand=normal(expr.operand))
    if isinstance(expr, ir.EIn):
        return replace(expr, operand=normal(expr.operand))
    return expr


def _normal_compare(expr: ir.ECompare) -> ir.ECompare:
    left, right, op = normal(expr.left), normal(expr.right), expr.op
    if op in _FLIPPED:
        left, right, op = right, left, _FLIPPED[op]
    elif op in ("==", "!="):
        left, right = sorted((left, right), key=repr)
    return ir.ECompare(op, left, right)


def _normal_set(exprs: list[ir.Expr]) -> frozenset:
    return frozenset(normal(e) for e in exprs)
