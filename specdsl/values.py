"""Whether a value fits an attribute type: shared by the compiler (defaults) and the checker (data)."""

from __future__ import annotations

from specdsl import ir


def _expected(attr_type: ir.AttrType) -> str:
    if attr_type.kind == "enum":
        return f"one of {', '.join(attr_type.values)}"
    return {"bool": "true or false", "string": "a string"}.get(attr_type.kind, f"a number ({attr_type.kind})")


def value_problem(value, attr_type: ir.AttrType) -> str | None:
    """Why ``value`` does not fit ``attr_type`` (None when it fits); shared with the checker's examples."""
    kind = attr_type.kind
    if isinstance(value, (list, dict)):  # a multi-select or nested JSON: no attribute type holds one
        return f"value must be {_expected(attr_type)}, got {'a list' if isinstance(value, list) else 'an object'}"
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "string":
        return None if isinstance(value, str) else "must be a string"
    if kind == "enum":
        if not isinstance(value, str) or value not in attr_type.values:
            return f"'{value}' is not one of {', '.join(attr_type.values)}"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number ({kind})"
    if kind == "int" and not float(value).is_integer():
        return "must be a whole number"
    if attr_type.low is not None and not attr_type.low <= value <= attr_type.high:
        return f"{value} is outside {attr_type.describe()}"
    return None
