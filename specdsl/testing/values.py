"""Attribute values by type: what the spec accepts, and what it rejects (for ``CLASS.ATTR`` violations)."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass

from hypothesis import strategies as st

from specdsl import ir

_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=12)


@dataclass(frozen=True)
class Literals:
    """The constants a spec's expressions compare with (``s.text == "STOP"``, ``confidence >= 0.5``): drawn
    often, so that a ``where`` or ``require`` that names one can hold and can fail."""

    strings: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()


def literals(spec: ir.Spec) -> Literals:
    found: set = set()
    for cls in spec.classes:
        for constraint in cls.constraints:
            _constants(constraint.expr, found)
    for rule in spec.rules:
        _constants(rule.require, found)
        for binding in rule.bindings:
            _constants(binding.where, found)
    strings = tuple(sorted(v for v in found if isinstance(v, str)))
    numbers = tuple(sorted(v for v in found if isinstance(v, int | float) and not isinstance(v, bool)))
    return Literals(strings, numbers)


def _constants(expr, found: set) -> None:
    if isinstance(expr, ir.EConst):
        found.add(expr.value)
    elif isinstance(expr, ir.EIn):
        found.update(expr.values)
    if is_dataclass(expr):
        for item in fields(expr):
            value = getattr(expr, item.name)
            for part in value if isinstance(value, tuple) else (value,):
                if isinstance(part, ir.Expr):
                    _constants(part, found)


def valid_value(attr: ir.Attribute, pool: Literals = Literals()) -> st.SearchStrategy:
    drawn = _valid_value(attr)
    kind = attr.type
    if kind.kind == "string" and pool.strings:
        return st.one_of(st.sampled_from(pool.strings), drawn)
    if kind.kind in ("int", "float") and pool.numbers:
        near = [n + d for n in pool.numbers for d in (-1, 0, 1)]
        near = [int(n) if kind.kind == "int" else float(n) for n in near
                if (kind.kind == "float" or float(n).is_integer())
                and (kind.low is None or n >= kind.low) and (kind.high is None or n <= kind.high)]
        if near:
            return st.one_of(st.sampled_from(near), drawn)
    return drawn


def _valid_value(attr: ir.Attribute) -> st.SearchStrategy:
    kind = attr.type
    if kind.kind == "enum":
        return st.sampled_from(kind.values)
    if kind.kind == "bool":
        return st.booleans()
    if kind.kind == "int":
        low = int(kind.low) if kind.low is not None else -1000
        high = int(kind.high) if kind.high is not None else 1000
        return st.integers(low, high)
    if kind.kind == "float":
        low = kind.low if kind.low is not None else -1000.0
        high = kind.high if kind.high is not None else 1000.0
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    return _TEXT


def invalid_value(attr: ir.Attribute) -> st.SearchStrategy:
    """A value the attribute's type rejects (never "missing": that is :func:`drops`)."""
    kind = attr.type
    if kind.kind == "enum":
        return st.sampled_from(["not_a_value", "NOT-" + kind.values[0]]).filter(lambda v: v not in kind.values)
    if kind.kind == "bool":
        return st.sampled_from(["maybe", 2, [True]])
    if kind.kind in ("int", "float"):
        outside = []
        if kind.high is not None:
            outside.append(st.just(kind.high + 1))
        if kind.low is not None:
            outside.append(st.just(kind.low - 1))
        wrong = st.sampled_from(["many", [1]] + ([1.5] if kind.kind == "int" else []))
        return st.one_of(wrong, *outside)
    return st.sampled_from([12, [1, 2], {"a": 1}])


def attribute_values(attributes: tuple[ir.Attribute, ...], pool: Literals = Literals()) -> st.SearchStrategy[dict]:
    """Valid values for every attribute: required ones always, optional and defaulted ones sometimes."""
    required = {a.name: valid_value(a, pool) for a in attributes if a.required}
    optional = {a.name: valid_value(a, pool) for a in attributes if not a.required}
    return st.fixed_dictionaries(required, optional=optional)
