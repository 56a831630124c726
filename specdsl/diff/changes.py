"""The change registry: one small function per change ID, its severity and docs next to it.

Each rule reads a :class:`~specdsl.diff.context.Diffing` (old and new elements already
paired by name) and yields :class:`Change` values. ``RULES`` at the bottom lists them in
the order ``specc explain`` documents them. Change IDs are API: never rename one.

Severities describe what a change does to labels made under the old version:
``breaking`` (they become invalid), ``dangerous`` (they may be wrong: review),
``migratable`` (a mechanical rewrite, ``specc migrate``, fixes them), ``safe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from specdsl import ir
from specdsl.diff.context import IMAGE, AttrPair, Diffing, diffing
from specdsl.diff.model import Change, ChangeKind

Rule = Callable[[Diffing], Iterator[Change]]


def _attr_kind(owner: str) -> str:
    return "Image attribute" if owner == IMAGE else "Attribute"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


# ---- classes ----------------------------------------------------------------------------------------

CLASS_ADDED = ChangeKind("CLASS_ADDED", "dangerous", "a class was added", """\
A new class exists. Images labeled under the old version were never searched for it, so
they may hold unlabeled objects of this class: every such image is queued for review.""", "review")


def class_added(d: Diffing) -> Iterator[Change]:
    for name in d.classes[0]:
        cls = d.new_class(name)
        yield CLASS_ADDED.change(name, f"Class '{name}' ({cls.geometry}) was added.", new=cls.loc, **{"class": name})


CLASS_REMOVED = ChangeKind("CLASS_REMOVED", "breaking", "a class was removed", """\
A class no longer exists. Its objects in existing labels fail `check` with a schema finding;
the impact analysis asks to delete them (or relabel them as another class by hand).""", "delete")


def class_removed(d: Diffing) -> Iterator[Change]:
    for name in d.classes[1]:
        yield CLASS_REMOVED.change(name, f"Class '{name}' was removed.", old=d.old_class(name).loc,
                                   **{"class": name})


CLASS_GEOMETRY_CHANGED = ChangeKind("CLASS_GEOMETRY_CHANGED", "breaking", "a class changed its geometry", """\
A class is drawn with another geometry (e.g. `box` became `polygon`). Every existing object of
the class has the wrong shape and must be redrawn: the impact analysis asks to relabel each one.""", "relabel")


def class_geometry_changed(d: Diffing) -> Iterator[Change]:
    for name in d.classes[2]:
        old, new = d.old_class(name), d.new_class(name)
        if old.geometry != new.geometry:
            yield CLASS_GEOMETRY_CHANGED.change(name, f"Class '{name}' changed geometry from {old.geometry} to "
                                                f"{new.geometry}.", old.loc, new.loc, **{"class": name})


# ---- attributes -------------------------------------------------------------------------------------

ATTRIBUTE_ADDED = ChangeKind("ATTRIBUTE_ADDED", "breaking", "an attribute was added", """\
A class (or the image) has a new attribute. Its severity depends on the declaration:
*required* (no default, no `?`) is `breaking`: every existing object lacks it, and the impact
analysis asks to `fill` it; *with a default* is `migratable`: `specc migrate` writes the
default into existing labels; *optional* (`?`) is `safe`.""", "fill",
                             "breaking when required (fill), migratable with a default (migrate), safe when optional")


def attribute_added(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.old is None and pair.new is not None:
            attr = pair.new
            how, severity = _added_severity(attr)
            yield ATTRIBUTE_ADDED.change(pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' was added ({how}).",
                                         new=attr.loc, severity=severity, owner=pair.owner, attribute=attr.name,
                                         required=attr.required, default=attr.default)


def _added_severity(attr: ir.Attribute) -> tuple[str, str]:
    if attr.default is not None:
        return f"default {_fmt(attr.default)}", "migratable"
    return ("optional", "safe") if attr.optional else ("required", "breaking")


ATTRIBUTE_REMOVED = ChangeKind("ATTRIBUTE_REMOVED", "migratable", "an attribute was removed", """\
An attribute is no longer declared. Existing values of it fail `check` as undeclared; dropping
them is mechanical, so `specc migrate` (given the old version through `--history`) removes them.
If the attribute was renamed, declare it (`rename CLASS.old -> new` in a `changes` block) to get
ATTRIBUTE_RENAMED instead.""", "migrate")


def attribute_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.new is None and pair.old is not None:
            yield ATTRIBUTE_REMOVED.change(pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' was removed.",
                                           old=pair.old.loc, owner=pair.owner, attribute=pair.old.name)


ATTRIBUTE_RENAMED = ChangeKind("ATTRIBUTE_RENAMED", "migratable", "an attribute was renamed (declared)", """\
A `changes` block declares `rename CLASS.old -> new`. Instead of a removed and an added
attribute, the diff reports one rename; `specc migrate` moves the values to the new name.""", "migrate")


def attribute_renamed(d: Diffing) -> Iterator[Change]:
    for pair in d.attributes:
        if pair.renamed and pair.old is not None and pair.new is not None:
            yield ATTRIBUTE_RENAMED.change(pair.target, f"{_attr_kind(pair.owner)} '{pair.owner}.{pair.old.name}' "
                                           f"was renamed to '{pair.new.name}'.", pair.old.loc, pair.new.loc,
                                           owner=pair.owner, attribute=pair.old.name, new_name=pair.new.name)
    for block, action in d.declared_only_attribute_renames():
        yield ATTRIBUTE_RENAMED.change(f"{action.class_name}.{action.new}", f"{_attr_kind(action.class_name)} "
                                       f"'{action.class_name}.{action.old}' was renamed to '{action.new}' in "
                                       f"version {block.version}.", new=block.loc, owner=action.class_name,
                                       attribute=action.old, new_name=action.new)


ATTRIBUTE_TYPE_CHANGED = ChangeKind("ATTRIBUTE_TYPE_CHANGED", "breaking", "an attribute changed its type", """\
An attribute's type changed (e.g. `int` became `string`, or a range narrowed). Existing values
that do not fit the new type must be relabeled; the impact analysis checks each value against
the new type and lists only those. Changes of an enum's values are reported per value instead
(ENUM_VALUE_ADDED, ENUM_VALUE_REMOVED).""", "relabel")


def attribute_type_changed(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.type != new.type and not (old.type.kind == "enum" and new.type.kind == "enum"):
            yield ATTRIBUTE_TYPE_CHANGED.change(
                pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' changed type from {old.type.describe()} "
                f"to {new.type.describe()}.", old.loc, new.loc, owner=pair.owner, attribute=old.name, type=new.type)


def _kept_attributes(d: Diffing) -> Iterator[tuple[AttrPair, ir.Attribute, ir.Attribute]]:
    return ((p, p.old, p.new) for p in d.attributes if p.old is not None and p.new is not None)


ATTRIBUTE_NOW_REQUIRED = ChangeKind("ATTRIBUTE_NOW_REQUIRED", "breaking", "an optional attribute became required", """\
An attribute lost its `?` and has no default: existing objects that left it out now fail
`check`. The impact analysis asks to `fill` it on exactly those objects.""", "fill")


def attribute_now_required(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.optional and old.default is None and new.required:
            yield ATTRIBUTE_NOW_REQUIRED.change(pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' is now "
                                                "required.", old.loc, new.loc, owner=pair.owner, attribute=old.name)


ATTRIBUTE_NOW_OPTIONAL = ChangeKind("ATTRIBUTE_NOW_OPTIONAL", "safe", "a required attribute became optional", """\
A required attribute got a `?`. Every existing label stays valid.""")


def attribute_now_optional(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.required and new.optional and new.default is None:
            yield ATTRIBUTE_NOW_OPTIONAL.change(pair.target, f"{_attr_kind(pair.owner)} '{pair.target}' is now "
                                                "optional.", old.loc, new.loc, owner=pair.owner, attribute=old.name)


DEFAULT_CHANGED = ChangeKind("DEFAULT_CHANGED", "migratable", "an attribute's default changed", """\
An attribute's default was changed, added or removed. Objects that left the attribute out
meant the *old* default; when there was one, `specc migrate` writes it into them so that
their meaning survives (`migratable`). A default added to an optional attribute turns
"unknown" into that default: those objects need the value filled by a person (`dangerous`).
A default added to a required attribute changes no existing label (`safe`).""", "migrate",
                             "migratable when there was a default (migrate), dangerous for a default added to an "
                             "optional attribute (fill), safe for one added to a required attribute")


def default_changed(d: Diffing) -> Iterator[Change]:
    for pair, old, new in _kept_attributes(d):
        if old.default != new.default:
            severity, action = _default_severity(old)
            yield DEFAULT_CHANGED.change(
                pair.target, f"Default of '{pair.target}' changed from {_default_text(old)} to "
                f"{_default_text(new)}.", old.loc, new.loc, severity=severity,
                owner=pair.owner, attribute=old.name, old_default=old.default, action=action)


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
then names exactly the objects to relabel.""", "review")


