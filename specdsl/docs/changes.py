"""The "What changed since vN" panel: the diff's changes sorted by severity, in a labeler's words.

Everything here reads the diff registry (:mod:`specdsl.diff.changes`): each change's sentence is
its kind's ``labeler`` sentence, its counts come from the impact analysis's exact per-change
counts. With ``--since N`` the older version is read from git when the history holds it, so
structural changes (removed values, new required attributes, new constraints ...) are listed
too; without it only what the ``changes`` blocks declare is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from specdsl import ir
from specdsl.diff import payloads as p
from specdsl.diff.model import SEVERITIES, Change
from specdsl.docs import anchors, prose
from specdsl.docs.markdown import render_inline

if TYPE_CHECKING:  # the diff engine (numpy, the checker) loads only when a page shows changes
    from specdsl.diff.impact import Impact

SEVERITY_TITLES = {
    "breaking": ("Breaking", "Labels made before this change are now wrong: they must be redone."),
    "dangerous": ("Review", "Labels made before this change may be wrong: look at them again."),
    "migratable": ("Automatic", "Old labels are rewritten mechanically (specc migrate): nothing to redo by hand."),
    "safe": ("Safe", "Nothing to redo; good to know."),
}


class PageWords:
    """How the page writes names (``<code>``) and conditions (plain sentences) in a change's sentence."""

    @staticmethod
    def code(text: object) -> Markup:
        return prose.code(text)

    @staticmethod
    def condition(expr: ir.Expr) -> Markup:
        return prose.describe(expr)


@dataclass(frozen=True)
class PanelItem:
    change_id: str
    target: str
    link: str | None  # anchor of the target on this page, when it has one
    message: Markup
    objects: int | None  # labeled objects affected (None: no labels were given)
    images: int | None


@dataclass(frozen=True)
class PanelGroup:
    severity: str
    title: str
    explanation: str
    items: tuple[PanelItem, ...]


@dataclass(frozen=True)
class AuthorNote:
    """The summary a ``changes N`` block gives, shown above the changes."""

    version: int
    text: Markup


@dataclass(frozen=True)
class ChangePanel:
    since: int | None
    groups: tuple[PanelGroup, ...]
    with_impact: bool
    notes: tuple[AuthorNote, ...] = ()

    @property
    def total(self) -> int:
        return sum(len(g.items) for g in self.groups)


def changes_since(spec: ir.Spec, spec_arg: str, since: int) -> tuple[list[Change], dict[int, ir.Spec], list[str]]:
    """The changes since version ``since``, the versions at hand (from git when its history holds
    version ``since``; empty otherwise) and notes on what is missing."""
    from specdsl.diff.changes import declared_changes, diff_specs

    known = versions_from_history(spec_arg, spec.name)
    if since not in known:
        note = (f"version {since} of {spec_arg} is not in its git history: only the `changes` blocks are listed, "
                "not structural changes (use --against REV to name the older version)")
        return declared_changes(spec, since), {}, [note]
    return diff_specs(known[since], spec), known, []


def versions_from_history(spec_arg: str, name: str) -> dict[int, ir.Spec]:
    """Every version of the spec file in its git history (up to ``PATH@REV``'s REV); empty outside git."""
    from specdsl.diff.history import read_history
    from specdsl.gitrev import SpecReadError, split_rev

    _, rev = split_rev(spec_arg)
    try:
        return read_history(spec_arg, rev or "HEAD", name).specs
    except SpecReadError:
        return {}


def label_impact(datasets: Iterable, new: ir.Spec, known: dict[int, ir.Spec], since: int) -> Impact:
    """The impact of the changes since ``since`` on labeled data, given the versions at hand.

    Images that do not record their ``spec_version`` are taken as labeled under ``since``. With no
    older version at hand only the spec's own ``changes`` blocks are known, as the panel says.
    """
    from dataclasses import replace

    from specdsl.diff.impact import analyze_impact, merge_impacts

    known = {**known, new.version: new}
    impact = merge_impacts([analyze_impact(d, new, known, since) for d in datasets])
    declared_only = min(known) == new.version
    notes = tuple(n for n in impact.notes if not declared_only or "predate every known version" not in n)
    return replace(impact, notes=notes)


