"""Every diagnostic code of the compiler, with its documentation (``specc explain CODE``).

Codes are API: never renumber one; retire it instead.
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    "E0001": ("syntax error", "The text does not follow the grammar: a token appears where the language does not "
              "allow it. The message names what was found and what could come next.\n\n"
              "    require lenght >= 10     # fine syntactically\n"
              "    requir length >= 10      # E0001: did you mean 'require'?"),
    "E0002": ("unexpected character or unterminated string", "A character that no token starts with (such as '@'), "
              "or a string that is not closed on its line. Strings use double quotes; documentation spanning "
              "several lines uses triple quotes \"\"\"...\"\"\"."),
    "E0101": ("duplicate declaration", "Two classes, enums, rules or quotas share a name, a class declares an "
              "attribute twice, an enum lists a value twice, or two `changes` blocks name the same version. "
              "A named constraint (`require NAME: EXPR`) is a check `CLASS.NAME`, so its name may be neither "
              "another constraint's of the class nor one of the class's attributes."),
    "E0102": ("unknown class", "A rule's `for`, a `count`/`exists`/`share`, a `relabel` or an example object names "
              "a class that the spec does not declare."),
    "E0103": ("unknown type", "An attribute's type is not bool, int, float, string, a range `int LO..HI` / "
              "`float LO..HI`, an inline `enum { ... }` or the name of a declared enum."),
    "E0104": ("unknown enum value", "A bare name compared with an enum attribute is not one of the enum's values:\n\n"
              "    for o in lane_line where o.color == purple   # LaneColor has white, yellow, orange"),
    "E0105": ("unknown attribute or property", "A name is neither an attribute of the class nor a built-in property "
              "of its geometry (polylines have points, length, start, end; polygons points, area, perimeter, valid; "
              "boxes width, height, area, aspect; points x, y; masks area, width, height; all inside_image, id, "
              "class). `area` of a polyline is this error."),
    "E0106": ("function not defined for this geometry", "A pair function is applied to a geometry it does not "
              "measure, e.g. angle() or endpoint_gap() of boxes (they take polylines)."),
    "E0107": ("type mismatch", "Operands do not fit: comparing an enum with a number, ordering strings, `and` over "
              "a number, a require that is not true/false."),
    "E0108": ("unit mismatch", "A number with a unit is compared with a value of another unit (`angle(a, b) < "
              "5px`). Write the number bare to take the unit of what it is compared with."),
    "E0109": ("variable bound twice", "Two `for` lines of a rule bind the same variable name."),
    "E0110": ("unknown function or wrong arguments", "A call names no built-in function, or passes the wrong "
              "arguments: distance/intersects/iou/contains/endpoint_gap/angle take two rule variables; "
              "count/exists/share take `CLASS` or `CLASS where EXPR`."),
    "E0111": ("unknown severity", "A rule or quota severity is not error, warning or info."),
    "E0112": ("unknown geometry", "A class geometry is not box, polygon, polyline, point, mask or tag."),
    "E0113": ("invalid default", "An attribute's default does not fit its type (an enum default that is not a "
              "value, a number outside the range, a string for a bool)."),
    "E0114": ("invalid range", "A range type whose low bound is above its high bound, an int range with "
              "fractional bounds, or a range on a type other than int/float."),
    "E0115": ("invalid version", "The spec version is not a positive whole number, or a `changes N` block names "
              "a version above the spec's own."),
    "E0116": ("unknown check in an example", "`example ... invalid CHECK` names no rule, quota, `CLASS.require.N` "
              "or `CLASS.ATTR` of the spec."),
    "E0118": ("aggregate not available here", "share() measures the whole export and belongs in quotas; "
              "count()/exists() count within one image and belong in rules and class requires; none of them "
              "may be nested inside another's filter."),
    "E0119": ("invalid rename", "A `rename` in a `changes` block names as its new name an attribute or value "
              "that the current spec does not declare, even after the renames of later `changes` blocks (a "
              "chain such as `a -> b` in version 2 and `b -> c` in version 3 is fine: `b` leads to `c`)."),
    "E0120": ("expression nested too deeply", "An expression or value nests more than 200 levels. Each "
              "operator, `not`, minus sign, function call, member access `.`, comparison, list `[...]` and "
              "pair `(x, y)` is one level, so a chain of 250 `+` is 250 levels; an `and`/`or` chain is one "
              "level however long, and parentheses add none. The limit keeps every pass of the compiler "
              "within Python's stack; split the expression into several requires or rules.\n\n"
              "    require not not not ... x         # E0120 past 200 `not`"),
    "E0121": ("number out of range", "A whole number above 9223372036854775807 (it must fit 64 bits), or a "
              "number too large for a float (1.8e308 and above). Write a larger float with an exponent or a "
              "decimal point (1e30), which is stored as a float.\n\n"
              "    count: int = 99999999999999999999   # E0121\n"
              "    scale: float = 1e30                 # fine"),
    "E0122": ("example size or coordinate too large", "An example's `image W x H` or a coordinate of an "
              "example object's `points`, `box` or `point` is more than 10,000,000 px (from 0). The checker "
              "lays the images of an export side by side on one axis, so it needs finite, bounded "
              "extents; exports with larger values get a `schema` finding instead."),
    "E0150": ("invalid match", "A class's `match SCORE OP THRESHOLD` line (how objects are paired across "
              "annotation sets) names an unknown score, a score its geometry cannot measure, the wrong operator, "
              "a threshold out of range, or appears twice. Scores: `iou >= T` (box, polygon, mask; T in 0..1 or "
              "a percentage), `distance <= D` (any geometry), `hausdorff <= D` (polyline, polygon), "
              "`frechet <= D` (polyline); distances are pixels. Tag classes pair by class and take no `match`.\n\n"
              "    class vehicle: box { match iou >= 0.5 }\n"
              "    class lane_line: polyline { match hausdorff <= 15 px }"),
    "E0160": ("fix names an unbound variable", "A rule's `fix` acts on the objects its `for` lines bind; it "
              "named a variable the rule does not bind.\n\n"
              "    for w in lane_line ...\n    require w.overridden\n    fix set x.overridden = true   # E0160"),
    "E0161": ("fix sets an unknown attribute", "`fix set VAR.ATTR = VALUE` (in a class: `fix set ATTR = VALUE`) "
              "names an attribute the object's class does not declare.\n\n"
              "    fix set w.overriden = true   # E0161: did you mean overridden?"),
    "E0162": ("fix sets a value of the wrong type", "The value of `fix set` must fit the attribute's type: a "
              "bool for a bool, a value of the enum for an enum, a number in the range for a ranged number.\n\n"
              "    overridden: bool = false\n    fix set overridden = 1   # E0162"),
    "E0163": ("fix clip on a geometry without extent", "`fix clip` clips boxes, polygons and polylines to the "
              "image bounds; points, masks and tags cannot be clipped (use `fix delete`)."),
    "E0164": ("invalid fix join", "`fix join A, B` makes one polyline of two: A and B must be two different "
              "variables bound to polyline objects.\n\n"
              "    for a in lane_line ...\n    for b in lane_line ...\n    fix join a, b"),
}


def explain_code(code: str) -> str | None:
    entry = CODES.get(code.upper())
    if entry is None:
        return None
    title, body = entry
    return f"{code.upper()}: {title}\n\n{body}\n"