def enum_value_added(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.old is None and pair.new is not None:
            yield ENUM_VALUE_ADDED.change(pair.target, f"Value '{pair.new.name}' was added to {pair.enum}.",
                                          new=pair.new.loc, enum=pair.enum, value=pair.new.name, uses=pair.uses)


ENUM_VALUE_REMOVED = ChangeKind("ENUM_VALUE_REMOVED", "breaking", "an enum value was removed", """\
An enum lost a value. Objects that carry it fail `check`; the impact analysis asks to relabel
exactly those. Declare a rename (`rename CLASS.attr.old -> new`) to make it ENUM_VALUE_RENAMED.""",
                                "relabel")


def enum_value_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.new is None and pair.old is not None:
            yield ENUM_VALUE_REMOVED.change(pair.target, f"Value '{pair.old.name}' was removed from {pair.enum}.",
                                            old=pair.old.loc, enum=pair.enum, value=pair.old.name, uses=pair.uses)


ENUM_VALUE_RENAMED = ChangeKind("ENUM_VALUE_RENAMED", "migratable", "an enum value was renamed (declared)", """\
A `changes` block declares `rename CLASS.attr.old -> new`: the value is the same, only its name
changed. `specc migrate` rewrites it in existing labels.""", "migrate")


def enum_value_renamed(d: Diffing) -> Iterator[Change]:
    for pair in d.values:
        if pair.renamed and pair.old is not None and pair.new is not None:
            yield ENUM_VALUE_RENAMED.change(pair.target, f"Value '{pair.old.name}' of {pair.enum} was renamed to "
                                            f"'{pair.new.name}'.", pair.old.loc, pair.new.loc, enum=pair.enum,
                                            value=pair.old.name, new_value=pair.new.name, uses=pair.uses)
    for block, action, old_attr in d.declared_only_value_renames():
        target = f"{action.class_name}.{action.attribute}"
        yield ENUM_VALUE_RENAMED.change(f"{target}.{action.new}", f"Value '{action.old}' of {target} was renamed "
                                        f"to '{action.new}' in version {block.version}.", new=block.loc,
                                        enum=target, value=action.old, new_value=action.new,
                                        uses=((action.class_name, old_attr),))


# ---- constraints, rules, quotas ---------------------------------------------------------------------

CONSTRAINT_ADDED = ChangeKind("CONSTRAINT_ADDED", "breaking", "a `require` was added to a class", """\
A class has a new per-object constraint. The impact analysis evaluates exactly that constraint
on existing labels and asks to relabel the objects that fail it.""", "relabel")


def constraint_added(d: Diffing) -> Iterator[Change]:
    for pair in d.constraints:
        new = pair.new
        if pair.old is None and isinstance(new, ir.Constraint):
            yield CONSTRAINT_ADDED.change(str(new.check), f"Constraint '{new.text}' was added to {_owner(new)}.",
                                          new=new.loc, check=str(new.check))


def _owner(constraint: ir.Constraint) -> str:
    return str(constraint.check.owner)


CONSTRAINT_CHANGED = ChangeKind("CONSTRAINT_CHANGED", "breaking", "a class's `require` changed", """\
A per-object constraint now says something else. The impact analysis evaluates the old and the
new constraint on existing labels and asks to relabel the objects valid before and failing now.""",
                                "relabel")


def constraint_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both_constraints(d):
        if old.expr != new.expr:
            yield CONSTRAINT_CHANGED.change(str(new.check), f"Constraint of {_owner(new)} changed from "
                                            f"'{old.text}' to '{new.text}'.", old.loc, new.loc, check=str(new.check),
                                            old_check=str(old.check))


def _both_constraints(d: Diffing) -> Iterator[tuple[Any, Any]]:
    return ((p.old, p.new) for p in d.constraints if p.old is not None and p.new is not None)


CONSTRAINT_REMOVED = ChangeKind("CONSTRAINT_REMOVED", "safe", "a class's `require` was removed", """\
A per-object constraint is gone: no existing label becomes invalid.""")


def constraint_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.constraints:
        old = pair.old
        if pair.new is None and isinstance(old, ir.Constraint):
            yield CONSTRAINT_REMOVED.change(str(old.check), f"Constraint '{old.text}' was removed from "
                                            f"{_owner(old)}.", old=old.loc, check=str(old.check))


RULE_ADDED = ChangeKind("RULE_ADDED", "breaking", "a rule was added", """\
A new rule. The impact analysis evaluates it on existing labels and asks to relabel the objects
it binds where it fails (a rule with no `for` asks to review the whole image).""", "relabel")


def rule_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("rules"):
        if isinstance(pair.new, ir.Rule) and pair.old is None:
            yield RULE_ADDED.change(pair.new.name, f"Rule '{pair.new.name}' ({pair.new.severity}) was added.",
                                    new=pair.new.loc, check=pair.new.name)


RULE_CHANGED = ChangeKind("RULE_CHANGED", "breaking", "a rule's meaning changed", """\
A rule's `for` clauses, `where` filters, `require` or severity changed (a changed explanation
alone is DOC_CHANGED). The impact analysis evaluates the old and the new rule on existing
labels and asks to relabel what was valid before and fails now.""", "relabel")


def rule_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "rules"):
        parts = _rule_differences(old, new)
        if parts:
            yield RULE_CHANGED.change(new.name, f"Rule '{new.name}' changed its {' and '.join(parts)}.",
                                      old.loc, new.loc, check=new.name)


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
    return ((p.old, p.new) for p in d.kept_pairs(items) if p.old is not None and p.new is not None)


