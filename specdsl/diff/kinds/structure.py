"""Change kinds of the schema: classes, attributes and enum values."""

from __future__ import annotations

from collections.abc import Iterator

from specdsl import ir
from specdsl.diff import hits as h
from specdsl.diff import payloads as p
from specdsl.diff.context import Diffing
from specdsl.diff.kinds.common import attr_kind, attr_words, fmt, kept_attributes, objects_words, say, uses_words
from specdsl.diff.model import Change, ChangeKind, Words

# ---- classes ----------------------------------------------------------------------------------------

CLASS_ADDED = ChangeKind("CLASS_ADDED", "dangerous", "a class was added", """\
A new class exists. Images labeled under the old version were never searched for it, so
they may hold unlabeled objects of this class: every such image is queued for review.""",
                         p.ClassChange, lambda c, w: say("A new class {} ({}) is labeled now: look for it in "
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
                           p.ClassChange, lambda c, w: say("The class {} is not labeled any more: its objects are "
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
                                    p.ClassChange, lambda c, w: say("{} is now drawn as a {} instead of a {}: "
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
    attr = attr_words(c.owner, c.attribute, w)
    if c.default is not None:
        return say("New attribute {}: when you leave it out it means {}.", attr, w.code(fmt(c.default)))
    if c.required:
        return say("New attribute {}: fill it in on all {} labeled before.", attr, objects_words(c.owner, w))
    return say("New optional attribute {}: set it where you can tell.", attr)


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
                                         pair.target, f"{attr_kind(pair.owner)} '{pair.target}' was added ({how}).",
                                         new=attr.loc, severity=severity)


def _added_severity(attr: ir.Attribute) -> tuple[str, str]:
    if attr.default is not None:
        return f"default {fmt(attr.default)}", "migratable"
    return ("optional", "safe") if attr.optional else ("required", "breaking")


ATTRIBUTE_REMOVED = ChangeKind("ATTRIBUTE_REMOVED", "migratable", "an attribute was removed", """\
An attribute is no longer declared. Existing values of it fail `check` as undeclared; dropping
them is mechanical, so `specc migrate` (given the old version through `--history`) removes them.
If the attribute was renamed, declare it (`rename CLASS.old -> new` in a `changes` block) to get
ATTRIBUTE_RENAMED instead.""", p.AttributeRemoved,
                               lambda c, w: say("{} is not asked for any more: leave it out (old values are "
                                                "dropped automatically).", attr_words(c.owner, c.attribute, w)),
                               h.attribute_removed, "migrate")


def attribute_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.new is None and pair.old is not None:
            yield ATTRIBUTE_REMOVED.change(p.AttributeRemoved(pair.owner, pair.old.name), pair.target,
                                           f"{attr_kind(pair.owner)} '{pair.target}' was removed.", old=pair.old.loc)


ATTRIBUTE_RENAMED = ChangeKind("ATTRIBUTE_RENAMED", "migratable", "an attribute was renamed (declared)", """\
A `changes` block declares `rename CLASS.old -> new`. Instead of a removed and an added
attribute, the diff reports one rename; `specc migrate` moves the values to the new name.
Renames compose across versions: `a -> b` in version 2 and `b -> c` in version 3 take labels
made under version 1 from `a` straight to `c`.""", p.AttributeRenamed,
                               lambda c, w: say("{} is now called {} (old labels are renamed automatically).",
                                                attr_words(c.owner, c.old, w), w.code(c.new)),
                               h.attribute_renamed, "migrate")


def attribute_renamed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.renamed and pair.old is not None and pair.new is not None:
            yield ATTRIBUTE_RENAMED.change(p.AttributeRenamed(pair.owner, pair.old.name, pair.new.name), pair.target,
                                           f"{attr_kind(pair.owner)} '{pair.owner}.{pair.old.name}' was renamed to "
                                           f"'{pair.new.name}'.", pair.old.loc, pair.new.loc)
    for block, action, current in d.declared_only_attribute_renames():
        owner = action.class_name
        yield ATTRIBUTE_RENAMED.change(p.AttributeRenamed(owner, action.old, current, block.version),
                                       f"{owner}.{current}", f"{attr_kind(owner)} '{owner}.{action.old}' was "
                                       f"renamed to '{current}' {_when(block, action.new, current)}.", new=block.loc)


ATTRIBUTE_TYPE_CHANGED = ChangeKind("ATTRIBUTE_TYPE_CHANGED", "breaking", "an attribute changed its type", """\
An attribute's type changed (e.g. `int` became `string`, or a range narrowed). Existing values
that do not fit the new type must be relabeled; the impact analysis checks each value against
the new type and lists only those. Changes of an enum's values are reported per value instead
(ENUM_VALUE_ADDED, ENUM_VALUE_REMOVED).""", p.AttributeTypeChanged,
                                    lambda c, w: say("{} now takes {} (before: {}): fix the values that do not "
                                                     "fit.", attr_words(c.owner, c.attribute, w),
                                                     w.code(c.new_type.describe()), w.code(c.old_type.describe())),
                                    h.attribute_type_changed, "relabel")


def attribute_type_changed(d: Diffing) -> Iterator[Change]:
    for pair, old, new in kept_attributes(d):
        if old.type != new.type and not (old.type.kind == "enum" and new.type.kind == "enum"):
            yield ATTRIBUTE_TYPE_CHANGED.change(
                p.AttributeTypeChanged(pair.owner, old.name, old.type, new.type),
                pair.target, f"{attr_kind(pair.owner)} '{pair.target}' changed type from {old.type.describe()} "
                f"to {new.type.describe()}.", old.loc, new.loc)


ATTRIBUTE_NOW_REQUIRED = ChangeKind("ATTRIBUTE_NOW_REQUIRED", "breaking", "an optional attribute became required", """\
An attribute lost its `?` and has no default: existing objects that left it out now fail
`check`. The impact analysis asks to `fill` it on exactly those objects.""", p.AttributeRequirement,
                                    lambda c, w: say("{} is now required: fill it in wherever it was left out.",
                                                     attr_words(c.owner, c.attribute, w)),
                                    h.attribute_now_required, "fill")


def attribute_now_required(d: Diffing) -> Iterator[Change]:
    for pair, old, new in kept_attributes(d):
        if old.optional and old.default is None and new.required:
            yield ATTRIBUTE_NOW_REQUIRED.change(p.AttributeRequirement(pair.owner, old.name), pair.target,
                                                f"{attr_kind(pair.owner)} '{pair.target}' is now required.",
                                                old.loc, new.loc)


ATTRIBUTE_NOW_OPTIONAL = ChangeKind("ATTRIBUTE_NOW_OPTIONAL", "safe", "a required attribute became optional", """\
A required attribute got a `?`. Every existing label stays valid.""", p.AttributeRequirement,
                                    lambda c, w: say("{} may now be left out when you cannot tell.",
                                                     attr_words(c.owner, c.attribute, w)))


def attribute_now_optional(d: Diffing) -> Iterator[Change]:
    for pair, old, new in kept_attributes(d):
        if old.required and new.optional and new.default is None:
            yield ATTRIBUTE_NOW_OPTIONAL.change(p.AttributeRequirement(pair.owner, old.name), pair.target,
                                                f"{attr_kind(pair.owner)} '{pair.target}' is now optional.",
                                                old.loc, new.loc)


def _default_words(c: p.DefaultChanged, w: Words) -> str:
    attr = attr_words(c.owner, c.attribute, w)
    if c.new_default is None:
        return say("{} has no default any more: always set it.", attr)
    return say("When you leave {} out it now means {}.", attr, w.code(fmt(c.new_default)))


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
    for pair, old, new in kept_attributes(d):
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
    return "none" if attr is None or attr.default is None else fmt(attr.default)


# ---- enum values ------------------------------------------------------------------------------------

ENUM_VALUE_ADDED = ChangeKind("ENUM_VALUE_ADDED", "dangerous", "an enum value was added", """\
An enum gained a value. Objects labeled before may deserve the new value but carry an old one:
the images holding objects of a class that uses the enum are queued for review, unless a
`changes` block of the new version declares `relabel CLASS where ...` for that class, which
then names exactly the objects to relabel.""", p.EnumValue,
                              lambda c, w: say("New value {} for {}: use it where it fits, also on objects "
                                               "labeled before.", w.code(c.value), uses_words(c.uses, c.enum, w)),
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
                                lambda c, w: say("The value {} of {} was removed: relabel the objects that carry "
                                                 "it.", w.code(c.value), uses_words(c.uses, c.enum, w)),
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
                                lambda c, w: say("The value {} of {} is now called {} (old labels are renamed "
                                                 "automatically).", w.code(c.old), uses_words(c.uses, c.enum, w),
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
                                        f"to '{value}' {_when(block, action.new, value)}.", new=block.loc)


def _when(block: ir.Changes, written: str, current: str) -> str:
    """When a declared rename happened; a chain says through which name (``a -> b`` in 2, ``b -> c`` later)."""
    if written == current:
        return f"in version {block.version}"
    return f"through '{written}' (version {block.version} and later)"
