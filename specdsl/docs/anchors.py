"""Stable anchors of the labeler docs: the page's ids and the links findings carry (``Finding.help``).

The page template builds every id with these functions, so a finding's link and the
element it points at cannot drift apart. Names in a spec are identifiers
(``[A-Za-z_][A-Za-z0-9_]*``), so they are valid in ids and URL fragments as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specdsl.check_id import CheckId

if TYPE_CHECKING:
    from specdsl import ir

SCHEMA_ID = "schema"


def class_id(class_name: str) -> str:
    return f"class-{class_name}"


def attribute_id(class_name: str, attribute: str) -> str:
    return f"class-{class_name}-attr-{attribute}"


def constraint_id(constraint: ir.Constraint) -> str:
    """A named constraint's anchor is its name; an unnamed one's is its position (both never clash)."""
    return constraint.check.anchor


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


def anchor_for_check(check: CheckId, spec: ir.Spec | None = None) -> str:
    """The ``#fragment`` that explains ``check`` (the check's own anchor, see :attr:`CheckId.anchor`).

    With ``spec``, a check the spec does not declare (an undeclared attribute, an unknown
    class) falls back to the nearest section that exists: the class card, or the schema section.
    """
    anchor = check.anchor
    if spec is not None and anchor != SCHEMA_ID and anchor not in page_ids(spec):
        anchor = _fallback(check, spec)
    return "#" + anchor


def _fallback(check: CheckId, spec: ir.Spec) -> str:
    owner = check.owner or ""
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
        ids |= {constraint_id(c) for c in cls.constraints}
    ids |= {rule_id(r.name) for r in spec.rules} | {quota_id(q.name) for q in spec.quotas}
    return ids