RULE_REMOVED = ChangeKind("RULE_REMOVED", "safe", "a rule was removed", """\
A rule is gone: no existing label becomes invalid.""")


def rule_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("rules"):
        if isinstance(pair.old, ir.Rule) and pair.new is None:
            yield RULE_REMOVED.change(pair.old.name, f"Rule '{pair.old.name}' was removed.", old=pair.old.loc,
                                      check=pair.old.name)


QUOTA_ADDED = ChangeKind("QUOTA_ADDED", "safe", "a quota was added", """\
A quota constrains the balance of the whole export, not any one label: no label becomes wrong,
though `check` may now report the export.""")


def quota_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.new, ir.Quota) and pair.old is None:
            yield QUOTA_ADDED.change(pair.new.name, f"Quota '{pair.new.name}' was added: {pair.new.text}.",
                                     new=pair.new.loc, check=pair.new.name)


QUOTA_CHANGED = ChangeKind("QUOTA_CHANGED", "safe", "a quota changed", """\
A quota's condition or severity changed. Quotas concern the whole export, not labels.""")


def quota_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "quotas"):
        if (old.expr, old.severity) != (new.expr, new.severity):
            yield QUOTA_CHANGED.change(new.name, f"Quota '{new.name}' changed from '{old.text}' ({old.severity}) "
                                       f"to '{new.text}' ({new.severity}).", old.loc, new.loc, check=new.name)


