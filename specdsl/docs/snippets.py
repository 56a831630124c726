"""Spec source for the docs, written back from the IR and highlighted with :class:`SpecLexer`.

The IR keeps each expression as written (``text``), so a snippet reads like the spec without
depending on its layout or comments; the page stays the same when the spec is only reformatted.
"""

from __future__ import annotations

import json
from functools import lru_cache

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter

from specdsl import ir
from specdsl.docs.lexer import SpecLexer

CSS_SCOPE = ".spec-code"
PYGMENTS_STYLE = "friendly"


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(nowrap=True, style=PYGMENTS_STYLE)


def highlighted(source: str) -> Markup:
    """HTML of spec source; Pygments escapes the text itself."""
    return Markup(highlight(source, SpecLexer(), _formatter()).rstrip("\n"))


def token_css() -> str:
    return _formatter().get_style_defs(CSS_SCOPE)


def constraint_source(constraint: ir.Constraint) -> str:
    label = f"{constraint.name}: " if constraint.name else ""
    return f"require {label}{constraint.text}"


def rule_source(rule: ir.Rule) -> str:
    lines = [f"rule {rule.name}: {rule.severity} {{"]
    for binding in rule.bindings:
        where = f" where {binding.text}" if binding.text else ""
        lines.append(f"  for {binding.var} in {binding.class_name}{where}")
    if rule.text:
        lines.append(f"  require {rule.text}")
    return "\n".join(lines + ["}"])


def quota_source(quota: ir.Quota) -> str:
    return f"quota {quota.name}: {quota.severity} {{\n  {quota.text}\n}}"


def action_source(action: object) -> str:
    if isinstance(action, ir.Relabel):
        return f"relabel {action.class_name} where {action.text}"
    if isinstance(action, ir.ReviewImages):
        return "review images" + (f" where {action.text}" if action.text else "")
    if isinstance(action, ir.RenameAttribute):
        return f"rename {action.class_name}.{action.old} -> {action.new}"
    if isinstance(action, ir.RenameValue):
        return f"rename {action.class_name}.{action.attribute}.{action.old} -> {action.new}"
    return ""


def example_source(example: ir.Example) -> str:
    verdict = "valid" if example.valid else f"invalid {example.check}"
    image = example.image
    frame = f"  image {_value(image.get('width'))} x {_value(image.get('height'))}"
    if image.get("attributes"):
        frame += " " + _fields(image["attributes"])
    lines = [f"example {json.dumps(example.title, ensure_ascii=False)} {verdict} {{", frame]
    lines += [f"  {obj.get('class')} {_object_fields(obj, k)}" for k, obj in enumerate(image.get("objects", []), 1)]
    return "\n".join(lines + ["}"])


def _object_fields(obj: dict, position: int) -> str:
    fields = dict(obj.get("attributes") or {})
    if obj.get("id") != f"o{position}":  # the compiler's own ids (o1, o2, ...) were not written
        fields = {"id": obj["id"], **fields}
    fields.update({k: obj[k] for k in ("occluded", "z_order", "points", "box", "point", "mask") if k in obj})
    return _fields(fields)


def _fields(fields: dict) -> str:
    return "{ " + ", ".join(f"{k}: {_value(v, k)}" for k, v in fields.items()) + " }"


def _value(value: object, key: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if key == "id" or not value.isidentifier() else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        if key in ("points",) or (value and all(isinstance(v, (list, tuple)) for v in value)):
            return "[" + ", ".join(_value(v) for v in value) + "]"
        if key == "point" or len(value) == 2:
            return "(" + ", ".join(_value(v) for v in value) + ")"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)
