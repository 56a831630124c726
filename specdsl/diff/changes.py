"""The change registry: one :class:`ChangeKind` per change ID, next to the small function that finds it.

Each kind carries its severity, its documentation (``specc explain``, the docs), its payload type
(:mod:`specdsl.diff.payloads`), the function that finds the labels it touches
(:mod:`specdsl.diff.hits`) and its sentence for labelers (the docs page). Each rule reads a
:class:`~specdsl.diff.context.Diffing` (old and new elements already paired by name) and yields
:class:`Change` values. ``RULES`` at the bottom lists them in the order ``specc explain``
documents them. Change IDs are API: never rename one.

Severities describe what a change does to labels made under the old version:
``breaking`` (they become invalid), ``dangerous`` (they may be wrong: review),
``migratable`` (a mechanical rewrite, ``specc migrate``, fixes them), ``safe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from specdsl import ir
from specdsl.diff import hits as h
from specdsl.diff import payloads as p
from specdsl.diff.context import IMAGE, AttrPair, Diffing, diffing
from specdsl.diff.model import Change, ChangeKind, Words
from specdsl.diff.payloads import check_owner

Rule = Callable[[Diffing], Iterator[Change]]


def _attr_kind(owner: str) -> str:
    return "Image attribute" if owner == IMAGE else "Attribute"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


# ---- labeler words: shared pieces of the sentences ----------------------------------------------------


def _say(template: str, *parts: object) -> str:
    """A sentence whose ``{}`` are filled with already-safe pieces (the words' ``code``/``condition``)."""
    return Markup(template).format(*parts)


def _attr_words(owner: str, attribute: str, w: Words) -> str:
    return w.code(f"{owner}.{attribute}")


def _uses_words(uses: tuple[p.Use, ...], enum: str, w: Words) -> str:
    names = [w.code(f"{owner}.{attr}") for owner, attr in uses] or [w.code(enum)]
    return Markup(", ").join(names)


def _objects_words(owner: str, w: Words) -> str:
    return Markup("images") if owner == IMAGE else _say("{} objects", w.code(owner))


# ---- classes ----------------------------------------------------------------------------------------

CLASS_ADDED = ChangeKind("CLASS_ADDED", "dangerous", "a class was added", """\
A new class exists. Images labeled under the old version were never searched for it, so
they may hold unlabeled objects of this class: every such image is queued for review.""",
                         p.ClassChange, lambda c, w: _say("A new class {} ({}) is labeled now: look for it in "
                                                          "images labeled before and draw every one.",
                                                          w.code(c.class_name), c.geometry),
                         h.class_added, "review")


def class_added(d: Diffing) -> Iterator[Change]:
    for name in d.classes[0]:
        cls = d.new_class(name)
        yield CLASS_ADDED.change(p.ClassChange(name, cls.geometry), name,
                                 f"Class '{name}' ({cls.geometry}) was added.", new=cls.loc)


CLASS_REMOVED = ChangeKind("CLASS_REMOVED", "breaking", "a class was removed", """\
A class no longer exists. Its objects in existing labels fail `check` with a schema finding;
the impact analysis asks to delete them (or relabel them as another class by hand).""",
                           p.ClassChange, lambda c, w: _say("The class {} is not labeled any more: its objects are "
                                                            "deleted.", w.code(c.class_name)),
                           h.class_removed, "delete")


def class_removed(d: Diffing) -> Iterator[Change]:
    for name in d.classes[1]:
        cls = d.old_class(name)
        yield CLASS_REMOVED.change(p.ClassChange(name, cls.geometry), name, f"Class '{name}' was removed.",
                                   old=cls.loc)


CLASS_GEOMETRY_CHANGED = ChangeKind("CLASS_GEOMETRY_CHANGED", "breaking", "a class changed its geometry", """\
A class is drawn with another geometry (e.g. `box` became `polygon`). Every existing object of
the class has the wrong shape and must be redrawn: the impact analysis asks to relabel each one.""",
                                    p.ClassChange, lambda c, w: _say("{} is now drawn as a {} instead of a {}: "
                                                                     "redraw every one.", w.code(c.class_name),
                                                                     c.geometry, c.old_geometry),
                                    h.class_geometry_changed, "relabel")


def class_geometry_changed(d: Diffing) -> Iterator[Change]:
    for name in d.classes[2]:
        old, new = d.old_class(name), d.new_class(name)
        if old.geometry != new.geometry:
            yield CLASS_GEOMETRY_CHANGED.change(p.ClassChange(name, new.geometry, old.geometry), name,
                                                f"Class '{name}' changed geometry from {old.geometry} to "
                                                f"{new.geometry}.", old.loc, new.loc)


# ---- attributes -------------------------------------------------------------------------------------


def _attribute_added_words(c: p.AttributeAdded, w: Words) -> str:
    attr = _attr_words(c.owner, c.attribute, w)
    if c.default is not None:
        return _say("New attribute {}: when you leave it out it means {}.", attr, w.code(_fmt(c.default)))
    if c.required:
        return _say("New attribute {}: fill it in on all {} labeled before.", attr, _objects_words(c.owner, w))
    return _say("New optional attribute {}: set it where you can tell.", attr)


ATTRIBUTE_ADDED = ChangeKind("ATTRIBUTE_ADDED", "breaking", "an attribute was added", """\
A class (or the image) has a new attribute. Its severity depends on the declaration:
*required* (no default, no `?`) is `breaking`: every existing object lacks it, and the impact
analysis asks to `fill` it; *with a default* is `migratable`: `specc migrate` writes the
default into existing labels; *optional* (`?`) is `safe`.""", p.AttributeAdded, _attribute_added_words,
                             h.attribute_added, "fill",
                             "breaking when required (fill), migratable with a default (migrate), safe when optional")


def attribute_added(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.old is None and pair.new is not None:
            attr = pair.new
            how, severity = _added_severity(attr)
            yield ATTRIBUTE_ADDED.change(p.AttributeAdded(pair.owner, attr.name, attr.required, attr.default),
                                         pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' was added ({how}).",
                                         new=attr.loc, severity=severity)


def _added_severity(attr: ir.Attribute) -> tuple[str, str]:
    if attr.default is not None:
        return f"default {_fmt(attr.default)}", "migratable"
    return ("optional", "safe") if attr.optional else ("required", "breaking")


ATTRIBUTE_REMOVED = ChangeKind("ATTRIBUTE_REMOVED", "migratable", "an attribute was removed", """\
An attribute is no longer declared. Existing values of it fail `check` as undeclared; dropping
them is mechanical, so `specc migrate` (given the old version through `--history`) removes them.
If the attribute was renamed, declare it (`rename CLASS.old -> new` in a `changes` block) to get
ATTRIBUTE_RENAMED instead.""", p.AttributeRemoved,
                               lambda c, w: _say("{} is not asked for any more: leave it out (old values are "
                                                 "dropped automatically).", _attr_words(c.owner, c.attribute, w)),
                               h.attribute_removed, "migrate")


def attribute_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.new is None and pair.old is not None:
            yield ATTRIBUTE_REMOVED.change(p.AttributeRemoved(pair.owner, pair.old.name), pair.target,
                                           f"{_attr_kind(pair.owner)} '{pair.target}' was removed.", old=pair.old.loc)


ATTRIBUTE_RENAMED = ChangeKind("ATTRIBUTE_RENAMED", "migratable", "an attribute was renamed (declared)", """\
A `changes` block declares `rename CLASS.old -> new`. Instead of a removed and an added
attribute, the diff reports one rename; `specc migrate` moves the values to the new name.
Renames compose across versions: `a -> b` in version 2 and `b -> c` in version 3 take labels
made under version 1 from `a` straight to `c`.""", p.AttributeRenamed,
                               lambda c, w: _say("{} is now called {} (old labels are renamed automatically).",
                                                 _attr_words(c.owner, c.old, w), w.code(c.new)),
                               h.attribute_renamed, "migrate")


def attribute_renamed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.renamed and pair.old is not None and pair.new is not None:
            yield ATTRIBUTE_RENAMED.change(p.AttributeRenamed(pair.owner, pair.old.name, pair.new.name), pair.target,
                                           f"{_attr_kind(pair.owner)} '{pair.owner}.{pair.old.name}' was renamed to "
                                           f"'{pair.new.name}'.", pair.old.loc, pair.new.loc)
    for block, action, current in d.declared_only_attribute_renames():
        owner = action.class_name
        yield ATTRIBUTE_RENAMED.change(p.AttributeRenamed(owner, action.old, current, block.version),
                                       f"{owner}.{current}", f"{_attr_kind(owner)} '{owner}.{action.old}' was "
                                       f"renamed to '{current}' in version {block.version}.", new=block.loc)


ATTRIBUTE_TYPE_CHANGED = ChangeKind("ATTRIBUTE_TYPE_CHANGED", "breaking", "an attribute changed its type", """\
An attribute's type changed (e.g. `int` became `string`, or a range narrowed). Existing values
that do not fit the new type must be relabeled; the impact analysis checks each value against
the new type and lists only those. Changes of an enum's values are reported per value instead
(ENUM_VALUE_ADDED, ENUM_VALUE_REMOVED).""", p.AttributeTypeChanged,
                                    lambda c, w: _say("{} now takes {} (before: {}): fix the values that do not "
                                                      "fit.", _attr_words(c.owner, c.attribute, w),
                                                      w.code(c.new_type.describe()), w.code(c.old_type.describe())),
                                    h.attribute_type_changed, "relabel")


def attribute_type_changed(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.type != new.type and not (old.type.kind == "enum" and new.type.kind == "enum"):
            yield ATTRIBUTE_TYPE_CHANGED.change(
                p.AttributeTypeChanged(pair.owner, old.name, old.type, new.type),
                pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' changed type from {old.type.describe()} "
                f"to {new.type.describe()}.", old.loc, new.loc)


def _kept_attributes(d: Diffing) -> Iterator[tuple[AttrPair, ir.Attribute, ir.Attribute]]:
    return ((pair, pair.old, pair.new) for pair in d.attributes if pair.old is not None and pair.new is not None)


ATTRIBUTE_NOW_REQUIRED = ChangeKind("ATTRIBUTE_NOW_REQUIRED", "breaking", "an optional attribute became required", """\
An attribute lost its `?` and has no default: existing objects that left it out now fail
`check`. The impact analysis asks to `fill` it on exactly those objects.""", p.AttributeRequirement,
                                    lambda c, w: _say("{} is now required: fill it in wherever it was left out.",
                                                      _attr_words(c.owner, c.attribute, w)),
                                    h.attribute_now_required, "fill")


def attribute_now_required(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.optional and old.default is None and new.required:
            yield ATTRIBUTE_NOW_REQUIRED.change(p.AttributeRequirement(pair.owner, old.name), pair.target,
                                                f"{_attr_kind(pair.owner)} '{pair.target}' is now required.",
                                                old.loc, new.loc)


ATTRIBUTE_NOW_OPTIONAL = ChangeKind("ATTRIBUTE_NOW_OPTIONAL", "safe", "a required attribute became optional", """\
A required attribute got a `?`. Every existing label stays valid.""", p.AttributeRequirement,
                                    lambda c, w: _say("{} may now be left out when you cannot tell.",
                                                      _attr_words(c.owner, c.attribute, w)))


def attribute_now_optional(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.required and new.optional and new.default is None:
            yield ATTRIBUTE_NOW_OPTIONAL.change(p.AttributeRequirement(pair.owner, old.name), pair.target,
                                                f"{_attr_kind(pair.owner)} '{pair.target}' is now optional.",
                                                old.loc, new.loc)


def _default_words(c: p.DefaultChanged, w: Words) -> str:
    attr = _attr_words(c.owner, c.attribute, w)
    if c.new_default is None:
        return _say("{} has no default any more: always set it.", attr)
    return _say("When you leave {} out it now means {}.", attr, w.code(_fmt(c.new_default)))


DEFAULT_CHANGED = ChangeKind("DEFAULT_CHANGED", "migratable", "an attribute's default changed", """\
An attribute's default was changed, added or removed. Objects that left the attribute out
meant the *old* default; when there was one, `specc migrate` writes it into them so that
their meaning survives (`migratable`). A default added to an optional attribute turns
"unknown" into that default: those objects need the value filled by a person (`dangerous`).
A default added to a required attribute changes no existing label (`safe`).""", p.DefaultChanged, _default_words,
                             h.default_changed, "migrate",
                             "migratable when there was a default (migrate), dangerous for a default added to an "
                             "optional attribute (fill), safe for one added to a required attribute")


def default_changed(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.default != new.default:
            severity, action = _default_severity(old)
            yield DEFAULT_CHANGED.change(
                p.DefaultChanged(pair.owner, old.name, old.default, new.default, action),
                pair.target, f"Default of '{pair.target}' changed from {_default_text(old)} to "
                f"{_default_text(new)}.", old.loc, new.loc, severity=severity)


def _default_severity(old: ir.Attribute) -> tuple[str, str | None]:
    if old.default is not None:
        return "migratable", "migrate"
    return ("dangerous", "fill") if old.optional else ("safe", None)


def _default_text(attr: ir.Attribute | None) -> str:
    return "none" if attr is None or attr.default is None else _fmt(attr.default)


# ---- enum values ------------------------------------------------------------------------------------

ENUM_VALUE_ADDED = ChangeKind("ENUM_VALUE_ADDED", "dangerous", "an enum value was added", """\
An enum gained a value. Objects labeled before may deserve the new value but carry an old one:
the images holding objects of a class that uses the enum are queued for review, unless a
`changes` block of the new version declares `relabel CLASS where ...` for that class, which
then names exactly the objects to relabel.""", p.EnumValue,
                              lambda c, w: _say("New value {} for {}: use it where it fits, also on objects "
                                                "labeled before.", w.code(c.value), _uses_words(c.uses, c.enum, w)),
                              h.enum_value_added, "review")


def enum_value_added(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.old is None and pair.new is not None:
            yield ENUM_VALUE_ADDED.change(p.EnumValue(pair.enum, pair.new.name, pair.uses), pair.target,
                                          f"Value '{pair.new.name}' was added to {pair.enum}.", new=pair.new.loc)


ENUM_VALUE_REMOVED = ChangeKind("ENUM_VALUE_REMOVED", "breaking", "an enum value was removed", """\
An enum lost a value. Objects that carry it fail `check`; the impact analysis asks to relabel
exactly those. Declare a rename (`rename CLASS.attr.old -> new`) to make it ENUM_VALUE_RENAMED.""",
                                p.EnumValue,
                                lambda c, w: _say("The value {} of {} was removed: relabel the objects that carry "
                                                  "it.", w.code(c.value), _uses_words(c.uses, c.enum, w)),
                                h.enum_value_removed, "relabel")


def enum_value_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.new is None and pair.old is not None:
            yield ENUM_VALUE_REMOVED.change(p.EnumValue(pair.enum, pair.old.name, pair.uses), pair.target,
                                            f"Value '{pair.old.name}' was removed from {pair.enum}.",
                                            old=pair.old.loc)


ENUM_VALUE_RENAMED = ChangeKind("ENUM_VALUE_RENAMED", "migratable", "an enum value was renamed (declared)", """\
A `changes` block declares `rename CLASS.attr.old -> new`: the value is the same, only its name
changed. `specc migrate` rewrites it in existing labels. Renames compose across versions:
`botts_dots -> raised_markers` in version 2 and `raised_markers -> botts` in version 3 take
labels made under version 1 from `botts_dots` straight to `botts`.""", p.EnumValueRenamed,
                                lambda c, w: _say("The value {} of {} is now called {} (old labels are renamed "
                                                  "automatically).", w.code(c.old), _uses_words(c.uses, c.enum, w),
                                                  w.code(c.new)),
                                h.enum_value_renamed, "migrate")


def enum_value_renamed(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.renamed and pair.old is not None and pair.new is not None:
            yield ENUM_VALUE_RENAMED.change(p.EnumValueRenamed(pair.enum, pair.old.name, pair.new.name, pair.uses),
                                            pair.target, f"Value '{pair.old.name}' of {pair.enum} was renamed to "
                                            f"'{pair.new.name}'.", pair.old.loc, pair.new.loc)
    for block, action, old_attr, attribute, value in d.declared_only_value_renames():
        target = f"{action.class_name}.{attribute}"
        yield ENUM_VALUE_RENAMED.change(p.EnumValueRenamed(target, action.old, value, ((action.class_name, old_attr),),
                                                           block.version),
                                        f"{target}.{value}", f"Value '{action.old}' of {target} was renamed "
                                        f"to '{value}' in version {block.version}.", new=block.loc)


# ---- constraints, rules, quotas ---------------------------------------------------------------------

CONSTRAINT_ADDED = ChangeKind("CONSTRAINT_ADDED", "breaking", "a `require` was added to a class", """\
A class has a new per-object constraint. The impact analysis evaluates exactly that constraint
on existing labels and asks to relabel the objects that fail it.""", p.CheckChange,
                              lambda c, w: _say("New requirement for every {}: {}. Fix the objects that break it.",
                                                w.code(c.owner), w.condition(c.expr)),
                              h.check_now_failing, "relabel")


def constraint_added(d: Diffing) -> Iterator[Change]:
    for pair in d.constraints:
        new = pair.new
        if pair.old is None and isinstance(new, ir.Constraint):
            yield CONSTRAINT_ADDED.change(p.CheckChange(new.check, "constraint", new.text, new.expr), new.check,
                                          f"Constraint '{new.text}' was added to {check_owner(new.check)}.",
                                          new=new.loc)


CONSTRAINT_CHANGED = ChangeKind("CONSTRAINT_CHANGED", "breaking", "a class's `require` changed", """\
A per-object constraint now says something else. The impact analysis evaluates the old and the
new constraint on existing labels and asks to relabel the objects valid before and failing now.""",
                                p.CheckChange,
                                lambda c, w: _say("A requirement for every {} changed; it now reads: {}. Fix the "
                                                  "objects that break it.", w.code(c.owner), w.condition(c.expr)),
                                h.check_now_failing, "relabel")


def constraint_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both_constraints(d):
        if old.expr != new.expr:
            yield CONSTRAINT_CHANGED.change(p.CheckChange(new.check, "constraint", new.text, new.expr, old.check,
                                                          old.text), new.check,
                                            f"Constraint of {check_owner(new.check)} changed from '{old.text}' to "
                                            f"'{new.text}'.", old.loc, new.loc)


def _both_constraints(d: Diffing) -> Iterator[tuple[Any, Any]]:
    return ((pair.old, pair.new) for pair in d.constraints if pair.old is not None and pair.new is not None)


CONSTRAINT_REMOVED = ChangeKind("CONSTRAINT_REMOVED", "safe", "a class's `require` was removed", """\
A per-object constraint is gone: no existing label becomes invalid.""", p.CheckChange,
                                lambda c, w: _say("{} objects no longer need to satisfy {}.", w.code(c.owner),
                                                  w.code(c.text)))


def constraint_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.constraints:
        old = pair.old
        if pair.new is None and isinstance(old, ir.Constraint):
            yield CONSTRAINT_REMOVED.change(p.CheckChange(old.check, "constraint", old.text, old.expr), old.check,
                                            f"Constraint '{old.text}' was removed from {check_owner(old.check)}.",
                                            old=old.loc)


RULE_ADDED = ChangeKind("RULE_ADDED", "breaking", "a rule was added", """\
A new rule. The impact analysis evaluates it on existing labels and asks to relabel the objects
it binds where it fails (a rule with no `for` asks to review the whole image).""", p.CheckChange,
                        lambda c, w: _say("New rule {}: {}. Fix the labels that break it.", w.code(c.check),
                                          w.condition(c.expr)),
                        h.check_now_failing, "relabel")


def rule_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("rules"):
        if isinstance(pair.new, ir.Rule) and pair.old is None:
            rule = pair.new
            yield RULE_ADDED.change(p.CheckChange(rule.name, "rule", rule.text, rule.require), rule.name,
                                    f"Rule '{rule.name}' ({rule.severity}) was added.", new=rule.loc)


RULE_CHANGED = ChangeKind("RULE_CHANGED", "breaking", "a rule's meaning changed", """\
A rule's `for` clauses, `where` filters, `require` or severity changed (a changed explanation
alone is DOC_CHANGED). The impact analysis evaluates the old and the new rule on existing
labels and asks to relabel what was valid before and fails now.""", p.CheckChange,
                          lambda c, w: _say("The rule {} changed; it now reads: {}. Fix the labels that break it.",
                                            w.code(c.check), w.condition(c.expr)),
                          h.check_now_failing, "relabel")


def rule_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "rules"):
        parts = _rule_differences(old, new)
        if parts:
            yield RULE_CHANGED.change(p.CheckChange(new.name, "rule", new.text, new.require, old.name, old.text,
                                                    " and ".join(parts)), new.name,
                                      f"Rule '{new.name}' changed its {' and '.join(parts)}.", old.loc, new.loc)


def _rule_differences(old: ir.Rule, new: ir.Rule) -> list[str]:
    parts = []
    if old.severity != new.severity:
        parts.append(f"severity ({old.severity} -> {new.severity})")
    if _bindings(old) != _bindings(new):
        parts.append("bindings")
    if old.require != new.require:
        parts.append(f"require ('{old.text}' -> '{new.text}')")
    return parts


def _bindings(rule: ir.Rule) -> tuple:
    return tuple((b.var, b.class_name, b.where) for b in rule.bindings)


def _both(d: Diffing, items: str) -> Iterator[tuple[Any, Any]]:
    return ((pair.old, pair.new) for pair in d.kept_pairs(items) if pair.old is not None and pair.new is not None)


RULE_REMOVED = ChangeKind("RULE_REMOVED", "safe", "a rule was removed", """\
A rule is gone: no existing label becomes invalid.""", p.CheckChange,
                          lambda c, w: _say("The rule {} does not apply any more.", w.code(c.check)))


def rule_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("rules"):
        if isinstance(pair.old, ir.Rule) and pair.new is None:
            rule = pair.old
            yield RULE_REMOVED.change(p.CheckChange(rule.name, "rule", rule.text, rule.require), rule.name,
                                      f"Rule '{rule.name}' was removed.", old=rule.loc)


QUOTA_ADDED = ChangeKind("QUOTA_ADDED", "safe", "a quota was added", """\
A quota constrains the balance of the whole export, not any one label: no label becomes wrong,
though `check` may now report the export.""", p.QuotaChange,
                         lambda c, w: _say("New quota {} on the whole export: {}.", w.code(c.name), w.code(c.text)))


def quota_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.new, ir.Quota) and pair.old is None:
            quota = pair.new
            yield QUOTA_ADDED.change(p.QuotaChange(quota.name, quota.text), quota.name,
                                     f"Quota '{quota.name}' was added: {quota.text}.", new=quota.loc)


QUOTA_CHANGED = ChangeKind("QUOTA_CHANGED", "safe", "a quota changed", """\
A quota's condition or severity changed. Quotas concern the whole export, not labels.""", p.QuotaChange,
                           lambda c, w: _say("The quota {} now reads {}.", w.code(c.name), w.code(c.text)))


def quota_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "quotas"):
        if (old.expr, old.severity) != (new.expr, new.severity):
            yield QUOTA_CHANGED.change(p.QuotaChange(new.name, new.text), new.name,
                                       f"Quota '{new.name}' changed from '{old.text}' ({old.severity}) "
                                       f"to '{new.text}' ({new.severity}).", old.loc, new.loc)


QUOTA_REMOVED = ChangeKind("QUOTA_REMOVED", "safe", "a quota was removed", """\
A quota is gone.""", p.QuotaChange, lambda c, w: _say("The quota {} does not apply any more.", w.code(c.name)))


def quota_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.old, ir.Quota) and pair.new is None:
            quota = pair.old
            yield QUOTA_REMOVED.change(p.QuotaChange(quota.name, quota.text), quota.name,
                                       f"Quota '{quota.name}' was removed.", old=quota.loc)


# ---- documentation and examples ---------------------------------------------------------------------

DOC_CHANGED = ChangeKind("DOC_CHANGED", "safe", "documentation changed", """\
A doc string or explanation changed (of the spec, a class, an attribute, an enum value, a
constraint, a rule or a quota). The diff cannot know what a sentence means: if the new text
changes what a correct label is, declare it in a `changes` block (`relabel CLASS where ...` or
`review images`), which the impact analysis then follows.""", p.DocChanged,
                         lambda c, w: _say("The explanation of {} was rewritten: read it again.", w.code(c.target)))


def doc_changed(d: Diffing) -> Iterator[Change]:
    """Each documented thing kept in both versions, as (payload without the texts, old, new, locations)."""
    texts = [(p.DocChanged("spec", None, None, "spec"), d.old.doc, d.new.doc, _header(d.old), _header(d.new))]
    texts += [(p.DocChanged(n, None, None, "class", n), d.old_class(n).doc, d.new_class(n).doc, d.old_class(n).loc,
               d.new_class(n).loc) for n in d.classes[2]]
    texts += [(p.DocChanged(pair.target, None, None, "attribute", pair.owner, new.name), old.doc, new.doc, old.loc,
               new.loc) for pair, old, new in _kept_attributes(d)]
    texts += [(p.DocChanged(v.target, None, None, "value", *(v.uses[0] if v.uses else ("", ""))), v.old.doc,
               v.new.doc, v.old.loc, v.new.loc) for v in d.values if v.old and v.new]
    texts += [(p.DocChanged(new.check, None, None, "constraint", check_owner(new.check), index=new.index), old.doc,
               new.doc, old.loc, new.loc) for old, new in _both_constraints(d)]
    texts += [(p.DocChanged(new.name, None, None, "rule", name=new.name), old.doc, new.doc, old.loc, new.loc)
              for old, new in _both(d, "rules")]
    texts += [(p.DocChanged(new.name, None, None, "quota", name=new.name), old.doc, new.doc, old.loc, new.loc)
              for old, new in _both(d, "quotas")]
    for subject, old, new, old_loc, new_loc in texts:
        if (old or "") != (new or ""):
            yield DOC_CHANGED.change(replace(subject, old_text=old, new_text=new), subject.target,
                                     f"Documentation of {subject.target} changed.", old_loc, new_loc)


EXAMPLE_ADDED = ChangeKind("EXAMPLE_ADDED", "safe", "an example was added", """\
A new `example` block: a test of the spec and a figure in the labeler docs.""", p.ExampleChange,
                           lambda c, w: _say("New example \u201c{}\u201d.", c.title))


def example_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.new, ir.Example) and pair.old is None:
            yield EXAMPLE_ADDED.change(p.ExampleChange(pair.new.title), pair.new.title,
                                       f"Example '{pair.new.title}' was added.", new=pair.new.loc)


EXAMPLE_REMOVED = ChangeKind("EXAMPLE_REMOVED", "safe", "an example was removed", """\
An `example` block is gone from the spec and from the labeler docs.""", p.ExampleChange,
                             lambda c, w: _say("The example \u201c{}\u201d was removed.", c.title))


def example_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.old, ir.Example) and pair.new is None:
            yield EXAMPLE_REMOVED.change(p.ExampleChange(pair.old.title), pair.old.title,
                                         f"Example '{pair.old.title}' was removed.", old=pair.old.loc)


EXAMPLE_CHANGED = ChangeKind("EXAMPLE_CHANGED", "safe", "an example changed", """\
An `example` block shows another image or expects another verdict. Labelers see the new figure.""",
                             p.ExampleChange,
                             lambda c, w: _say("The example \u201c{}\u201d changed: look at it again.", c.title))


def example_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "examples"):
        if (old.valid, old.check, old.image) != (new.valid, new.check, new.image):
            yield EXAMPLE_CHANGED.change(p.ExampleChange(new.title), new.title, f"Example '{new.title}' changed.",
                                         old.loc, new.loc)


# ---- declared in `changes` blocks -------------------------------------------------------------------

RELABEL_DECLARED = ChangeKind("RELABEL_DECLARED", "breaking", "a `changes` block asks to relabel objects", """\
`changes N { relabel CLASS where EXPR }`: the authors of version N say that existing objects
matching EXPR are wrong under the new meaning. The impact analysis evaluates EXPR (compiled,
like any check) on labels made before version N and asks to relabel exactly those objects;
it also replaces the general review that ENUM_VALUE_ADDED would ask for that class.""", p.RelabelDeclared,
                              lambda c, w: _say("Relabel every {} labeled before where {}.", w.code(c.class_name),
                                                w.condition(c.where)),
                              h.relabel_declared, "relabel")


def relabel_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.Relabel):
        payload = p.RelabelDeclared(action.class_name, action.where, action.text, block.version, block.summary)
        yield RELABEL_DECLARED.change(payload, action.class_name, f"Version {block.version} asks to relabel "
                                      f"{action.class_name} where {action.text}{_summary(block)}", new=block.loc)