QUOTA_REMOVED = ChangeKind("QUOTA_REMOVED", "safe", "a quota was removed", """\
A quota is gone.""")


def quota_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.old, ir.Quota) and pair.new is None:
            yield QUOTA_REMOVED.change(pair.old.name, f"Quota '{pair.old.name}' was removed.", old=pair.old.loc,
                                       check=pair.old.name)


# ---- documentation and examples ---------------------------------------------------------------------

DOC_CHANGED = ChangeKind("DOC_CHANGED", "safe", "documentation changed", """\
A doc string or explanation changed (of the spec, a class, an attribute, an enum value, a
constraint, a rule or a quota). The diff cannot know what a sentence means: if the new text
changes what a correct label is, declare it in a `changes` block (`relabel CLASS where ...` or
`review images`), which the impact analysis then follows.""")


def doc_changed(d: Diffing) -> Iterator[Change]:
    texts = [("spec", d.old.doc, d.new.doc, _header(d.old), _header(d.new))]
    texts += [(n, d.old_class(n).doc, d.new_class(n).doc, d.old_class(n).loc, d.new_class(n).loc)
              for n in d.classes[2]]
    texts += [(p.target, old.doc, new.doc, old.loc, new.loc) for p, old, new in _kept_attributes(d)]
    texts += [(p.target, p.old.doc, p.new.doc, p.old.loc, p.new.loc) for p in d.values if p.old and p.new]
    texts += [(str(new.check), _constraint_doc(old), _constraint_doc(new), old.loc, new.loc)
              for old, new in _both_constraints(d)]
    texts += [(new.name, old.message, new.message, old.loc, new.loc) for old, new in _both(d, "rules")]
    texts += [(new.name, _quota_doc(old), _quota_doc(new), old.loc, new.loc) for old, new in _both(d, "quotas")]
    for target, old, new, old_loc, new_loc in texts:
        if (old or "") != (new or ""):
            yield DOC_CHANGED.change(target, f"Documentation of {target} changed.", old_loc, new_loc,
                                     old_text=old, new_text=new)


# The compiler writes a message from the expression's text when the spec gives none; that text
# changes with mere reformatting, so such generated messages count as no documentation.
def _constraint_doc(constraint: ir.Constraint) -> str | None:
    generated = f"{_owner(constraint)} requires {constraint.text}"
    return None if constraint.message == generated else constraint.message


