"""Types of expressions, as the checker sees them (distinct from attribute types)."""

from __future__ import annotations

from dataclasses import dataclass

BOOL_KIND, NUM, STR_KIND, ENUM = "bool", "num", "str", "enum"
OBJECT, POINT_KIND, ERROR_KIND = "object", "point", "error"

UNIT_NAMES = {None: "a plain number", "px": "pixels", "px2": "square pixels", "deg": "degrees",
              "ratio": "a fraction", "count": "a count"}


@dataclass(frozen=True)
class T:
    kind: str
    unit: str | None = None  # numbers: px, px2, deg, ratio, count, or None
    enum: str | None = None  # enums: the enum's name (None for inline enums)
    values: tuple[str, ...] = ()  # enums: the allowed values
    class_name: str | None = None  # objects: the bound class

    def describe(self) -> str:
        if self.kind == NUM:
            return "number" if self.unit is None else f"number ({UNIT_NAMES.get(self.unit, self.unit)})"
        if self.kind == ENUM:
            return f"enum {self.enum}" if self.enum else "enum { " + ", ".join(self.values) + " }"
        if self.kind == OBJECT:
            return f"object of class {self.class_name}"
        return {"str": "string", "bool": "bool", "point": "point"}.get(self.kind, self.kind)


BOOL = T(BOOL_KIND)
STR = T(STR_KIND)
POINT = T(POINT_KIND)
ERROR = T(ERROR_KIND)  # an expression already reported: suppresses follow-on errors


def multiply_units(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return "px2" if (a, b) == ("px", "px") else None


def divide_units(a: str | None, b: str | None) -> str | None:
    if b is None:
        return a
    if a == b:
        return None
    return "px" if (a, b) == ("px2", "px") else None