def build_panel(spec: ir.Spec, changes: Iterable[Change], impact: Impact | None, since: int | None) -> ChangePanel:
    by_severity: dict[str, list[PanelItem]] = {}
    for change in changes:
        by_severity.setdefault(change.severity, []).append(_item(spec, change, impact))
    groups = tuple(PanelGroup(s, *SEVERITY_TITLES[s], tuple(by_severity[s])) for s in SEVERITIES if s in by_severity)
    return ChangePanel(since, groups, impact is not None, _notes(spec, since))


def _item(spec: ir.Spec, change: Change, impact: Impact | None) -> PanelItem:
    count = impact.count(change) if impact is not None else None
    message = Markup(change.kind.labeler(change.payload, PageWords()))
    return PanelItem(change.id, change.target, target_link(spec, change), message,
                     count.objects if count else None, count.images if count else None)


def _notes(spec: ir.Spec, since: int | None) -> tuple[AuthorNote, ...]:
    if since is None:
        return ()
    return tuple(AuthorNote(block.version, render_inline(block.summary)) for block in spec.changes
                 if block.version > since and block.summary)


def target_link(spec: ir.Spec, change: Change) -> str | None:
    """The anchor on this page of what a change is about (a class, an attribute, a check, an example), if any."""
    ids = anchors.page_ids(spec)
    return next(("#" + c for c in _anchor_candidates(spec, change.payload) if c in ids or c.startswith("example-")),
                None)


def _anchor_candidates(spec: ir.Spec, fact: object) -> list[str]:
    """Most precise first, read from the change's typed payload (never from its target text)."""
    if isinstance(fact, (p.ClassChange, p.RelabelDeclared)):
        return [anchors.class_id(fact.class_name)]
    if isinstance(fact, p.AttributeRenamed):
        return _attribute_anchors(fact.owner, fact.new)
    if isinstance(fact, (p.AttributeAdded, p.AttributeRemoved, p.AttributeRequirement, p.AttributeTypeChanged,
                         p.DefaultChanged)):
        return _attribute_anchors(fact.owner, fact.attribute)
    if isinstance(fact, (p.EnumValue, p.EnumValueRenamed)):
        uses = [a for owner, attribute in fact.uses for a in _attribute_anchors(owner, attribute)]
        return uses + [anchors.attribute_id(c.name, a.name) for c in spec.classes for a in c.attributes
                       if a.type.enum == fact.enum]  # a named enum: where labelers pick it
    if isinstance(fact, p.CheckChange) and fact.kind == "rule":
        return [anchors.rule_id(fact.check)]
    if isinstance(fact, p.CheckChange):  # a removed constraint falls back to its class card
        anchor = anchors.anchor_for_check(fact.check, fact.kind, spec).lstrip("#")
        return [anchor] if anchor != anchors.SCHEMA_ID else []
    if isinstance(fact, p.QuotaChange):
        return [anchors.quota_id(fact.name)]
    if isinstance(fact, p.ExampleChange):
        return [anchors.example_id(k) for k, e in enumerate(spec.examples, 1) if e.title == fact.title]
    if isinstance(fact, p.DocChanged):
        return _documented_anchors(fact)
    return []


def _documented_anchors(fact: p.DocChanged) -> list[str]:
    if fact.of in ("attribute", "value"):
        return _attribute_anchors(fact.owner, fact.name)
    by_kind = {"class": lambda: anchors.class_id(fact.owner), "rule": lambda: anchors.rule_id(fact.name),
               "quota": lambda: anchors.quota_id(fact.name),
               "constraint": lambda: anchors.constraint_id(fact.owner, fact.index)}
    return [by_kind[fact.of]()] if fact.of in by_kind else []


def _attribute_anchors(owner: str, attribute: str) -> list[str]:
    if owner == p.IMAGE:
        return [anchors.image_attribute_id(attribute)]
    return [anchors.attribute_id(owner, attribute), anchors.class_id(owner)]
