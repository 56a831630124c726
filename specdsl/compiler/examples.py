"""Examples: a tiny labeled image written in the spec, lowered to a native export image.

Attribute values are not type-checked here: an ``invalid`` example may hold a wrong value
on purpose (to show ``CLASS.ATTR`` firing). ``specc test`` runs the checker on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.compiler.symbols import literal_value
from specdsl.diagnostics import did_you_mean
from specdsl.syntax import ast

if TYPE_CHECKING:
    from specdsl.compiler.lower import Lowerer

GEOMETRY_FIELDS = {"points", "box", "point", "mask"}
OBJECT_FIELDS = GEOMETRY_FIELDS | {"id", "occluded", "z_order", "rotation"}


def lower_example(lowerer: Lowerer, decl: ast.ExampleDecl) -> ir.Example:
    check = None if decl.valid else _check_reference(lowerer, decl)
    objects = [_object(lowerer, obj, k) for k, obj in enumerate(decl.objects, start=1)]
    image = {"id": f"example: {decl.title}", "width": decl.width, "height": decl.height,
             "attributes": {f.name: literal_value(f.value) for f in decl.image_fields},
             "objects": [o for o in objects if o is not None]}
    return ir.Example(decl.title, decl.valid, check, image, lowerer.loc(decl))


def _object(lowerer: Lowerer, obj: ast.ExampleObject, k: int) -> dict | None:
    if lowerer.lookup_class(obj.class_name, obj.span) is None:
        return None
    record: dict = {"id": f"o{k}", "class": obj.class_name, "attributes": {}}
    for f in obj.fields:
        value = literal_value(f.value)
        if f.name in OBJECT_FIELDS:
            record[f.name] = str(value) if f.name == "id" else value
        else:
            record["attributes"][f.name] = value
    return record


def check_ids(symbols) -> dict[str, CheckId]:
    """Every check an example may name, by its wire form (names of constraints as the classes declare them)."""
    ids = [CheckId.quota(n) if n in symbols.quotas else CheckId.rule(n) for n in symbols.checks] + [CheckId.schema()]
    ids += [CheckId.attribute("image", a) for a in symbols.image_attributes]
    for cls in symbols.classes.values():
        ids += [CheckId.attribute(cls.decl.name, a) for a in cls.attributes]
        ids += [CheckId.constraint(cls.decl.name, i, r.name) for i, r in enumerate(cls.decl.requires, start=1)]
    return {str(c): c for c in ids}


def _check_reference(lowerer: Lowerer, decl: ast.ExampleDecl) -> CheckId | None:
    """The check an ``invalid`` example names; rules and quotas are told apart later, by the spec."""
    ids = check_ids(lowerer.symbols)
    found = ids.get(decl.check or "")
    if found is None:
        lowerer.sink.error("E0116", f"example names an unknown check '{decl.check}'", decl.check_span,
                           "no such rule, quota or constraint",
                           help=did_you_mean(decl.check, ids)
                           or "name a rule, a quota, CLASS.NAME, CLASS.require.N or CLASS.ATTR")
    return found