def _summary(block: ir.Changes) -> str:
    return f": {block.summary}" if block.summary else "."


def _review_words(c: p.ReviewDeclared, w: Words) -> str:
    if c.where is None:
        return Markup("Look again at every image labeled before.")
    return _say("Look again at every image labeled before where {}.", w.condition(c.where))


REVIEW_DECLARED = ChangeKind("REVIEW_DECLARED", "dangerous", "a `changes` block asks to review images", """\
`changes N { review images [where EXPR] }`: existing images (those matching EXPR over image
attributes) should be looked at again as a whole. The impact analysis queues them for review.""",
                             p.ReviewDeclared, _review_words, h.review_declared, "review")


def review_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.ReviewImages):
        which = f" where {action.text}" if action.text else ""
        yield REVIEW_DECLARED.change(p.ReviewDeclared(action.where, action.text, block.version, block.summary),
                                     "image", f"Version {block.version} asks to review images{which}"
                                     f"{_summary(block)}", new=block.loc)


DECLARED_RULES: tuple[Rule, ...]  # set below the registry: what a spec's own `changes` blocks say


def declared_changes(spec: ir.Spec, since: int) -> list[Change]:
    """What the ``changes`` blocks of versions after ``since`` declare, without an older version to compare.

    Renames appear here too (composed along chains), as the diff reports them when both versions
    already use the new name.
    """
    d = diffing(spec, spec, since)
    return sorted((change for rule in DECLARED_RULES for change in rule(d)), key=Change.sort_key)


