"""Labeler instructions: a spec as one self-contained HTML page (``specc docs``).

The page needs no JavaScript and fetches nothing: CSS and SVG figures are inline, or the CSS
is linked from an assets folder for hosts whose content policy forbids inline styles. The
same spec gives the same bytes (no dates, no paths, sorted nothing that is not already ordered).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from specdsl import ir

__all__ = ["STYLESHEET_NAME", "render_docs", "stylesheet", "stylesheet_href"]

STYLESHEET_NAME = "specdsl.css"


def render_docs(spec: ir.Spec, *, changes: Iterable[Any] | None = None, impact: Iterable[Any] | None = None,
                assets_dir: str | None = None, since: int | None = None) -> str:
    """The HTML page of ``spec``.

    ``changes`` (Change-like records) adds the "What changed since v``since``" panel; ``impact``
    (records with ``image``, ``objects``, ``changes``) adds how many labeled objects each change
    affects. With ``assets_dir`` the CSS is linked as ``assets_dir/specdsl.css`` (a URL path,
    relative to the page) instead of inlined; write it there with :func:`stylesheet`.
    """
    from specdsl.docs.page import build_page, render_page

    href = None if assets_dir is None else stylesheet_href(assets_dir)
    return render_page(build_page(spec, changes, impact, since), href)


def stylesheet_href(assets_dir: str) -> str:
    prefix = assets_dir.replace("\\", "/").rstrip("/")
    return STYLESHEET_NAME if prefix in ("", ".") else f"{prefix}/{STYLESHEET_NAME}"


def stylesheet() -> str:
    from specdsl.docs.page import stylesheet as _stylesheet

    return _stylesheet()
