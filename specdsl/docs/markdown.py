"""Markdown of spec doc strings, rendered so that nothing in it can run or fetch.

Spec text is untrusted: raw HTML is escaped (markdown-it's ``html`` option is off), links
and images whose scheme is not on an allow list are left as plain text, and images become
links, because an ``<img>`` would make the page fetch from the network when opened.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_link(url: str) -> bool:
    """Relative links, fragments and http(s)/mailto only: no javascript:, data:, vbscript:, file: ..."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()  # browsers ignore these in schemes
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES or (scheme == "" and not cleaned.startswith("//"))


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(token.attrGet("src") or "")}" rel="noopener noreferrer">{escape(alt)}</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.validateLink = safe_link
    md.add_render_rule("image", _render_image)
    return md


def render_block(text: str | None) -> Markup:
    """A ``\"\"\"doc\"\"\"`` string as HTML blocks; its common indentation is removed first."""
    if not text:
        return Markup("")
    return Markup(_parser().render(inspect.cleandoc(text)))


def render_inline(text: str | None) -> Markup:
    """A one-line explanation: emphasis, code and links, no paragraphs."""
    if not text:
        return Markup("")
    return Markup(_parser().renderInline(text))
