"""Findings as a self-contained HTML gallery: every finding drawn over its image (``--format html``).

No JavaScript and nothing fetched: inline CSS and inline SVG figures drawn by the labeler page's
own figure code (:mod:`specdsl.docs.svg`), so an object looks the same in the docs and in a report.
"""

from __future__ import annotations

from specdsl.report.gallery.checks import render_html, wanted_images
from specdsl.report.gallery.collect import collect_figures
from specdsl.report.gallery.model import DrawnObject, GalleryContext, ImageObjects, ImageSource

__all__ = ["DrawnObject", "GalleryContext", "ImageObjects", "ImageSource", "collect_figures", "render_html",
           "wanted_images"]
