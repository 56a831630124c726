"""The whole labeler page: sections built from the IR, rendered by ``templates/page.html.j2``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from specdsl import ir
from specdsl.docs import anchors, figures, sections, snippets
from specdsl.docs.changes import ChangePanel, build_panel
from specdsl.docs.markdown import render_block
from specdsl.docs.templating import environment
from specdsl.palette import class_colors


@dataclass(frozen=True)
class TocEntry:
    label: str
    href: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Page:
    name: str
    version: int
    doc: Markup
    panel: ChangePanel | None
    image_attributes: tuple[sections.AttributeRow, ...]
    classes: tuple[sections.ClassCard, ...]
    rules: tuple[sections.RuleSection, ...]
    quotas: tuple[sections.RuleSection, ...]
    examples: tuple[figures.ExampleView, ...]
    history: tuple[sections.HistoryEntry, ...]
    toc: tuple[TocEntry, ...]


def build_page(spec: ir.Spec, changes: Iterable[Any] | None, impact: Iterable[Any] | None,
               since: int | None) -> Page:
    colors = class_colors(spec)
    page = Page(
        spec.name, spec.version, render_block(spec.doc),
        build_panel(spec, changes, impact, since) if changes is not None else None,
        sections.attribute_rows(spec.image_attributes, anchors.image_attribute_id),
        tuple(sections.class_card(spec, c, colors[c.name]) for c in spec.classes),
        tuple(sections.rule_section(spec, r) for r in spec.rules),
        tuple(sections.quota_section(spec, q) for q in spec.quotas),
        tuple(figures.example_view(spec, k, e, colors) for k, e in enumerate(spec.examples, 1)),
        sections.history(spec), ())
    return _with_toc(page)


def _with_toc(page: Page) -> Page:
    entries = [TocEntry("What changed", "#what-changed")] if page.panel is not None else []
    entries += [TocEntry("Overview", "#overview")]
    if page.image_attributes:
        entries.append(TocEntry("Image attributes", "#image-attributes"))
    groups = (("Classes", "#classes", page.classes), ("Rules", "#rules", page.rules),
              ("Quotas", "#quotas", page.quotas))
    entries += [TocEntry(label, href, tuple(TocEntry(i.name, "#" + i.anchor) for i in items))
                for label, href, items in groups if items]
    if page.examples:
        entries.append(TocEntry("Examples", "#examples",
                                tuple(TocEntry(e.title, "#" + e.anchor) for e in page.examples)))
    if page.history:
        entries.append(TocEntry("Change history", "#history"))
    entries.append(TocEntry("Label format basics", "#" + anchors.SCHEMA_ID))
    return Page(**{**page.__dict__, "toc": tuple(entries)})


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The page's CSS: the house style plus the colours of highlighted spec code."""
    base = files("specdsl.docs").joinpath("templates", "specdsl.css").read_text(encoding="utf-8")
    tokens = "\n".join(line for line in snippets.token_css().splitlines() if line.startswith(snippets.CSS_SCOPE))
    return base.rstrip("\n") + "\n\n/* spec code (Pygments) */\n" + tokens + "\n"


def render_page(page: Page, stylesheet_href: str | None) -> str:
    template = environment().get_template("page.html.j2")
    css = None if stylesheet_href is not None else Markup(stylesheet())  # our own CSS: trusted
    return template.render(page=page, inline_css=css, stylesheet_href=stylesheet_href,
                           severity_text=sections.SEVERITY_TEXT, schema_id=anchors.SCHEMA_ID)
