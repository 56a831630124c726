"""Which attributes of a bound object an expression reads (to leave out objects whose attribute is broken)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from specdsl import ir


def uses(expr: ir.Expr, var: str | None) -> set[str]:
    found: set[str] = set()
    _walk(expr, var, found)
    return found


def _walk(node, var: str | None, found: set[str]) -> None:
    if isinstance(node, (ir.ECount, ir.EShare)):
        return  # their filters range over other objects
    if isinstance(node, ir.EAttr) and node.var == var:
        found.add(node.name)
        return
    if is_dataclass(node):
        for f in fields(node):
            _walk(getattr(node, f.name), var, found)
    elif isinstance(node, tuple):
        for item in node:
            _walk(item, var, found)


def classes_named(expr: ir.Expr) -> set[str]:
    """Classes an expression counts or measures (count/exists/share)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, (ir.ECount, ir.EShare)) and node.class_name:
            found.add(node.class_name)
        if is_dataclass(node):
            for f in fields(node):
                walk(getattr(node, f.name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(expr)
    return found


def variables_read(expr: ir.Expr) -> set[str | None]:
    """The rule variables an expression reads (count/exists/share filters range over other objects)."""
    found: set[str | None] = set()

    def walk(node) -> None:
        if isinstance(node, (ir.ECount, ir.EShare)):
            return
        if isinstance(node, (ir.EAttr, ir.EProp, ir.EPointCoord)):
            found.add(node.var)
        elif isinstance(node, (ir.ESame, ir.EPair)):
            found.update((node.left, node.right))
        if is_dataclass(node):
            for f in fields(node):
                walk(getattr(node, f.name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(expr)
    return found


def conjuncts(expr: ir.Expr | None) -> tuple[ir.Expr, ...]:
    if expr is None:
        return ()
    return expr.operands if isinstance(expr, ir.EAnd) else (expr,)
