"""What an expression reads: the attributes and rule variables, found by one walk over the IR."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass

from specdsl import ir

_AGGREGATES = (ir.ECount, ir.EShare)


def nodes(expr, *, into_aggregates: bool = False) -> Iterator[ir.Expr]:
    """Every expression node under ``expr``; the filters of count/exists/share (which range over other
    objects) only with ``into_aggregates``."""
    if isinstance(expr, tuple):
        for item in expr:
            yield from nodes(item, into_aggregates=into_aggregates)
        return
    if not is_dataclass(expr):
        return
    yield expr
    if isinstance(expr, _AGGREGATES) and not into_aggregates:
        return
    for f in fields(expr):
        yield from nodes(getattr(expr, f.name), into_aggregates=into_aggregates)


def uses(expr: ir.Expr, var: str | None) -> set[str]:
    """Attributes of the object bound to ``var`` (None: ``self``) that ``expr`` reads."""
    return {n.name for n in nodes(expr) if isinstance(n, ir.EAttr) and n.var == var}


_NOT_GEOMETRY = frozenset({"id", "class", "occluded", "z_order"})


def reads_geometry(expr: ir.Expr, var: str | None) -> bool:
    """Whether ``expr`` reads the geometry of the object bound to ``var`` (None: ``self``)."""
    for n in nodes(expr):
        if isinstance(n, ir.EPointCoord) and n.var == var:
            return True
        if isinstance(n, ir.EProp) and n.var == var and n.name not in _NOT_GEOMETRY:
            return True
        if isinstance(n, ir.EPair) and var in (n.left, n.right):
            return True
    return False


def variables_read(expr: ir.Expr) -> set[str | None]:
    """The rule variables an expression reads."""
    found: set[str | None] = set()
    for n in nodes(expr):
        if isinstance(n, (ir.EAttr, ir.EProp, ir.EPointCoord)):
            found.add(n.var)
        elif isinstance(n, (ir.ESame, ir.EPair)):
            found.update((n.left, n.right))
    return found


def conjuncts(expr: ir.Expr | None) -> tuple[ir.Expr, ...]:
    if expr is None:
        return ()
    return expr.operands if isinstance(expr, ir.EAnd) else (expr,)
