"""Hypothesis strategies of native exports built from a spec (the extra ``specdsl[testing]``).

``exports(spec)`` draws exports that pass every check of the spec except quotas; ``violations(spec, CHECK)``
draws exports on which CHECK fires. Use them to test converters and training pipelines against the spec::

    from hypothesis import given
    from specdsl.testing import exports

    @given(exports("specs/lanes.spec"))
    def test_my_converter_keeps_valid_labels_valid(export): ...

How: images, objects and attribute values are drawn from the IR (every geometry, every attribute type with
its range and enum values). For ``exports``, objects are drawn tame (inside the image, fair sizes, simple
polygons) and then the real checker prunes what the spec's constraints and rules still reject (objects
named by a finding are removed, an image with an image-level finding is dropped), so any constraint or rule
the language can express is honoured. For ``violations``, the check's own ingredients are added to a valid
export: a wrong or missing attribute value, wild geometry for a class constraint, bound objects drawn on
top of each other (so ``distance``, ``iou``, ``intersects``, ``endpoint_gap`` and ``angle`` relations hold)
or many objects for a ``count``, and the example is kept when the check fires.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path

from hypothesis import strategies as st

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.testing.geometry import near, tame, wild
from specdsl.testing.values import Literals, attribute_values, invalid_value, literals

__all__ = ["exports", "violations", "findings_of", "checks_of"]

SCHEMA = "schema"
NO_LITERALS = Literals()
_SIZES = st.sampled_from([(320, 240), (640, 360), (400, 400)])


def _spec(spec: ir.Spec | str | Path) -> ir.Spec:
    if isinstance(spec, ir.Spec):
        return spec
    from specdsl.compiler import compile_file

    return compile_file(spec)


def findings_of(spec: ir.Spec | str | Path, export: dict) -> list:
    """The findings of ``export`` under ``spec``, quotas left out (one drawn export says nothing of balance)."""
    from specdsl.data.build import build_dataset
    from specdsl.data.records import ImageRecord
    from specdsl.validate import run_checks

    spec = _spec(spec)
    records = [ImageRecord(image, "generated", f"/images/{k}") for k, image in enumerate(export["images"])]
    return [f for f in run_checks(spec, build_dataset(records, "generated", spec.name)) if f.kind != "quota"]


def checks_of(spec: ir.Spec | str | Path) -> list[str]:
    """Every check :func:`violations` can make fire: schema, attributes, class constraints, rules."""
    spec = _spec(spec)
    out = [SCHEMA]
    out += [f"image.{a.name}" for a in spec.image_attributes]
    for cls in spec.classes:
        out += [f"{cls.name}.{a.name}" for a in cls.attributes]
        out += [str(c.check) for c in cls.constraints]
    return out + [r.name for r in spec.rules]


# ---- drawing ----------------------------------------------------------------------------------------


@st.composite
def _object(draw, cls: ir.Class, number: int, width: int, height: int, shapes=tame, geometry: dict | None = None,
            pool: Literals = NO_LITERALS):
    obj = {"id": f"o{number}", "class": cls.name, "attributes": draw(attribute_values(cls.attributes, pool))}
    obj.update(geometry if geometry is not None else draw(shapes(cls.geometry, width, height)))
    return obj


@st.composite
def _image(draw, spec: ir.Spec, number: int, max_objects: int, shapes=tame):
    pool = literals(spec)
    width, height = draw(_SIZES)
    image = {"id": f"img{number}", "width": width, "height": height, "spec_version": spec.version,
             "attributes": draw(attribute_values(spec.image_attributes, pool)), "objects": []}
    if spec.classes:
        classes = draw(st.lists(st.sampled_from(spec.classes), max_size=max_objects))
        image["objects"] = [draw(_object(cls, k, width, height, shapes, pool=pool)) for k, cls in enumerate(classes)]
    return image


@st.composite
def _raw(draw, spec: ir.Spec, max_images: int, max_objects: int, shapes=tame):
    count = draw(st.integers(1, max_images))
    return {"spec": spec.name, "images": [draw(_image(spec, k, max_objects, shapes)) for k in range(count)]}


def _pruned(spec: ir.Spec, export: dict, rounds: int = 6) -> dict | None:
    """``export`` without what the checker rejects; None when nothing valid is left."""
    for _ in range(rounds):
        found = findings_of(spec, export)
        if not found:
            return export
        drop_images = {f.image for f in found if not f.objects}
        drop_objects = {(f.image, o) for f in found for o in f.objects}
        images = []
        for image in export["images"]:
            if image["id"] in drop_images:
                continue
            image = {**image, "objects": [o for o in image["objects"] if (image["id"], o["id"]) not in drop_objects]}
            images.append(image)
        if not images:
            return None
        export = {**export, "images": images}
    return None


def exports(spec: ir.Spec | str | Path, valid: bool = True, max_images: int = 3,
            max_objects: int = 6) -> st.SearchStrategy[dict]:
    """Native exports of ``spec``: with ``valid`` (the default) ones on which no check fires (quotas aside);
    with ``valid=False`` ones on which at least one check fires."""
    spec = _spec(spec)
    if valid:
        return _raw(spec, max_images, max_objects).map(lambda e: _pruned(spec, e)).filter(lambda e: e is not None)
    return _raw(spec, max_images, max_objects, wild).filter(lambda e: bool(findings_of(spec, e)))


# ---- violations -------------------------------------------------------------------------------------


def violations(spec: ir.Spec | str | Path, check: str | CheckId, max_images: int = 2,
               max_objects: int = 4) -> st.SearchStrategy[dict]:
    """Native exports of ``spec`` on which ``check`` fires (a name from :func:`checks_of`, or a CheckId)."""
    spec = _spec(spec)
    check = str(check)
    inject = _injector(spec, check)
    base = exports(spec, True, max_images, max_objects)

    @st.composite
    def build(draw):
        export = draw(base)
        image = export["images"][0]
        export["images"][0] = draw(inject(image))
        return export

    return build().filter(lambda e: any(f.check == check for f in findings_of(spec, e)))


def _injector(spec: ir.Spec, check: str):
    if check == SCHEMA:
        return _unknown_class
    pool = literals(spec)
    owner, _, rest = check.partition(".")
    if owner == "image" and any(a.name == rest for a in spec.image_attributes):
        attr = next(a for a in spec.image_attributes if a.name == rest)
        return lambda image: _broken_image_attribute(image, attr)
    cls = spec.cls(owner)
    if cls is not None and cls.attribute(rest) is not None:
        return lambda image: _broken_attribute(image, cls, cls.attribute(rest), pool)
    if cls is not None and any(str(c.check) == check for c in cls.constraints):
        return lambda image: _wild_objects(image, cls, pool)
    rule = next((r for r in spec.rules if r.name == check), None)
    if rule is not None:
        return lambda image: _rule_objects(image, spec, rule, pool)
    raise ValueError(f"unknown check {check!r}; known: {', '.join(checks_of(spec))}")


def _fresh(image: dict) -> int:
    return 1000 + len(image["objects"])


def _unknown_class(image: dict) -> st.SearchStrategy[dict]:
    obj = {"id": f"o{_fresh(image)}", "class": "not_a_class_of_the_spec", "box": [1, 1, 5, 5], "attributes": {}}
    return st.just({**image, "objects": [*image["objects"], obj]})


@st.composite
def _broken_image_attribute(draw, image: dict, attr: ir.Attribute):
    attributes = dict(image["attributes"])
    if attr.required and draw(st.booleans()):
        attributes.pop(attr.name, None)
    else:
        attributes[attr.name] = draw(invalid_value(attr))
    return {**image, "attributes": attributes}


@st.composite
def _broken_attribute(draw, image: dict, cls: ir.Class, attr: ir.Attribute, pool: Literals):
    obj = draw(_object(cls, _fresh(image), image["width"], image["height"], pool=pool))
    if attr.required and draw(st.booleans()):
        obj["attributes"].pop(attr.name, None)
    else:
        obj["attributes"][attr.name] = draw(invalid_value(attr))
    return {**image, "objects": [*image["objects"], obj]}


@st.composite
def _wild_objects(draw, image: dict, cls: ir.Class, pool: Literals):
    count = draw(st.integers(1, 3))
    added = [draw(_object(cls, _fresh(image) + k, image["width"], image["height"], wild, pool=pool))
             for k in range(count)]
    return {**image, "objects": [*image["objects"], *added]}


@st.composite
def _rule_objects(draw, image: dict, spec: ir.Spec, rule: ir.Rule, pool: Literals):
    """The rule's bound objects drawn on top of each other (relations hold), or apart (they fail), and
    extra objects of every class the rule counts."""
    width, height, start = image["width"], image["height"], _fresh(image)
    added = []
    anchor = None
    for k, binding in enumerate(rule.bindings):
        cls = spec.cls(binding.class_name)
        shape = draw(wild(cls.geometry, width, height))
        if anchor is not None and anchor[0] == cls.geometry and draw(st.booleans()) is False:
            shape = near(anchor[1], draw(st.integers(-6, 6)), draw(st.integers(-6, 6)))
        anchor = anchor or (cls.geometry, shape)
        added.append(draw(_object(cls, start + k, width, height, geometry=shape, pool=pool)))
    for name in sorted(_counted(rule.require) | set().union(*(_counted(b.where) for b in rule.bindings))):
        cls = spec.cls(name)
        many = draw(st.integers(0, 16))
        added += [draw(_object(cls, start + 100 + len(added) + k, width, height, pool=pool)) for k in range(many)]
    return {**image, "objects": [*image["objects"], *added]}


def _counted(expr) -> set[str]:
    """The classes a ``count``/``exists`` in ``expr`` ranges over."""
    if expr is None:
        return set()
    found = {expr.class_name} if isinstance(expr, ir.ECount) else set()
    if is_dataclass(expr):
        for item in fields(expr):
            value = getattr(expr, item.name)
            for part in value if isinstance(value, tuple) else (value,):
                if isinstance(part, ir.Expr):
                    found |= _counted(part)
    return found
