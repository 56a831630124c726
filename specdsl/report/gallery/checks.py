"""``specc check --format html``: the findings of a check run as a gallery, one section per check."""

from __future__ import annotations

from dataclasses import fields

from specdsl.report.common import counts_phrase, data_location, group_by_check, plural
from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport, Finding
from specdsl.report.gallery.model import FigureKey, GalleryContext
from specdsl.report.gallery.page import (
    LISTED_WITHOUT_IMAGE,
    Entry,
    Gallery,
    Group,
    figure_markup,
    group_anchor,
    image_policy,
    render_gallery,
    safe_href,
    share_text,
)
from specdsl.report.gallery.sample import sample


def figure_key(finding: Finding) -> FigureKey | None:
    return (finding.source, finding.image) if finding.image is not None else None


def sampled_findings(findings: tuple[Finding, ...], max_figures: int) -> frozenset[int]:
    """Indices of the findings that get a figure: evenly per check, ``max_figures`` in all."""
    return sample([f.check if f.image is not None else None for f in findings], max_figures)


def wanted_images(report: CheckReport, max_figures: int) -> set[FigureKey]:
    """The images whose objects the CLI must collect for :func:`render_html`."""
    return {figure_key(report.findings[i]) for i in sampled_findings(report.findings, max_figures)}


def render_html(report: CheckReport, ctx: RenderContext) -> str:
    """The gallery page; a plain :class:`RenderContext` (no figure data) lists the findings without figures."""
    if not isinstance(ctx, GalleryContext):
        ctx = GalleryContext(**{f.name: getattr(ctx, f.name) for f in fields(ctx)})
    return render_gallery(check_gallery(report, ctx))


def check_gallery(report: CheckReport, ctx: GalleryContext) -> Gallery:
    drawn = sampled_findings(report.findings, ctx.max_figures)
    chosen = {id(report.findings[i]) for i in drawn}  # findings are compared by identity: equal ones may repeat
    counter = iter(range(1, len(drawn) + 1))
    images = report.summary.images
    groups = tuple(_group(group, chosen, counter, images, ctx) for group in group_by_check(report.findings))
    exports = ", ".join(ctx.exports) if ctx.exports else ", ".join(report.sources)
    summary = f"{counts_phrase(report.summary)} in {plural(report.summary.images, 'image')} " \
              f"({plural(report.summary.objects, 'object')})"
    return Gallery(title=f"{report.spec} v{report.version} · check report", heading=f"{report.spec}",
                   subtitle=f"version {report.version}" + (f" · {exports}" if exports else ""), summary=summary,
                   groups=groups, images_total=report.summary.images, drawn=len(drawn),
                   max_figures=ctx.max_figures, notes=_notes(report, drawn, ctx), image_policy=image_policy(ctx.images))


def _group(group, chosen: set[int], counter, images_total: int, ctx: GalleryContext) -> Group:
    explanation = group.message
    entries, undrawn, without_image = [], 0, 0
    for finding in group.findings:
        if finding.image is None:
            without_image += 1
            if without_image <= LISTED_WITHOUT_IMAGE:
                entries.append(_entry(finding, None, explanation, ctx))
        elif id(finding) in chosen:
            entries.append(_entry(finding, next(counter), explanation, ctx))
        else:
            undrawn += 1
    images = len({(f.source, f.image) for f in group.findings if f.image is not None})
    first = group.findings[0]
    return Group(anchor=group_anchor(group.check), name=group.check, kind=group.kind, severity=group.severity,
                 explanation=explanation or first.message, help_href=safe_href(ctx.help_uri(first.help)),
                 spec_location=group.spec_location, total=len(group.findings), images=images,
                 share=share_text(images, images_total), entries=tuple(entries), undrawn=undrawn,
                 unlisted=max(without_image - LISTED_WITHOUT_IMAGE, 0))


def _entry(finding: Finding, number: int | None, explanation: str | None, ctx: GalleryContext) -> Entry:
    figure, not_drawable = None, ()
    key = figure_key(finding)
    image = ctx.figures.get(key) if number is not None and key is not None else None
    if image is not None:
        figure, not_drawable = figure_markup(number, image, finding.objects, ctx.class_colors, ctx.images)
    return Entry(anchor=f"f-{number}" if number is not None else "", image=finding.image, objects=finding.objects,
                 message=None if explanation is not None else finding.message, where=data_location(finding),
                 spec_location=finding.spec_location, figure=figure, not_drawable=not_drawable)


def _notes(report: CheckReport, drawn: frozenset[int], ctx: GalleryContext) -> tuple[str, ...]:
    on_images = sum(1 for f in report.findings if f.image is not None)
    notes = []
    if on_images > len(drawn):
        notes.append(f"{len(drawn)} of {on_images} findings on images are drawn (--max-figures {ctx.max_figures}), "
                     "sampled evenly within each check.")
    missing = sum(1 for i in drawn if figure_key(report.findings[i]) not in ctx.figures)
    if missing and ctx.figures:
        notes.append(f"{plural(missing, 'finding')} could not be drawn: the image was not found in the exports.")
    return tuple(notes)
