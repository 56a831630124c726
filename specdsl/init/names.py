"""Identifiers for the names a labeling tool allows (``Traffic Sign`` -> ``traffic_sign``)."""

from __future__ import annotations

import re
from functools import cache

from specdsl.compiler.builtins import COMMON, PAIR_FUNCTIONS, PROPERTIES, SCALAR_TYPES
from specdsl.ir import GEOMETRIES

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORD = re.compile(r'"([a-z]+)"')
# Names an attribute must not take: an object's built-in properties would shadow it in expressions.
_PROPERTY_NAMES = frozenset(p.name for props in PROPERTIES.values() for p in props) | {p.name for p in COMMON}


@cache
def keywords() -> frozenset[str]:
    """Every word the grammar reserves (``class``, ``image``, ``in`` ...), read from the grammar itself."""
    from specdsl.syntax.parser import grammar_text

    return frozenset(_KEYWORD.findall(grammar_text()))


def fold(name: str) -> str:
    """The key under which labels that differ only in case, spaces, ``-`` or ``_`` are the same label."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def identifier(name: str, *, attribute: bool = False) -> str:
    """A snake_case identifier for ``name`` that is no keyword (nor, for an attribute, a built-in property)."""
    # A name that already is an identifier keeps its spelling (no mapping needed); others become snake_case.
    text = name if IDENTIFIER.match(name) else re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
    if not text:
        text = "unlabeled"
    if text[0].isdigit():
        text = "n" + text
    reserved = keywords() | set(SCALAR_TYPES) | set(GEOMETRIES) | set(PAIR_FUNCTIONS)
    if attribute:
        reserved |= _PROPERTY_NAMES
    return text + "_" if text in reserved else text


def unique(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3`` ... when it is taken; the result is added to ``taken``."""
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}_{n}"
    taken.add(name)
    return name
