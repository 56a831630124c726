"""The typed data a gallery needs besides the findings: the objects of the images it draws.

A :class:`CheckReport` holds findings only. The CLI samples the findings it will draw
(:mod:`specdsl.report.gallery.sample`), then collects just those images' objects from the
dataset it already has in memory (:mod:`specdsl.report.gallery.collect`); the renderer reads
these small records and never the export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from specdsl.report.context import RenderContext

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class DrawnObject:
    """One object of an image as the figure draws it."""

    object_id: str
    class_name: str
    kind: str | None  # polyline | polygon | box | point; None: nothing to draw (mask, tag, broken geometry)
    points: tuple[Point, ...]  # a box is its four corners (turned when the box is); a point is one
    color_value: str | None = None  # the value of the class's colour attribute, where the spec has one


@dataclass(frozen=True, slots=True)
class ImageObjects:
    """An image's frame and every object in it, in the export's order."""

    image: str
    source: str
    width: float
    height: float
    objects: tuple[DrawnObject, ...]


# (source file, image id) -> the image's objects; findings name their image the same way.
FigureKey = tuple[str, str]


@dataclass(frozen=True)
class ImageSource:
    """Where the real images are: a local folder (referenced relative to the page) or a URL prefix."""

    location: str
    is_url: bool
    embed: bool = False  # inline downscaled thumbnails as data: URIs (a portable file)
    page_dir: str = "."  # the folder the page is written to: local hrefs are relative to it


@dataclass(frozen=True)
class GalleryContext(RenderContext):
    """A :class:`RenderContext` with what only the HTML gallery reads."""

    figures: Mapping[FigureKey, ImageObjects] = field(default_factory=dict)
    max_figures: int = 500  # the renderer samples as the CLI did (a pure function), to know what to draw
    images: ImageSource | None = None
    class_colors: Mapping[str, str] = field(default_factory=dict)  # class -> colour, as on the labeler page
