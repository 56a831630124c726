"""The typed facts each change kind carries: what the hits function, ``specc migrate`` and the docs read.

One frozen dataclass per shape of change (several kinds may share one, e.g. the three class
kinds). Field names say what they hold; no stage reads a change back through string keys.
``owner`` is a class name, or ``image`` for image attributes (:data:`IMAGE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specdsl import ir

IMAGE = "image"  # the owner name of image attributes, as in ``rename image.weather -> sky``

# (owner, attribute name in labels made under the old version): where an enum's values are stored.
Use = tuple[str, str]


def check_owner(check: str) -> str:
    """The class a per-object constraint belongs to, from its check id ``CLASS.require.N``.

    The one place the diff reads a check id's text: swap it for the typed check id when the IR has one.
    """
    return check.rsplit(".require.", 1)[0]


@dataclass(frozen=True)
class ClassChange:
    class_name: str
    geometry: str  # the new geometry (the old one for a removed class)
    old_geometry: str | None = None  # for CLASS_GEOMETRY_CHANGED


@dataclass(frozen=True)
class AttributeAdded:
    owner: str
    attribute: str
    required: bool
    default: Any = None


@dataclass(frozen=True)
class AttributeRemoved:
    owner: str
    attribute: str


@dataclass(frozen=True)
class AttributeRequirement:
    """ATTRIBUTE_NOW_REQUIRED and ATTRIBUTE_NOW_OPTIONAL: one attribute, named as in old labels."""

    owner: str
    attribute: str


@dataclass(frozen=True)
class AttributeRenamed:
    owner: str
    old: str
    new: str
    version: int | None = None  # the `changes` block that declared it, when the two versions do not show it


@dataclass(frozen=True)
class AttributeTypeChanged:
    owner: str
    attribute: str
    old_type: ir.AttrType
    new_type: ir.AttrType


@dataclass(frozen=True)
class DefaultChanged:
    owner: str
    attribute: str
    old_default: Any
    new_default: Any
    action: str | None  # migrate (write the old default), fill, or None (no label touched)


@dataclass(frozen=True)
class EnumValue:
    """ENUM_VALUE_ADDED and ENUM_VALUE_REMOVED."""

    enum: str  # a named enum, or ``class.attribute`` for an inline one
    value: str
    uses: tuple[Use, ...]


@dataclass(frozen=True)
class EnumValueRenamed:
    enum: str
    old: str
    new: str
    uses: tuple[Use, ...]
    version: int | None = None


@dataclass(frozen=True)
class CheckChange:
    """A constraint or rule added, changed or removed: the check to evaluate (and the old one to compare)."""

    check: str
    kind: str  # constraint | rule
    text: str  # the requirement as written in the new version (the old one for a removal)
    expr: ir.Expr  # the same, compiled
    old_check: str | None = None  # None: nothing to compare with (added)
    old_text: str | None = None
    differences: str = ""  # what changed, for a rule: "severity (error -> warning) and require (...)"

    @property
    def owner(self) -> str:
        return check_owner(self.check) if self.kind == "constraint" else self.check


@dataclass(frozen=True)
class QuotaChange:
    name: str
    text: str


@dataclass(frozen=True)
class DocChanged:
    target: str
    old_text: str | None
    new_text: str | None
    of: str  # spec | class | attribute | value | constraint | rule | quota
    owner: str = ""  # the class (``image``) of an attribute, value or constraint
    name: str = ""  # the attribute, rule or quota
    index: int = 0  # the constraint's position in its class


@dataclass(frozen=True)
class ExampleChange:
    title: str


@dataclass(frozen=True)
class RelabelDeclared:
    class_name: str
    where: ir.Expr
    text: str
    version: int
    summary: str | None = None


@dataclass(frozen=True)
class ReviewDeclared:
    where: ir.Expr | None
    text: str
    version: int
    summary: str | None = None


@dataclass(frozen=True)
class SpecHeader:
    """VERSION_NOT_BUMPED and SPEC_RENAMED."""

    old_name: str
    new_name: str
    old_version: int
    new_version: int
