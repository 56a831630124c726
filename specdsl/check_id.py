"""The identity of a check: what fired, as one typed value from the compiler to every renderer.

A check is the schema, an attribute (``CLASS.ATTR``, ``image.ATTR``), a class constraint
(``CLASS.NAME`` when named, ``CLASS.require.N`` when not), a rule or a quota. The compiler
builds every :class:`CheckId`; findings carry it; renderers print ``str(check_id)`` (the wire
form). Only the edges parse the wire form back: CLI arguments, ``example ... invalid CHECK``,
report files.

``fingerprint`` is what baselines remember. It stays put when ``require`` lines are inserted or
reordered: a named constraint is known by its name, an unnamed one by its normalised expression.
``anchor`` is the id of the element of the labeler docs that explains the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("schema", "attribute", "constraint", "rule", "quota")
SCHEMA = "schema"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"  # the grammar's NAME
_UNNAMED = re.compile(rf"^({_NAME})\.require\.([0-9]+)$")
_DOTTED = re.compile(rf"^({_NAME})\.({_NAME})$")
_BARE = re.compile(rf"^{_NAME}$")


class CheckIdError(ValueError):
    """A string that is not the wire form of any check."""


@dataclass(frozen=True)
class CheckId:
    kind: str  # one of KINDS
    owner: str | None = None  # the class ("image" for image attributes) of an attribute or constraint
    name: str | None = None  # attribute, named constraint, rule or quota name
    index: int | None = None  # an unnamed constraint's position among its class's requires (from 1)
    expr_key: str | None = field(default=None, compare=False)  # an unnamed constraint's normalised expression

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CheckIdError(f"unknown check kind {self.kind!r}")

    # ---- constructors
    @classmethod
    def schema(cls) -> CheckId:
        return cls(SCHEMA)

    @classmethod
    def attribute(cls, owner: str, name: str) -> CheckId:
        return cls("attribute", owner, name)

    @classmethod
    def constraint(cls, owner: str, index: int, name: str | None = None, expr_key: str | None = None) -> CheckId:
        """A class constraint: a named one is known by its name alone, so moving it changes nothing."""
        return cls("constraint", owner, name, None if name else index, expr_key)

    @classmethod
    def rule(cls, name: str) -> CheckId:
        return cls("rule", None, name)

    @classmethod
    def quota(cls, name: str) -> CheckId:
        return cls("quota", None, name)

    @classmethod
    def parse(cls, text: str) -> CheckId:
        """The check a wire-form string names, without a spec to tell names apart.

        ``CLASS.NAME`` reads as an attribute and a bare name as a rule: where a spec is at hand, look the
        text up among ``spec.check_ids()`` instead, which knows named constraints and quotas.
        """
        if text == SCHEMA:
            return cls.schema()
        unnamed = _UNNAMED.match(text)
        if unnamed:
            return cls.constraint(unnamed[1], int(unnamed[2]))
        dotted = _DOTTED.match(text)
        if dotted:
            return cls.attribute(dotted[1], dotted[2])
        if _BARE.match(text):
            return cls.rule(text)
        raise CheckIdError(f"'{text}' is not a check name (rule, quota, CLASS.ATTR, CLASS.NAME or CLASS.require.N)")

    # ---- views
    def __str__(self) -> str:
        if self.kind == SCHEMA:
            return SCHEMA
        if self.kind in ("rule", "quota"):
            return str(self.name)
        if self.kind == "constraint" and self.name is None:
            return f"{self.owner}.require.{self.index}"
        return f"{self.owner}.{self.name}"

    @property
    def named(self) -> bool:
        return self.kind != "constraint" or self.name is not None

    @property
    def fingerprint(self) -> str:
        """The part of a baseline key that names the check; independent of the constraint's position.
        Every check but an unnamed constraint is ``KIND:NAME`` (what a finding read back from a file gives)."""
        if self.kind == "constraint" and self.name is None and self.expr_key is not None:
            return f"{self.owner}.require[{self.expr_key}]"
        return f"{self.kind}:{self}"

    @property
    def anchor(self) -> str:
        """The id of the labeler docs element that explains this check (without the ``#``)."""
        if self.kind == "rule":
            return f"rule-{self.name}"
        if self.kind == "quota":
            return f"quota-{self.name}"
        if self.kind == "constraint":
            return f"class-{self.owner}-require-{self.name or self.index}"
        if self.kind == "attribute":
            return f"image-attr-{self.name}" if self.owner == "image" else f"class-{self.owner}-attr-{self.name}"
        return SCHEMA
