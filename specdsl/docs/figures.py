"""Examples as figures: an SVG drawing, a legend, the objects and what is wrong with them.

For an ``invalid`` example the checker is run on it to learn which objects break the named
check (:func:`specdsl.validate.check_example`). Only the objects to blame are outlined: for a rule,
those bound to the variables its ``require`` reads (``require w.overridden`` blames the white line,
not the orange one beside it, which stays undimmed as context). A check that fires on the image as a
whole (a rule without ``for``) marks the frame instead. Objects are drawn in their own colour when
the spec gives them one (:mod:`specdsl.docs.paint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.docs import anchors, prose, snippets, svg
from specdsl.docs.markdown import render_inline
from specdsl.docs.paint import Painter
from specdsl.palette import FALLBACK_COLOR, FLAG_COLOR


@dataclass(frozen=True)
class Offense:
    objects: frozenset[str]  # the objects to blame for the named check
    fired: bool  # the named check fired on the example at all
    context: frozenset[str] = frozenset()  # named by its findings too, but not to blame


@dataclass(frozen=True)
class LegendEntry:
    label: str
    detail: str
    color: str


@dataclass(frozen=True)
class ObjectRow:
    object_id: str
    class_name: str
    class_href: str | None
    color: str
    geometry: str
    attributes: tuple[tuple[str, str], ...]
    flagged: bool


@dataclass(frozen=True)
class ExampleView:
    anchor: str
    index: int
    title: str
    valid: bool
    check: str | None
    check_kind: str | None
    check_href: str | None
    check_explanation: Markup
    image_text: str
    svg: Markup
    shapes: int
    legend: tuple[LegendEntry, ...]
    objects: tuple[ObjectRow, ...]
    offense: Offense
    source: Markup


def offense(spec: ir.Spec, example: ir.Example) -> Offense:
    """Objects of the example that break its named check, by the checker's own findings."""
    if example.valid or example.check is None:
        return Offense(frozenset(), False)
    from specdsl.validate import check_example  # numpy and shapely: loaded only when a figure needs them

    findings = [f for f in check_example(spec, example) if f.check_id == example.check]
    blamed_at = _blamed_positions(spec, example.check)
    named = frozenset(o for f in findings for o in f.objects)
    blamed = frozenset(o for f in findings for k, o in enumerate(f.objects) if blamed_at is None or k in blamed_at)
    return Offense(blamed, bool(findings), named - blamed)


def _blamed_positions(spec: ir.Spec, check) -> frozenset[int] | None:
    """Which of a rule finding's objects (one per ``for`` line, in order) its ``require`` is about; None:
    all of them (not a rule, or a require that reads no variable, such as ``require false``)."""
    rule = next((r for r in spec.rules if r.check == check), None)
    if rule is None or not rule.bindings:
        return None
    from specdsl.validate.uses import variables_read

    read = variables_read(rule.require)
    positions = frozenset(k for k, b in enumerate(rule.bindings) if b.var in read)
    return positions or None


def example_view(spec: ir.Spec, index: int, example: ir.Example, colors: Mapping[str, str]) -> ExampleView:
    found = offense(spec, example)
    geometries = {c.name: c.geometry for c in spec.classes}
    objects = example.image.get("objects", [])
    painter = Painter.for_spec(spec, colors)
    shapes = svg.shapes_of(objects, geometries, painter.color, found.objects, found.context)
    figure = svg.Figure(anchors.example_id(index), example.title, _size(example, "width"), _size(example, "height"),
                        shapes, found.fired and not found.objects)
    check = example.check if not example.valid else None
    kind = check.kind if check else None
    return ExampleView(
        anchor=anchors.example_id(index), index=index, title=example.title, valid=example.valid,
        check=str(check) if check else None, check_kind=kind,
        check_href=anchors.anchor_for_check(check, spec) if check else None,
        check_explanation=check_explanation(spec, check) if check else Markup(""),
        image_text=_image_text(example), svg=svg.render_figure(figure), shapes=len(shapes),
        legend=_legend(objects, geometries, painter, found, kind),
        objects=tuple(_object_row(spec, o, painter, found) for o in objects), offense=found,
        source=snippets.highlighted(snippets.example_source(example)))


def check_explanation(spec: ir.Spec, check: CheckId) -> Markup:
    """Why the named check exists, in the spec's words, to read next to the wrong example."""
    for item in (*spec.rules, *spec.quotas):
        if item.check == check:
            return render_inline(item.message)
    for cls in spec.classes:
        for constraint in cls.constraints:
            if constraint.check == check:
                return Markup("Every {} must satisfy this: {}.").format(
                    prose.code(cls.name), prose.requirement(constraint.expr))
    if check.kind == "attribute":
        return Markup("The attribute {} is missing or holds a value that is not allowed.").format(
            prose.code(str(check)))
    return Markup("")


def _size(example: ir.Example, key: str) -> float:
    value = example.image.get(key)
    return float(value) if isinstance(value, (int, float)) and value > 0 else 100.0


def _image_text(example: ir.Example) -> str:
    image = example.image
    text = f"image {svg.fmt(_size(example, 'width'))} × {svg.fmt(_size(example, 'height'))} px"
    attributes = ", ".join(f"{k}: {_value_text(v)}" for k, v in (image.get("attributes") or {}).items())
    return f"{text}; {attributes}" if attributes else text


def _legend(objects: list, geometries: Mapping[str, str], painter: Painter, found: Offense,
            kind: str | None) -> tuple[LegendEntry, ...]:
    """One entry per class, or per class and colour value when the objects are painted by an attribute."""
    entries: dict[tuple[str, str | None], LegendEntry] = {}
    for obj in objects:
        name, value = str(obj.get("class", "")), painter.color_value(obj)
        if (name, value) not in entries:
            label = name if value is None else f"{name} {value}"
            entries[(name, value)] = LegendEntry(label, geometries.get(name, "unknown class"), painter.color(obj))
    flag = (LegendEntry(f"breaks the {kind or 'check'}", "outlined", FLAG_COLOR),) if found.objects else ()
    return (*entries.values(), *flag)


def _object_row(spec: ir.Spec, obj: Mapping, painter: Painter, found: Offense) -> ObjectRow:
    class_name = str(obj.get("class", ""))
    cls = spec.cls(class_name)
    attributes = tuple((str(k), _value_text(v)) for k, v in (obj.get("attributes") or {}).items())
    object_id = str(obj.get("id", ""))
    return ObjectRow(object_id, class_name, "#" + anchors.class_id(class_name) if cls else None,
                     painter.color(obj) or FALLBACK_COLOR, _geometry_text(obj, cls.geometry if cls else None),
                     attributes, object_id in found.objects)


def _geometry_text(obj: Mapping, declared: str | None) -> str:
    found = svg.geometry(obj, declared)
    if found is None:
        return "no geometry" if declared == "tag" else "geometry not drawable"
    kind, points = found
    if kind == "box":
        x, y, w, h = obj["box"]
        turned = obj.get("rotation")
        turn = f", turned {svg.fmt(turned)}°" if isinstance(turned, (int, float)) and turned else ""
        return f"box {svg.fmt(w)} × {svg.fmt(h)} at ({svg.fmt(x)}, {svg.fmt(y)}){turn}"
    if kind == "point":
        return f"point ({svg.fmt(points[0][0])}, {svg.fmt(points[0][1])})"
    return f"{kind}, {len(points)} point" + ("" if len(points) == 1 else "s")


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return svg.fmt(value)
    return str(value)