def _quota_doc(quota: ir.Quota) -> str | None:
    return None if quota.message == f"quota {quota.name} is not met: {quota.text}" else quota.message


EXAMPLE_ADDED = ChangeKind("EXAMPLE_ADDED", "safe", "an example was added", """\
A new `example` block: a test of the spec and a figure in the labeler docs.""")


def example_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.new, ir.Example) and pair.old is None:
            yield EXAMPLE_ADDED.change(pair.new.title, f"Example '{pair.new.title}' was added.", new=pair.new.loc)


EXAMPLE_REMOVED = ChangeKind("EXAMPLE_REMOVED", "safe", "an example was removed", """\
An `example` block is gone from the spec and from the labeler docs.""")


def example_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.old, ir.Example) and pair.new is None:
            yield EXAMPLE_REMOVED.change(pair.old.title, f"Example '{pair.old.title}' was removed.",
                                         old=pair.old.loc)


EXAMPLE_CHANGED = ChangeKind("EXAMPLE_CHANGED", "safe", "an example changed", """\
An `example` block shows another image or expects another verdict. Labelers see the new figure.""")


def example_changed(d: Diffing) -> Iterator[Change]:
    for old, new in _both(d, "examples"):
        if (old.valid, old.check, old.image) != (new.valid, new.check, new.image):
            yield EXAMPLE_CHANGED.change(new.title, f"Example '{new.title}' changed.", old.loc, new.loc)


# ---- declared in `changes` blocks -------------------------------------------------------------------

RELABEL_DECLARED = ChangeKind("RELABEL_DECLARED", "breaking", "a `changes` block asks to relabel objects", """\
`changes N { relabel CLASS where EXPR }`: the authors of version N say that existing objects
matching EXPR are wrong under the new meaning. The impact analysis evaluates EXPR (compiled,
like any check) on labels made before version N and asks to relabel exactly those objects;
it also replaces the general review that ENUM_VALUE_ADDED would ask for that class.""", "relabel")


def relabel_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.Relabel):
        yield RELABEL_DECLARED.change(action.class_name, f"Version {block.version} asks to relabel "
                                      f"{action.class_name} where {action.text}{_summary(block)}",
                                      new=block.loc, **{"class": action.class_name}, where=action.where,
                                      version=block.version)


def _summary(block: ir.Changes) -> str:
    return f": {block.summary}" if block.summary else "."


REVIEW_DECLARED = ChangeKind("REVIEW_DECLARED", "dangerous", "a `changes` block asks to review images", """\
`changes N { review images [where EXPR] }`: existing images (those matching EXPR over image
attributes) should be looked at again as a whole. The impact analysis queues them for review.""",
                               "review")


def review_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.ReviewImages):
        which = f" where {action.text}" if action.text else ""
        yield REVIEW_DECLARED.change("image", f"Version {block.version} asks to review images{which}"
                                     f"{_summary(block)}", new=block.loc, where=action.where,
                                     version=block.version)


# ---- the spec itself --------------------------------------------------------------------------------

VERSION_NOT_BUMPED = ChangeKind("VERSION_NOT_BUMPED", "dangerous", "the spec changed but its version did not grow", """\
The new file differs from the old one, but its `version` is not larger. Labels record the
version they were made under (`spec_version`); without a new number, the impact of this
change on existing labels cannot be told apart from labels already made under it.""")


def version_not_bumped(d: Diffing) -> Iterator[Change]:
    if d.new.version <= d.old.version and _any_other_change(d):
        went = "is still" if d.new.version == d.old.version else f"went down from {d.old.version} to"
        yield VERSION_NOT_BUMPED.change("version", f"The spec changed but its version {went} {d.new.version}.",
                                        _header(d.old), _header(d.new))


def _any_other_change(d: Diffing) -> bool:
    return any(True for kind, rule in RULES if kind is not VERSION_NOT_BUMPED for _ in rule(d))


SPEC_RENAMED = ChangeKind("SPEC_RENAMED", "safe", "the spec's name changed", """\
`spec NAME` changed (only diffed with `--allow-rename`). Exports name the spec they follow;
point them at the new name.""")


def spec_renamed(d: Diffing) -> Iterator[Change]:
    if d.old.name != d.new.name:
        yield SPEC_RENAMED.change("spec", f"The spec was renamed from '{d.old.name}' to '{d.new.name}'.",
                                  _header(d.old), _header(d.new))


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


def diff_specs(old: ir.Spec, new: ir.Spec, since: int | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, most severe first; ``since`` widens the declared range."""
    d = diffing(old, new, since)
    return sorted((change for _, rule in RULES for change in rule(d)), key=Change.sort_key)
