"""The "What changed since vN" panel: changes sorted by severity, in plain words.

Changes come from two places: the spec's own ``changes`` blocks (``--since N``) and the diff
engine (``--against REV``, :func:`diff_changes`). Both give Change-like records (``id``,
``severity``, ``target``, ``message``, ``old``, ``new``); the panel reads only those fields, so
it works with either. Impact records (``image``, ``objects``, ``changes``) add the counts of
labeled objects each change touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from specdsl import ir
from specdsl.docs import anchors
from specdsl.docs.markdown import render_inline

SEVERITY_ORDER = ("breaking", "dangerous", "migratable", "safe")
SEVERITY_TITLES = {
    "breaking": ("Breaking", "Labels made before this change are now wrong: they must be redone."),
    "dangerous": ("Review", "Labels made before this change may be wrong: look at them again."),
    "migratable": ("Automatic", "Old labels are rewritten mechanically (specc migrate): nothing to redo by hand."),
    "safe": ("Safe", "Nothing to redo; good to know."),
}


@dataclass(frozen=True)
class DeclaredChange:
    """A change the spec author declared in a ``changes`` block (same fields as the diff engine's Change)."""

    id: str
    severity: str
    target: str
    message: str
    old: str | None = None
    new: str | None = None
    version: int = 0


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
class ChangePanel:
    since: int | None
    groups: tuple[PanelGroup, ...]
    with_impact: bool

    @property
    def total(self) -> int:
        return sum(len(g.items) for g in self.groups)


def declared_changes(spec: ir.Spec, since: int) -> list[DeclaredChange]:
    """The spec's ``changes`` blocks newer than version ``since``, one record per action."""
    records: list[DeclaredChange] = []
    for block in spec.changes:
        if block.version > since:
            records += _block_changes(block)
    return records


def _block_changes(block: ir.Changes) -> list[DeclaredChange]:
    prefix = f"v{block.version}: " + (block.summary.rstrip(".") + ". " if block.summary else "")
    if not block.actions:
        return [DeclaredChange("NOTE_DECLARED", "safe", f"v{block.version}", prefix.strip(), version=block.version)]
    return [_action_change(action, prefix, block.version) for action in block.actions]


def _action_change(action: Any, prefix: str, version: int) -> DeclaredChange:
    if isinstance(action, ir.Relabel):
        return DeclaredChange("RELABEL_DECLARED", "breaking", action.class_name,
                              f"{prefix}Relabel every `{action.class_name}` where `{action.text}`.", version=version)
    if isinstance(action, ir.ReviewImages):
        where = f" where `{action.text}`" if action.text else ""
        return DeclaredChange("REVIEW_DECLARED", "dangerous", "image", f"{prefix}Review every image{where}.",
                              version=version)
    if isinstance(action, ir.RenameAttribute):
        return DeclaredChange("ATTRIBUTE_RENAMED", "migratable", f"{action.class_name}.{action.new}",
                              f"{prefix}`{action.class_name}.{action.old}` is now called `{action.new}`.",
                              action.old, action.new, version)
    return DeclaredChange("ENUM_VALUE_RENAMED", "migratable", f"{action.class_name}.{action.attribute}",
                          f"{prefix}Value `{action.old}` of `{action.class_name}.{action.attribute}` is now "
                          f"`{action.new}`.", action.old, action.new, version)


def diff_changes(old: ir.Spec, new: ir.Spec) -> list[Any]:
    """The diff engine's changes between two versions (adapter: the panel needs only Change's fields)."""
    from specdsl.diff import diff_specs

    return list(diff_specs(old, new))


def label_impact(datasets: Iterable[Any], new: ir.Spec, old: ir.Spec | None,
                 since: int) -> tuple[list[Any], list[str]]:
    """Impact items of the change from ``old`` (or the spec's own ``changes`` blocks) on labeled data.

    Images that do not record their ``spec_version`` are taken as labeled under ``since``.
    Returns the items (``image``, ``objects``, ``changes``) and the notes that made it less precise.
    """
    from specdsl.diff.impact import analyze_impact, merge_impacts

    known = {old.version: old} if old is not None else {new.version: new}
    impact = merge_impacts([analyze_impact(d, new, known, since) for d in datasets])
    notes = [n for n in impact.notes if old is not None or "predate every known version" not in n]
    return list(impact.items), notes


def build_panel(spec: ir.Spec, changes: Iterable[Any], impact: Iterable[Any] | None,
                since: int | None) -> ChangePanel:
    counts = _impact_counts(impact) if impact is not None else None
    by_severity: dict[str, list[PanelItem]] = {}
    for change in changes:
        severity = _field(change, "severity") or "safe"
        by_severity.setdefault(severity, []).append(_item(spec, change, counts))
    order = list(SEVERITY_ORDER) + sorted(set(by_severity) - set(SEVERITY_ORDER))
    groups = tuple(PanelGroup(s, *SEVERITY_TITLES.get(s, (s.capitalize(), "")), tuple(by_severity[s]))
                   for s in order if s in by_severity)
    return ChangePanel(since, groups, counts is not None)


def _item(spec: ir.Spec, change: Any, counts: Mapping[str, tuple[int, int]] | None) -> PanelItem:
    change_id, target = str(_field(change, "id")), str(_field(change, "target") or "")
    objects, images = counts.get(change_id, (0, 0)) if counts is not None else (None, None)
    return PanelItem(change_id, target, target_link(spec, target), _message(change), objects, images)


def _message(change: Any) -> Markup:
    """Declared changes are written with Markdown code spans; the diff engine's messages are plain text."""
    text = str(_field(change, "message") or "")
    return render_inline(text) if isinstance(change, DeclaredChange) else escape(text)


def _field(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def _impact_counts(impact: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """Objects and images each change id touches; a whole-image review counts the image only."""
    objects: dict[str, set[tuple[str, str]]] = {}
    images: dict[str, set[str]] = {}
    for entry in impact:
        image = str(_field(entry, "image"))
        for change_id in _field(entry, "changes") or ():
            objects.setdefault(change_id, set()).update((image, str(o)) for o in _field(entry, "objects") or ())
            images.setdefault(change_id, set()).add(image)
    return {cid: (len(objects.get(cid, ())), len(imgs)) for cid, imgs in images.items()}


def target_link(spec: ir.Spec, target: str) -> str | None:
    """The anchor of a change's target (a class, ``CLASS.ATTR``, a rule, an enum value, an example) if any."""
    ids = anchors.page_ids(spec)
    return next(("#" + c for c in _target_candidates(spec, target) if c in ids or c.startswith("example-")), None)


def _target_candidates(spec: ir.Spec, target: str) -> list[str]:
    owner, _, member = target.partition(".")
    candidates = []
    if member:
        attribute = member.partition(".")[0]
        candidates.append(anchors.image_attribute_id(attribute) if owner == "image"
                          else anchors.attribute_id(owner, attribute))
    candidates += [anchors.rule_id(target), anchors.quota_id(target), anchors.class_id(owner)]
    candidates += [anchors.attribute_id(c.name, a.name) for c in spec.classes for a in c.attributes
                   if a.type.enum == owner]  # an enum value: where labelers pick it
    candidates += [anchors.example_id(k) for k, e in enumerate(spec.examples, 1) if e.title == target]
    return candidates
