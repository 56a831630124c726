"""The change registry: one :class:`ChangeKind` per change ID, and the function that finds it.

Each kind carries its severity, its documentation (``specc explain``, the docs), its payload type
(:mod:`specdsl.diff.payloads`), the function that finds the labels it touches
(:mod:`specdsl.diff.hits`) and its sentence for labelers (the docs page). The kinds and their
rules live by theme in :mod:`specdsl.diff.kinds`; each rule reads a
:class:`~specdsl.diff.context.Diffing` (old and new elements already paired by name) and yields
:class:`Change` values. ``RULES`` lists them in the order ``specc explain`` documents them.
Change IDs are API: never rename one.

Severities describe what a change does to labels made under the old version:
``breaking`` (they become invalid), ``dangerous`` (they may be wrong: review),
``migratable`` (a mechanical rewrite, ``specc migrate``, fixes them), ``safe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from specdsl import ir
from specdsl.diff.context import Diffing, diffing
from specdsl.diff.kinds.checks import (
    CONSTRAINT_ADDED,
    CONSTRAINT_CHANGED,
    CONSTRAINT_REMOVED,
    QUOTA_ADDED,
    QUOTA_CHANGED,
    QUOTA_REMOVED,
    RULE_ADDED,
    RULE_CHANGED,
    RULE_REMOVED,
    constraint_added,
    constraint_changed,
    constraint_removed,
    quota_added,
    quota_changed,
    quota_removed,
    rule_added,
    rule_changed,
    rule_removed,
)
from specdsl.diff.kinds.declared import (
    RELABEL_DECLARED,
    REVIEW_DECLARED,
    SPEC_RENAMED,
    VERSION_NOT_BUMPED,
    relabel_declared,
    review_declared,
    spec_renamed,
    version_not_bumped,
)
from specdsl.diff.kinds.documentation import (
    DOC_CHANGED,
    EXAMPLE_ADDED,
    EXAMPLE_CHANGED,
    EXAMPLE_REMOVED,
    doc_changed,
    example_added,
    example_changed,
    example_removed,
)
from specdsl.diff.kinds.structure import (
    ATTRIBUTE_ADDED,
    ATTRIBUTE_NOW_OPTIONAL,
    ATTRIBUTE_NOW_REQUIRED,
    ATTRIBUTE_REMOVED,
    ATTRIBUTE_RENAMED,
    ATTRIBUTE_TYPE_CHANGED,
    CLASS_ADDED,
    CLASS_GEOMETRY_CHANGED,
    CLASS_REMOVED,
    DEFAULT_CHANGED,
    ENUM_VALUE_ADDED,
    ENUM_VALUE_REMOVED,
    ENUM_VALUE_RENAMED,
    attribute_added,
    attribute_now_optional,
    attribute_now_required,
    attribute_removed,
    attribute_renamed,
    attribute_type_changed,
    class_added,
    class_geometry_changed,
    class_removed,
    default_changed,
    enum_value_added,
    enum_value_removed,
    enum_value_renamed,
)
from specdsl.diff.model import Change, ChangeKind

Rule = Callable[[Diffing], Iterator[Change]]


# ---- the registry -----------------------------------------------------------------------------------

RULES: tuple[tuple[ChangeKind, Rule], ...] = (
    (CLASS_ADDED, class_added),
    (CLASS_REMOVED, class_removed),
    (CLASS_GEOMETRY_CHANGED, class_geometry_changed),
    (ATTRIBUTE_ADDED, attribute_added),
    (ATTRIBUTE_REMOVED, attribute_removed),
    (ATTRIBUTE_RENAMED, attribute_renamed),
    (ATTRIBUTE_TYPE_CHANGED, attribute_type_changed),
    (ATTRIBUTE_NOW_REQUIRED, attribute_now_required),
    (ATTRIBUTE_NOW_OPTIONAL, attribute_now_optional),
    (DEFAULT_CHANGED, default_changed),
    (ENUM_VALUE_ADDED, enum_value_added),
    (ENUM_VALUE_REMOVED, enum_value_removed),
    (ENUM_VALUE_RENAMED, enum_value_renamed),
    (CONSTRAINT_ADDED, constraint_added),
    (CONSTRAINT_CHANGED, constraint_changed),
    (CONSTRAINT_REMOVED, constraint_removed),
    (RULE_ADDED, rule_added),
    (RULE_CHANGED, rule_changed),
    (RULE_REMOVED, rule_removed),
    (QUOTA_ADDED, quota_added),
    (QUOTA_CHANGED, quota_changed),
    (QUOTA_REMOVED, quota_removed),
    (DOC_CHANGED, doc_changed),
    (EXAMPLE_ADDED, example_added),
    (EXAMPLE_REMOVED, example_removed),
    (EXAMPLE_CHANGED, example_changed),
    (RELABEL_DECLARED, relabel_declared),
    (REVIEW_DECLARED, review_declared),
    (VERSION_NOT_BUMPED, version_not_bumped),
    (SPEC_RENAMED, spec_renamed),
)

KINDS: dict[str, ChangeKind] = {kind.id: kind for kind, _ in RULES}
# What a spec's own `changes` blocks say, without an older version to compare with.
DECLARED_RULES: tuple[Rule, ...] = (relabel_declared, review_declared, attribute_renamed, enum_value_renamed)


def diff_specs(old: ir.Spec, new: ir.Spec, since: int | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, most severe first; ``since`` widens the declared range."""
    d = diffing(old, new, since)
    return sorted((change for _, rule in RULES for change in rule(d)), key=Change.sort_key)


def declared_changes(spec: ir.Spec, since: int) -> list[Change]:
    """What the ``changes`` blocks of versions after ``since`` declare, without an older version to compare.

    Renames appear here too (composed along chains), as the diff reports them when both versions
    already use the new name.
    """
    d = diffing(spec, spec, since)
    return sorted((change for rule in DECLARED_RULES for change in rule(d)), key=Change.sort_key)
