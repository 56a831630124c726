"""Stable anchors of the labeler docs: the page's ids and the links findings carry (``Finding.help``).

The page template builds every id with these functions, so a finding's link and the
element it points at cannot drift apart. Names in a spec are identifiers
(``[A-Za-z_][A-Za-z0-9_]*``), so they are valid in ids and URL fragments as they are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specdsl import ir

SCHEMA_ID = "schema"
_CONSTRAINT = re.compile(r"^(\w+)\.require\.(\d+)$")


def class_id(class_name: str) -> str:
    return f"class-{class_name}"


def attribute_id(class_name: str, attribute: str) -> str:
    return f"class-{class_name}-attr-{attribute}"


def constraint_id(class_name: str, index: int) -> str:
    return f"class-{class_name}-require-{index}"


def image_attribute_id(attribute: str) -> str:
    return f"image-attr-{attribute}"


def rule_id(name: str) -> str:
    return f"rule-{name}"


def quota_id(name: str) -> str:
    return f"quota-{name}"


def example_id(index: int) -> str:
    return f"example-{index}"


def change_id(version: int) -> str:
    return f"changes-{version}"


def anchor_for_check(check: str, kind: str, spec: ir.Spec | None = None) -> str:
    """The ``#fragment`` that explains ``check``.

    With ``spec``, a check the spec does not declare (an undeclared attribute, an unknown
    class) falls back to the nearest section that exists: the class card, or the schema section.
    """
    anchor = _anchor(check, kind or _guess_kind(check))
    if spec is not None and anchor != SCHEMA_ID and anchor not in page_ids(spec):
        anchor = _fallback(check, spec)
    return "#" + anchor


def _anchor(check: str, kind: str) -> str:
    if kind == "rule":
        return rule_id(check)
    if kind == "quota":
        return quota_id(check)
    constraint = _CONSTRAINT.match(check)
    if kind == "constraint" and constraint:
        return constraint_id(constraint[1], int(constraint[2]))
    owner, dot, attribute = check.partition(".")
    if kind == "attribute" and dot:
        return image_attribute_id(attribute) if owner == "image" else attribute_id(owner, attribute)
    return SCHEMA_ID


def check_kind(spec: ir.Spec, check: str) -> str:
    """The finding kind of a check name as examples write it: rule, quota, constraint, attribute or schema."""
    if any(r.name == check for r in spec.rules):
        return "rule"
    if any(q.name == check for q in spec.quotas):
        return "quota"
    return _guess_kind(check)


def _guess_kind(check: str) -> str:
    if check == SCHEMA_ID:
        return "schema"
    if _CONSTRAINT.match(check):
        return "constraint"
    return "attribute" if "." in check else "rule"


def _fallback(check: str, spec: ir.Spec) -> str:
    owner = check.partition(".")[0]
    if owner == "image" and spec.image_attributes:
        return "image-attributes"
    return class_id(owner) if spec.cls(owner) is not None else SCHEMA_ID


def page_ids(spec: ir.Spec) -> set[str]:
    """Every id a check can link to on the page of ``spec``."""
    ids = {SCHEMA_ID, "image-attributes"} if spec.image_attributes else {SCHEMA_ID}
    ids |= {image_attribute_id(a.name) for a in spec.image_attributes}
    for cls in spec.classes:
        ids.add(class_id(cls.name))
        ids |= {attribute_id(cls.name, a.name) for a in cls.attributes}
        ids |= {constraint_id(cls.name, c.index) for c in cls.constraints}
    ids |= {rule_id(r.name) for r in spec.rules} | {quota_id(q.name) for q in spec.quotas}
    return ids
