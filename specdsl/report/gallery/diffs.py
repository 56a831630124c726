"""``specc diff --labels ... --format html``: the labels a spec change invalidates, drawn.

Impact items are grouped as the text output groups them: by the action asked for (delete,
relabel, fill, migrate, review) and the changes that ask for it. Each group is headed by those
changes' messages; each sampled item gets a figure with the objects it names outlined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from specdsl import ir
from specdsl.diff.impact import ACTIONS, Impact, ImpactItem
from specdsl.diff.model import SEVERITY_RANK, Change
from specdsl.report.common import plural
from specdsl.report.gallery.model import ImageObjects, ImageSource
from specdsl.report.gallery.page import Entry, Gallery, Group, figure_markup, group_anchor, image_policy, share_text
from specdsl.report.gallery.sample import sample

GroupKey = tuple[str, tuple[str, ...]]  # (action, change IDs)


@dataclass(frozen=True)
class DiffFigures:
    """What the diff gallery draws with: the sampled images' objects, found by image id."""

    figures: Mapping[str, ImageObjects] = field(default_factory=dict)
    max_figures: int = 500
    images: ImageSource | None = None
    class_colors: Mapping[str, str] = field(default_factory=dict)


def group_key(item: ImpactItem) -> GroupKey:
    return item.action, item.changes


def ordered_groups(impact: Impact) -> list[tuple[GroupKey, list[int]]]:
    """Item indices per group, in the text output's order: by action, then by the changes."""
    groups: dict[GroupKey, list[int]] = {}
    for index, item in enumerate(impact.items):
        groups.setdefault(group_key(item), []).append(index)
    return sorted(groups.items(), key=lambda g: (ACTIONS.index(g[0][0]), g[0][1]))


def sampled_items(impact: Impact, max_figures: int) -> frozenset[int]:
    return sample([group_key(item) for item in impact.items], max_figures)


def wanted_images(impact: Impact, max_figures: int) -> set[str]:
    return {impact.items[i].image for i in sampled_items(impact, max_figures)}


def render_diff_html(old: ir.Spec, new: ir.Spec, changes: Sequence[Change], impact: Impact | None,
                     figures: DiffFigures) -> str:
    from specdsl.report.gallery.page import render_gallery

    return render_gallery(diff_gallery(old, new, changes, impact, figures))


def diff_gallery(old: ir.Spec, new: ir.Spec, changes: Sequence[Change], impact: Impact | None,
                 figures: DiffFigures) -> Gallery:
    impact = impact or Impact((), 0, 0, 0)
    by_id: dict[str, list[Change]] = {}
    for change in {(c.id, c.target): c for c in (*changes, *impact.changes)}.values():
        by_id.setdefault(change.id, []).append(change)
    drawn = sampled_items(impact, figures.max_figures)
    counter = iter(range(1, len(drawn) + 1))
    groups = tuple(_group(key, [impact.items[i] for i in indices], set(indices) & drawn, indices, by_id, counter,
                          impact.images, figures) for key, indices in ordered_groups(impact))
    name = old.name if old.name == new.name else f"{old.name} → {new.name}"
    summary = (f"{plural(len(changes), 'change')}; {impact.images_affected} of {plural(impact.images, 'image')} "
               f"and {plural(impact.objects_affected, 'object')} affected")
    notes = [f"{len(drawn)} of {len(impact.items)} items are drawn (--max-figures {figures.max_figures}), "
             "sampled evenly within each group."] if len(drawn) < len(impact.items) else []
    return Gallery(title=f"{name} v{old.version} → v{new.version} · label impact", heading=name,
                   subtitle=f"version {old.version} → {new.version}", summary=summary, groups=groups,
                   images_total=impact.images, drawn=len(drawn), max_figures=figures.max_figures,
                   notes=tuple(notes), image_policy=image_policy(figures.images), kicker="Spec diff · label impact",
                   group_label="Action: changes", count_label="Items", item_noun="item",
                   changes=tuple(sorted({(c.id, c.target): c for c in changes}.values(), key=Change.sort_key)))


def _group(key: GroupKey, items: list[ImpactItem], chosen: set[int], indices: list[int],
           by_id: Mapping[str, list[Change]], counter, images_total: int, figures: DiffFigures) -> Group:
    action, change_ids = key
    reasons = [c for change_id in change_ids for c in by_id.get(change_id, [])]
    severity = max((c.severity for c in reasons), key=lambda s: SEVERITY_RANK[s], default="safe")
    entries, undrawn = [], 0
    for index, item in zip(indices, items):
        if index in chosen:
            entries.append(_entry(item, next(counter), figures))
        else:
            undrawn += 1
    images = len({item.image for item in items})
    name = f"{action}: {', '.join(change_ids)}"
    explanation = " ".join(c.message for c in reasons) or None
    return Group(anchor=group_anchor(name), name=name, kind=action, severity=severity, explanation=explanation,
                 help_href=None, spec_location=None, total=len(items), images=images,
                 share=share_text(images, images_total), entries=tuple(entries), undrawn=undrawn, unlisted=0)


def _entry(item: ImpactItem, number: int, figures: DiffFigures) -> Entry:
    image = figures.figures.get(item.image)
    figure, not_drawable = None, ()
    if image is not None:
        figure, not_drawable = figure_markup(number, image, item.objects, figures.class_colors, figures.images)
    return Entry(anchor=f"f-{number}", image=item.image, objects=item.objects, message=None, where="",
                 spec_location=None, figure=figure, not_drawable=not_drawable)