# ---- the spec itself --------------------------------------------------------------------------------

VERSION_NOT_BUMPED = ChangeKind("VERSION_NOT_BUMPED", "dangerous", "the spec changed but its version did not grow", """\
The new file differs from the old one, but its `version` is not larger. Labels record the
version they were made under (`spec_version`); without a new number, the impact of this
change on existing labels cannot be told apart from labels already made under it.""", p.SpecHeader,
                                lambda c, w: _say("The spec changed but kept version {}: ask its authors which "
                                                  "version your labels follow.", c.new_version))


def version_not_bumped(d: Diffing) -> Iterator[Change]:
    if d.new.version <= d.old.version and _any_other_change(d):
        went = "is still" if d.new.version == d.old.version else f"went down from {d.old.version} to"
        yield VERSION_NOT_BUMPED.change(_header_payload(d), "version", f"The spec changed but its version {went} "
                                        f"{d.new.version}.", _header(d.old), _header(d.new))


def _any_other_change(d: Diffing) -> bool:
    return any(True for kind, rule in RULES if kind is not VERSION_NOT_BUMPED for _ in rule(d))


SPEC_RENAMED = ChangeKind("SPEC_RENAMED", "safe", "the spec's name changed", """\
`spec NAME` changed (only diffed with `--allow-rename`). Exports name the spec they follow;
point them at the new name.""", p.SpecHeader,
                          lambda c, w: _say("The spec is now called {} (before: {}).", w.code(c.new_name),
                                            w.code(c.old_name)))


def spec_renamed(d: Diffing) -> Iterator[Change]:
    if d.old.name != d.new.name:
        yield SPEC_RENAMED.change(_header_payload(d), "spec", f"The spec was renamed from '{d.old.name}' to "
                                  f"'{d.new.name}'.", _header(d.old), _header(d.new))


def _header_payload(d: Diffing) -> p.SpecHeader:
    return p.SpecHeader(d.old.name, d.new.name, d.old.version, d.new.version)


def _header(spec: ir.Spec) -> ir.Loc:
    """``spec NAME version N`` opens the file (LANGUAGE.md), and the IR keeps no location for it."""
    return ir.Loc(spec.source, 1, 1)


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
DECLARED_RULES = (relabel_declared, review_declared, attribute_renamed, enum_value_renamed)


def diff_specs(old: ir.Spec, new: ir.Spec, since: int | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, most severe first; ``since`` widens the declared range."""
    d = diffing(old, new, since)
    return sorted((change for _, rule in RULES for change in rule(d)), key=Change.sort_key)
