"""The one jinja2 environment of the docs: package templates, autoescape on, undefined names fail."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Autoescape everything (also .svg.j2 and .css.j2 names): every string from a spec is untrusted.
    return Environment(loader=PackageLoader("specdsl.docs", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)
