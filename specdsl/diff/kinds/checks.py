"""Change kinds of the checks: a class's `require` lines, rules and quotas."""

from __future__ import annotations

from collections.abc import Iterator

from specdsl import ir
from specdsl.diff import hits as h
from specdsl.diff import payloads as p
from specdsl.diff.context import Diffing
from specdsl.diff.kinds.common import both, both_constraints, say
from specdsl.diff.model import Change, ChangeKind
from specdsl.diff.payloads import check_owner

# ---- constraints, rules, quotas ---------------------------------------------------------------------

CONSTRAINT_ADDED = ChangeKind("CONSTRAINT_ADDED", "breaking", "a `require` was added to a class", """\
A class has a new per-object constraint. The impact analysis evaluates exactly that constraint
on existing labels and asks to relabel the objects that fail it.""", p.CheckChange,
                              lambda c, w: say("New requirement for every {}: {}. Fix the objects that break it.",
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
                                lambda c, w: say("A requirement for every {} changed; it now reads: {}. Fix the "
                                                 "objects that break it.", w.code(c.owner), w.condition(c.expr)),
                                h.check_now_failing, "relabel")


def constraint_changed(d: Diffing) -> Iterator[Change]:
    for old, new in both_constraints(d):
        if old.expr != new.expr:
            yield CONSTRAINT_CHANGED.change(p.CheckChange(new.check, "constraint", new.text, new.expr, old.check,
                                                          old.text), new.check,
                                            f"Constraint of {check_owner(new.check)} changed from '{old.text}' to "
                                            f"'{new.text}'.", old.loc, new.loc)


CONSTRAINT_REMOVED = ChangeKind("CONSTRAINT_REMOVED", "safe", "a class's `require` was removed", """\
A per-object constraint is gone: no existing label becomes invalid.""", p.CheckChange,
                                lambda c, w: say("{} objects no longer need to satisfy {}.", w.code(c.owner),
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
                        lambda c, w: say("New rule {}: {}. Fix the labels that break it.", w.code(c.check),
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
                          lambda c, w: say("The rule {} changed; it now reads: {}. Fix the labels that break it.",
                                           w.code(c.check), w.condition(c.expr)),
                          h.check_now_failing, "relabel")


def rule_changed(d: Diffing) -> Iterator[Change]:
    for old, new in both(d, "rules"):
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


RULE_REMOVED = ChangeKind("RULE_REMOVED", "safe", "a rule was removed", """\
A rule is gone: no existing label becomes invalid.""", p.CheckChange,
                          lambda c, w: say("The rule {} does not apply any more.", w.code(c.check)))


def rule_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("rules"):
        if isinstance(pair.old, ir.Rule) and pair.new is None:
            rule = pair.old
            yield RULE_REMOVED.change(p.CheckChange(rule.name, "rule", rule.text, rule.require), rule.name,
                                      f"Rule '{rule.name}' was removed.", old=rule.loc)


QUOTA_ADDED = ChangeKind("QUOTA_ADDED", "safe", "a quota was added", """\
A quota constrains the balance of the whole export, not any one label: no label becomes wrong,
though `check` may now report the export.""", p.QuotaChange,
                         lambda c, w: say("New quota {} on the whole export: {}.", w.code(c.name), w.code(c.text)))


def quota_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.new, ir.Quota) and pair.old is None:
            quota = pair.new
            yield QUOTA_ADDED.change(p.QuotaChange(quota.name, quota.text), quota.name,
                                     f"Quota '{quota.name}' was added: {quota.text}.", new=quota.loc)


QUOTA_CHANGED = ChangeKind("QUOTA_CHANGED", "safe", "a quota changed", """\
A quota's condition or severity changed. Quotas concern the whole export, not labels.""", p.QuotaChange,
                           lambda c, w: say("The quota {} now reads {}.", w.code(c.name), w.code(c.text)))


def quota_changed(d: Diffing) -> Iterator[Change]:
    for old, new in both(d, "quotas"):
        if (old.expr, old.severity) != (new.expr, new.severity):
            yield QUOTA_CHANGED.change(p.QuotaChange(new.name, new.text), new.name,
                                       f"Quota '{new.name}' changed from '{old.text}' ({old.severity}) "
                                       f"to '{new.text}' ({new.severity}).", old.loc, new.loc)


QUOTA_REMOVED = ChangeKind("QUOTA_REMOVED", "safe", "a quota was removed", """\
A quota is gone.""", p.QuotaChange, lambda c, w: say("The quota {} does not apply any more.", w.code(c.name)))


def quota_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("quotas"):
        if isinstance(pair.old, ir.Quota) and pair.new is None:
            quota = pair.old
            yield QUOTA_REMOVED.change(p.QuotaChange(quota.name, quota.text), quota.name,
                                       f"Quota '{quota.name}' was removed.", old=quota.loc)
