"""Each declared fix as a before/after figure on the labeler page.

The figure is the spec's own ``invalid`` example of the check when it has one (the fix applied by
``specc fix``'s own code to the objects the checker blames), else a small drawing made for the action:
a short line deleted, a line leaving the image cut at its edge, three dashes joined into one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.docs import prose, svg
from specdsl.docs.paint import Painter
from specdsl.fix.apply import fixed_objects
from specdsl.fix.plan import ImagePlan, plan_fixes

WIDTH, HEIGHT = 200, 100
# Drawings for a fix without an example, per action and geometry; [x, y, w, h] for a box.
_SHORT = {"polyline": [[40, 70], [46, 64]], "polygon": [[40, 40], [48, 40], [44, 47]], "box": [40, 40, 6, 5],
          "point": [44, 44]}
_LEAVING = {"polyline": [[90, 80], [150, 50], [235, 20]], "polygon": [[130, 20], [240, 40], [150, 85]],
            "box": [140, 30, 90, 45]}
_WHOLE = {"polyline": [[40, 90], [160, 15]], "polygon": [[60, 20], [140, 25], [110, 80]], "box": [60, 30, 70, 45],
          "point": [100, 50]}
_DASHES = ([[120, 42], [140, 27]], [[40, 92], [60, 77]], [[100, 57], [80, 72]])  # out of order, one reversed
GEOMETRY_KEY = {"box": "box", "point": "point", "polygon": "points", "polyline": "points"}


@dataclass(frozen=True)
class FixFigure:
    anchor: str
    text: str  # the action as written: ``set w.overridden = true``
    unsafe: bool
    sentence: Markup
    origin: str  # where the drawing comes from: an example's title, or "an illustration"
    before: Markup
    after: Markup
    changes: tuple[str, ...]  # what changed, object by object


def fix_figure(spec: ir.Spec, check: CheckId, fix: ir.Fix | None) -> FixFigure | None:
    """The figure of ``fix`` (declared on ``check``), or None: no fix, or objects that cannot be drawn (tags, masks)."""
    if fix is None:
        return None
    from specdsl.palette import class_colors

    colors = class_colors(spec)
    found = _from_example(spec, check) or _illustration(spec, check, fix)
    if found is None:
        return None
    image, plan, origin = found
    painter = Painter.for_spec(spec, colors)
    geometries = {c.name: c.geometry for c in spec.classes}
    after = [obj for _, obj in fixed_objects(spec, image, plan)]
    targets = frozenset(str(image["objects"][p].get("id", "")) for p in _targeted(plan))
    anchor = f"fix-{check.anchor}"
    before_svg = _drawing(f"{anchor}-before", "Before the fix", image["objects"], geometries, painter, targets)
    after_svg = _drawing(f"{anchor}-after", "After the fix", after, geometries, painter, frozenset())
    return FixFigure(anchor, fix.text, fix.unsafe, _sentence(spec, check, fix), origin, before_svg, after_svg,
                     tuple(_changes(image["objects"], after)))


def _from_example(spec: ir.Spec, check: CheckId) -> tuple[dict, ImagePlan, str] | None:
    from specdsl.validate import check_example

    for example in spec.examples:
        if example.valid or example.check != check:
            continue
        # an example is checked as an image on its own (pointers "/objects/J"): placed as the export's first
        findings = [replace(f, pointer="/images/0" + f.pointer) for f in check_example(spec, example)
                    if f.check_id == check]
        plan = plan_fixes(spec, findings, [example.image], unsafe=True)
        if 0 in plan.images:
            return example.image, plan.images[0], f"the example “{example.title}”"
    return None


def _illustration(spec: ir.Spec, check: CheckId, fix: ir.Fix) -> tuple[dict, ImagePlan, str] | None:
    cls = _target_class(spec, check, fix)
    if cls is None or cls.geometry not in GEOMETRY_KEY:
        return None
    key = GEOMETRY_KEY[cls.geometry]
    plan = ImagePlan()
    if fix.action == "join":
        shapes = list(_DASHES)
        plan.joins += [(0, 2), (2, 1)]
    elif fix.action == "clip":
        shapes = [_LEAVING.get(cls.geometry)]
        plan.edit(0).clip = True
    elif fix.action == "delete":
        shapes = [_SHORT[cls.geometry]]
        plan.edit(0).delete = True
    else:
        shapes = [_WHOLE[cls.geometry]]
        plan.edit(0).sets[fix.attribute] = fix.value
    if any(shape is None for shape in shapes):
        return None
    objects = [{"id": f"{cls.name[:1]}{k + 1}", "class": cls.name, key: shape, "attributes": {}}
               for k, shape in enumerate(shapes)]
    image = {"id": "illustration", "width": WIDTH, "height": HEIGHT, "objects": objects}
    return image, plan, "an illustration"


def _target_class(spec: ir.Spec, check: CheckId, fix: ir.Fix) -> ir.Class | None:
    if check.kind == "rule":
        rule = next(r for r in spec.rules if r.check == check)
        names = {b.var: b.class_name for b in rule.bindings}
        return spec.cls(names.get(fix.targets[0], "")) if fix.targets else None
    return spec.cls(check.owner or "")


def _targeted(plan: ImagePlan) -> set[int]:
    return set(plan.edits) | {p for pair in plan.joins for p in pair}


def _drawing(figure_id: str, title: str, objects: list, geometries: Mapping[str, str], painter: Painter,
             flagged: frozenset[str]) -> Markup:
    shapes = svg.shapes_of(objects, geometries, painter.color, flagged)
    return svg.render_figure(svg.Figure(figure_id, title, WIDTH, HEIGHT, shapes, False))


def _sentence(spec: ir.Spec, check: CheckId, fix: ir.Fix) -> Markup:
    cls = _target_class(spec, check, fix)
    name = prose.code(cls.name if cls else "object")
    if fix.targets and fix.action != "join":  # a rule's fix: say which of its objects
        name = Markup("{} {}").format(name, prose.code(fix.targets[0]))
    match fix.action:
        case "set":
            value = "true" if fix.value is True else "false" if fix.value is False else str(fix.value)
            text = Markup("<code>specc fix</code> sets {} to {} on the {}.").format(
                prose.code(fix.attribute), prose.code(value), name)
        case "delete":
            text = Markup("<code>specc fix</code> deletes the {}.").format(name)
        case "clip":
            text = Markup("<code>specc fix</code> cuts the {} at the edge of the image (a box stays a box; a line "
                          "keeps its longest piece inside).").format(name)
        case _:
            text = Markup("<code>specc fix</code> joins the pieces into one {} through their gaps; the first keeps "
                          "its id and attributes.").format(name)
    if fix.unsafe:
        text += Markup(" <strong>Unsafe:</strong> applied only with <code>--unsafe-fixes</code>; look at the result.")
    return text


def _changes(before: list[Any], after: list[Any]) -> list[str]:
    remaining = {str(o.get("id")): o for o in after}
    lines = []
    for obj in before:
        object_id = str(obj.get("id"))
        new = remaining.get(object_id)
        if new is None:
            lines.append(f"{object_id}: removed")
        elif new != obj:
            lines.append(f"{object_id}: " + ", ".join(_difference(obj, new)))
    return lines


def _difference(old: dict, new: dict) -> list[str]:
    parts = [f"{k}: {_text(old.get('attributes', {}).get(k))} → {_text(v)}"
             for k, v in (new.get("attributes") or {}).items() if (old.get("attributes") or {}).get(k) != v]
    if any(old.get(k) != new.get(k) for k in ("points", "box", "point")):
        parts.append("geometry changed")
    return parts


def _text(value: Any) -> str:
    if value is None:
        return "(unset)"
    return "true" if value is True else "false" if value is False else str(value)
