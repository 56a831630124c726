"""The gallery page: a summary with a bar chart, then one section per group with a figure per sampled item.

Both ``check`` (groups are checks) and ``diff --labels`` (groups are the actions a change asks for)
build a :class:`Gallery` and render it with the same template. Everything from a spec or an export
is escaped by jinja2's autoescape; ids in the DOM are counters or hashes, never user text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from specdsl.diff.model import Change
from specdsl.docs import svg
from specdsl.palette import object_color
from specdsl.report.gallery.backgrounds import background_href
from specdsl.report.gallery.model import ImageObjects, ImageSource

LISTED_WITHOUT_IMAGE = 100  # findings on no image (quotas, a broken file) are listed, up to this many a group
BAR_ROW, BAR_LENGTH = 26, 300  # the chart's row height and longest bar, in its own units
SEVERITY_CLASSES = frozenset({"error", "warning", "info", "breaking", "dangerous", "migratable", "safe"})


@dataclass(frozen=True)
class Entry:
    """One finding (or impact item): where it is, what it says, and its figure when it was sampled."""

    anchor: str
    image: str | None
    objects: tuple[str, ...]
    message: str | None  # None when it says what the group's explanation says
    where: str
    spec_location: str | None
    figure: Markup | None
    not_drawable: tuple[str, ...]  # offending objects the figure cannot show (a mask, a tag, no geometry)


@dataclass(frozen=True)
class Group:
    anchor: str
    name: str
    kind: str
    severity: str
    explanation: str | None
    help_href: str | None
    spec_location: str | None
    total: int
    images: int
    share: str  # of all images, as a percentage
    entries: tuple[Entry, ...]
    undrawn: int  # findings on an image that were not sampled for a figure
    unlisted: int  # findings on no image beyond LISTED_WITHOUT_IMAGE

    @property
    def severity_class(self) -> str:
        return self.severity if self.severity in SEVERITY_CLASSES else "other"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    severity_class: str
    href: str
    y: int
    width: str


@dataclass(frozen=True)
class Gallery:
    title: str
    heading: str
    subtitle: str
    summary: str
    groups: tuple[Group, ...]
    images_total: int
    drawn: int
    max_figures: int
    notes: tuple[str, ...] = ()
    image_policy: str = "'none'"  # the page's img-src: what --images needs, nothing more
    kicker: str = "Check report"
    group_label: str = "Check"
    count_label: str = "Findings"
    item_noun: str = "finding"
    changes: tuple[Change, ...] = ()  # diff: every change between the versions, listed before the groups

    @property
    def bars(self) -> tuple[Bar, ...]:
        top = max((g.total for g in self.groups), default=1) or 1
        return tuple(Bar(_short(g.name), g.total, g.severity_class, "#" + g.anchor, BAR_ROW * k,
                         svg.fmt(max(g.total / top * BAR_LENGTH, 2))) for k, g in enumerate(self.groups))


def image_policy(source: ImageSource | None) -> str:
    """The ``img-src`` of the page's Content-Security-Policy for where its images come from."""
    if source is None:
        return "'none'"
    if source.embed:
        return "data:"
    if source.is_url:
        parsed = urlsplit(source.location)
        return f"{parsed.scheme}://{parsed.netloc}" if parsed.scheme != "file" else "file:"
    return "'self' file:"


def safe_href(href: str | None) -> str | None:
    """A link only to the web, a file or a place in the page: never ``javascript:`` or ``data:``."""
    if href is None:
        return None
    return href if urlsplit(href).scheme.lower() in ("", "http", "https", "file") else None


def _short(label: str, limit: int = 36) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def group_anchor(name: str) -> str:
    """A DOM id for a group: a hash of its name, so no spec text ever lands in an id or a fragment."""
    return "g-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def share_text(images: int, total: int) -> str:
    if not total:
        return "–"
    share = 100 * images / total
    return f"{share:.1f} %" if share >= 0.1 or not images else "< 0.1 %"


def figure_markup(number: int, image: ImageObjects, offending: tuple[str, ...], class_colors: Mapping[str, str],
                  source: ImageSource | None) -> tuple[Markup, tuple[str, ...]]:
    """The SVG of one image with its offending objects outlined, and the offending ids it could not draw."""
    flagged = frozenset(offending)
    shapes = tuple(svg.Shape(o.object_id, o.class_name, o.kind, o.points,
                             object_color(o.class_name, o.color_value, class_colors), o.object_id in flagged)
                   for o in image.objects if o.kind is not None)
    drawn_flagged = {s.object_id for s in shapes if s.flagged}
    figure = svg.Figure(f"fig-{number}", image.image, image.width, image.height, shapes,
                        frame_flagged=not drawn_flagged, background=background_href(source, image.image),
                        all_vertices=False)  # vertex dots only on the offending lines: less to draw and to read
    return svg.render_figure(figure), tuple(o for o in offending if o not in drawn_flagged)


def render_gallery(gallery: Gallery) -> str:
    page = environment().get_template("gallery.html.j2").render(gallery=gallery, css=Markup(stylesheet()))
    return _NOT_HTML.sub(_shown_escaped, page)


# Code points HTML does not allow in a document (controls other than whitespace, lone surrogates,
# noncharacters): data may hold them, so they are shown as their Python escapes. The page's own markup
# never contains them, and the escape is plain text, so this cannot make markup.
_NOT_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                       + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
                       + "]")


def _shown_escaped(match: re.Match) -> str:
    return match.group().encode("unicode_escape", "surrogatepass").decode("ascii")


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=PackageLoader("specdsl.report.gallery", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return environment().loader.get_source(environment(), "gallery.css")[0]
