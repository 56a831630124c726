"""The IR as the page's sections: class cards, attribute tables, rules and quotas, change history.

Everything here is data for the templates; text from the spec is Markdown-rendered safely or
left as plain strings for autoescaping, never marked safe as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.docs import anchors, prose, snippets
from specdsl.docs.fixes import FixFigure, fix_figure
from specdsl.docs.markdown import render_block, render_inline
from specdsl.validate.uses import nodes

GEOMETRY_TEXT = {
    "box": "Box: an upright rectangle drawn tightly around the object.",
    "polygon": "Polygon: a closed outline around the object; the last point joins the first.",
    "polyline": "Polyline: an open line through two or more points.",
    "point": "Point: a single position.",
    "mask": "Mask: the object's pixels.",
    "tag": "Tag: no geometry; a label for the whole image.",
}
SEVERITY_TEXT = {
    "error": "must be fixed: the labels are rejected",
    "warning": "check it: usually a mistake",
    "info": "for information",
}


@dataclass(frozen=True)
class Ref:
    label: str
    href: str
    severity: str | None = None


@dataclass(frozen=True)
class ValueDoc:
    name: str
    doc: Markup


@dataclass(frozen=True)
class AttributeRow:
    anchor: str
    name: str
    type_text: str
    values: tuple[ValueDoc, ...]
    default: str | None
    required: bool
    doc: Markup


@dataclass(frozen=True)
class ConstraintItem:
    anchor: str
    check: str
    sentence: Markup
    explanation: Markup
    source: Markup
    fix: FixFigure | None = None  # the declared fix, before and after


@dataclass(frozen=True)
class ClassCard:
    name: str
    anchor: str
    geometry: str
    geometry_text: str
    color: str
    doc: Markup
    attributes: tuple[AttributeRow, ...]
    constraints: tuple[ConstraintItem, ...]
    rules: tuple[Ref, ...]
    examples: tuple[Ref, ...]
    match: str | None = None  # how two labelers' objects of the class are paired (specc agree)


@dataclass(frozen=True)
class RuleSection:
    kind: str  # rule | quota
    name: str
    anchor: str
    severity: str
    severity_text: str
    explanation: Markup
    scope: tuple[Markup, ...]  # one line per ``for`` (empty: once per image, or over the whole export)
    requirement: Markup
    source: Markup
    classes: tuple[Ref, ...]
    examples: tuple[Ref, ...]
    fix: FixFigure | None = None  # the declared fix, before and after


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    anchor: str
    summary: Markup
    actions: tuple[tuple[Markup, Markup], ...]  # (in words, as written)


# ---- attributes -----------------------------------------------------------------------------------


def attribute_rows(attributes: tuple[ir.Attribute, ...], anchor_of) -> tuple[AttributeRow, ...]:
    return tuple(AttributeRow(anchor_of(a.name), a.name, type_text(a.type), _values(a), _default(a), a.required,
                              render_inline(a.doc)) for a in attributes)


def type_text(attr_type: ir.AttrType) -> str:
    if attr_type.kind == "enum":
        return f"one of {len(attr_type.values)} values" + (f" ({attr_type.enum})" if attr_type.enum else "")
    if attr_type.kind == "bool":
        return "true or false"
    noun = "whole number" if attr_type.kind == "int" else "number" if attr_type.kind == "float" else "text"
    if attr_type.low is not None or attr_type.high is not None:
        return f"{noun} from {prose.number_text(attr_type.low)} to {prose.number_text(attr_type.high)}"
    return noun


def _values(attr: ir.Attribute) -> tuple[ValueDoc, ...]:
    if attr.value_docs:
        return tuple(ValueDoc(v.name, render_inline(v.doc)) for v in attr.value_docs)
    return tuple(ValueDoc(v, Markup("")) for v in attr.type.values)


def _default(attr: ir.Attribute) -> str | None:
    if attr.default is None:
        return None
    if isinstance(attr.default, bool):
        return "true" if attr.default else "false"
    return prose.number_text(attr.default) if isinstance(attr.default, (int, float)) else str(attr.default)


# ---- classes --------------------------------------------------------------------------------------


def class_card(spec: ir.Spec, cls: ir.Class, color: str) -> ClassCard:
    return ClassCard(
        cls.name, anchors.class_id(cls.name), cls.geometry, GEOMETRY_TEXT.get(cls.geometry, cls.geometry), color,
        render_block(cls.doc),
        attribute_rows(cls.attributes, lambda a: anchors.attribute_id(cls.name, a)),
        tuple(_constraint(spec, cls, c) for c in cls.constraints),
        tuple(r for r in _checks_involving(spec, cls.name)),
        tuple(_example_ref(k, e) for k, e in enumerate(spec.examples, 1) if _shows_class(e, cls.name)),
        match_sentence(cls))


def match_sentence(cls: ir.Class) -> str:
    """The class's ``match`` rule in a labeler's words (``specc agree`` pairs objects by it)."""
    if cls.match is None:
        return "Two labelers' tags of this class agree when both set it."
    how = {"iou": "their overlap (intersection over union) is at least {t:.0%}",
           "distance": "they are at most {t:g} px apart",
           "hausdorff": "they are nowhere more than {t:g} px apart (Hausdorff distance)",
           "frechet": "they follow each other within {t:g} px (Fréchet distance)"}[cls.match.score]
    origin = "" if cls.match.declared else " (the default for this geometry)"
    return f"Two labelers' objects count as the same {cls.name} when {how.format(t=cls.match.threshold)}{origin}."


def _constraint(spec: ir.Spec, cls: ir.Class, constraint: ir.Constraint) -> ConstraintItem:
    explanation = render_inline(constraint.doc) if constraint.doc else Markup("")
    return ConstraintItem(anchors.constraint_id(constraint), str(constraint.check),
                          prose.sentence(prose.requirement(constraint.expr)), explanation,
                          snippets.highlighted(snippets.constraint_source(constraint)),
                          fix_figure(spec, constraint.check, constraint.fix))


def _checks_involving(spec: ir.Spec, class_name: str) -> Iterator[Ref]:
    for rule in spec.rules:
        if class_name in rule_classes(rule):
            yield Ref(rule.name, "#" + anchors.rule_id(rule.name), rule.severity)
    for quota in spec.quotas:
        if class_name in classes_named(quota.expr):
            yield Ref(quota.name, "#" + anchors.quota_id(quota.name), quota.severity)


def _shows_class(example: ir.Example, class_name: str) -> bool:
    return any(obj.get("class") == class_name for obj in example.image.get("objects", []))


def _example_ref(index: int, example: ir.Example) -> Ref:
    return Ref(example.title, "#" + anchors.example_id(index))


# ---- rules and quotas -----------------------------------------------------------------------------


def rule_classes(rule: ir.Rule) -> tuple[str, ...]:
    """Classes a rule involves: those it binds, then those it counts (``count``/``exists``), in order."""
    names = [b.class_name for b in rule.bindings]
    for binding in rule.bindings:
        names += classes_named(binding.where)
    names += classes_named(rule.require)
    return tuple(dict.fromkeys(names))


def classes_named(expr: Any) -> list[str]:
    """Class names inside ``count``/``exists``/``share`` anywhere in an expression tree, in order."""
    return [n.class_name for n in nodes(expr, into_aggregates=True)
            if isinstance(n, (ir.ECount, ir.EShare)) and n.class_name]


def rule_section(spec: ir.Spec, rule: ir.Rule) -> RuleSection:
    return RuleSection(
        "rule", rule.name, anchors.rule_id(rule.name), rule.severity, SEVERITY_TEXT.get(rule.severity, ""),
        render_inline(rule.message), tuple(_binding_line(b, k) for k, b in enumerate(rule.bindings)),
        prose.sentence(prose.requirement(rule.require)), snippets.highlighted(snippets.rule_source(rule)),
        _class_refs(spec, rule_classes(rule)), _examples_of(spec, rule.check), fix_figure(spec, rule.check, rule.fix))


def _binding_line(binding: ir.Binding, position: int) -> Markup:
    every = "every" if position == 0 else "and every other"
    line = Markup("{} {} (called {})").format(every, prose.code(binding.class_name), prose.code(binding.var))
    if binding.where is not None:
        line += Markup(" where {}").format(prose.describe(binding.where))
    return line


def quota_section(spec: ir.Spec, quota: ir.Quota) -> RuleSection:
    explanation = render_inline(quota.doc) if quota.doc else Markup("")
    return RuleSection(
        "quota", quota.name, anchors.quota_id(quota.name), quota.severity, SEVERITY_TEXT.get(quota.severity, ""),
        explanation, (), prose.sentence(prose.describe(quota.expr)), snippets.highlighted(snippets.quota_source(quota)),
        _class_refs(spec, tuple(dict.fromkeys(classes_named(quota.expr)))), _examples_of(spec, quota.check))


def _class_refs(spec: ir.Spec, names: tuple[str, ...]) -> tuple[Ref, ...]:
    return tuple(Ref(n, "#" + anchors.class_id(n)) for n in names if spec.cls(n) is not None)


def _examples_of(spec: ir.Spec, check: CheckId) -> tuple[Ref, ...]:
    return tuple(_example_ref(k, e) for k, e in enumerate(spec.examples, 1) if e.check == check)


# ---- change history -------------------------------------------------------------------------------


def history(spec: ir.Spec) -> tuple[HistoryEntry, ...]:
    """Newest first: a labeler coming back wants the latest change on top."""
    return tuple(HistoryEntry(c.version, anchors.change_id(c.version), render_block(c.summary),
                              tuple((_action_words(a), snippets.highlighted(snippets.action_source(a)))
                                    for a in c.actions))
                 for c in sorted(spec.changes, key=lambda c: -c.version))


def _action_words(action: Any) -> Markup:
    code = prose.code
    if isinstance(action, ir.Relabel):
        return Markup("Relabel every {} where {}.").format(code(action.class_name), prose.describe(action.where))
    if isinstance(action, ir.ReviewImages):
        where = Markup("") if action.where is None else Markup(" where {}").format(prose.describe(action.where))
        return Markup("Review every image{}.").format(where)
    if isinstance(action, ir.RenameAttribute):
        return Markup("{} is now called {}.").format(code(f"{action.class_name}.{action.old}"), code(action.new))
    return Markup("Value {} of {} is now called {}.").format(
        code(action.old), code(f"{action.class_name}.{action.attribute}"), code(action.new))
