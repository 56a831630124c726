"""Examples: a tiny labeled image written in the spec, lowered to a native export image.

Attribute values are not type-checked here: an ``invalid`` example may hold a wrong value
on purpose (to show ``CLASS.ATTR`` firing). ``specc test`` runs the checker on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specdsl import ir
from specdsl.compiler.symbols import literal_value
from specdsl.diagnostics import did_you_mean
from specdsl.syntax import ast

if TYPE_CHECKING:
    from specdsl.compiler.lower import Lowerer

GEOMETRY_FIELDS = {"points", "box", "point", "mask"}
OBJECT_FIELDS = GEOMETRY_FIELDS | {"id", "occluded", "z_order", "rotation"}


def lower_example(lowerer: Lowerer, decl: ast.ExampleDecl) -> ir.Example:
    if not decl.valid:
        _check_reference(lowerer, decl)
    objects = [_object(lowerer, obj, k) for k, obj in enumerate(decl.objects, start=1)]
    image = {"id": f"example: {decl.title}", "width": decl.width, "height": decl.height,
             "attributes": {f.name: literal_value(f.value) for f in decl.image_fields},
             "objects": [o for o in objects if o is not None]}
    return ir.Example(decl.title, decl.valid, decl.check, image, lowerer.loc(decl))


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


def check_names(symbols) -> list[str]:
    names = list(symbols.checks) + ["schema"]
    names += [f"image.{a}" for a in symbols.image_attributes]
    for cls in symbols.classes.values():
        names += [f"{cls.decl.name}.{a}" for a in cls.attributes]
        names += [f"{cls.decl.name}.require.{i}" for i in range(1, len(cls.decl.requires) + 1)]
    return names


def _check_reference(lowerer: Lowerer, decl: ast.ExampleDecl) -> None:
    names = check_names(lowerer.symbols)
    if decl.check not in names:
        lowerer.sink.error("E0116", f"example names an unknown check '{decl.check}'", decl.check_span,
                           "no such rule, quota or constraint",
                           help=did_you_mean(decl.check, names)
                           or "name a rule, a quota, CLASS.require.N or CLASS.ATTR")
