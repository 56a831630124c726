"""The JSON Schema (2020-12) of a native export that fits a spec: ``specc compile --emit jsonschema``.

It states the shape (classes, geometry keys, attribute types, enum values, ranges,
required attributes); constraints, rules and quotas need the checker.
"""

from __future__ import annotations

from specdsl import ir

_COORD = {"type": "number"}
_PAIR = {"type": "array", "items": _COORD, "minItems": 2, "maxItems": 2}
GEOMETRY_SCHEMAS = {
    "polyline": ("points", {"type": "array", "items": _PAIR}),
    "polygon": ("points", {"type": "array", "items": _PAIR}),
    "box": ("box", {"type": "array", "items": _COORD, "minItems": 4, "maxItems": 4}),
    "point": ("point", _PAIR),
    "mask": ("mask", {"type": "object", "required": ["size", "counts"],
                      "properties": {"size": {"type": "array", "items": {"type": "integer"}},
                                     "counts": {"type": ["array", "string"]}}}),
}


def attribute_schema(attr: ir.Attribute) -> dict:
    t = attr.type
    if t.kind == "enum":
        schema: dict = {"enum": list(t.values)}
    else:
        schema = {"type": {"bool": "boolean", "int": "integer", "float": "number", "string": "string"}[t.kind]}
        if t.low is not None:
            schema |= {"minimum": t.low, "maximum": t.high}
    if attr.doc:
        schema["description"] = attr.doc
    if attr.default is not None:
        schema["default"] = attr.default
    return schema


def attributes_schema(attributes: tuple[ir.Attribute, ...]) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {a.name: attribute_schema(a) for a in attributes},
            "required": [a.name for a in attributes if a.required]}


def class_schema(cls: ir.Class) -> dict:
    schema = {"type": "object", "required": ["id", "class"],
              "properties": {"id": {"type": "string"}, "class": {"const": cls.name},
                             "attributes": attributes_schema(cls.attributes)}}
    if cls.geometry in GEOMETRY_SCHEMAS:
        key, geometry = GEOMETRY_SCHEMAS[cls.geometry]
        schema["properties"][key] = geometry
        schema["required"].append(key)
    if any(a.required for a in cls.attributes):
        schema["required"].append("attributes")
    if cls.doc:
        schema["description"] = cls.doc
    return schema


def export_schema(spec: ir.Spec) -> dict:
    image_attributes = attributes_schema(spec.image_attributes)
    image = {"type": "object", "required": ["id", "objects"] + (["attributes"] if image_attributes["required"] else []),
             "properties": {"id": {"type": "string"}, "width": {"type": "number", "exclusiveMinimum": 0},
                            "height": {"type": "number", "exclusiveMinimum": 0},
                            "spec_version": {"type": "integer", "minimum": 1, "maximum": spec.version},
                            "attributes": image_attributes,
                            "objects": {"type": "array", "items": {"$ref": "#/$defs/object"}}}}
    objects = {"oneOf": [{"$ref": f"#/$defs/class_{c.name}"} for c in spec.classes]}
    defs = {"image": image, "object": objects} | {f"class_{c.name}": class_schema(c) for c in spec.classes}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:specdsl:{spec.name}:{spec.version}", "title": f"{spec.name} version {spec.version} export",
            "type": "object", "required": ["images"],
            "properties": {"spec": {"const": spec.name},
                           "images": {"type": "array", "items": {"$ref": "#/$defs/image"}}},
            "$defs": defs}
