"""Pieces shared by the change kinds: labeler words, value formatting, and pairs of kept elements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from markupsafe import Markup

from specdsl import ir
from specdsl.diff import payloads as p
from specdsl.diff.context import IMAGE, AttrPair, Diffing
from specdsl.diff.model import Words


def attr_kind(owner: str) -> str:
    return "Image attribute" if owner == IMAGE else "Attribute"


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


# ---- labeler words: shared pieces of the sentences ----------------------------------------------------


def say(template: str, *parts: object) -> str:
    """A sentence whose ``{}`` are filled with already-safe pieces (the words' ``code``/``condition``)."""
    return Markup(template).format(*parts)


def attr_words(owner: str, attribute: str, w: Words) -> str:
    return w.code(f"{owner}.{attribute}")


def uses_words(uses: tuple[p.Use, ...], enum: str, w: Words) -> str:
    names = [w.code(f"{owner}.{attr}") for owner, attr in uses] or [w.code(enum)]
    return Markup(", ").join(names)


def objects_words(owner: str, w: Words) -> str:
    return Markup("images") if owner == IMAGE else say("{} objects", w.code(owner))


# ---- old and new elements kept in both versions ------------------------------------------------------


def kept_attributes(d: Diffing) -> Iterator[tuple[AttrPair, ir.Attribute, ir.Attribute]]:
    return ((pair, pair.old, pair.new) for pair in d.attributes if pair.old is not None and pair.new is not None)


def both_constraints(d: Diffing) -> Iterator[tuple[Any, Any]]:
    return ((pair.old, pair.new) for pair in d.constraints if pair.old is not None and pair.new is not None)


def both(d: Diffing, items: str) -> Iterator[tuple[Any, Any]]:
    return ((pair.old, pair.new) for pair in d.kept_pairs(items) if pair.old is not None and pair.new is not None)


def header(spec: ir.Spec) -> ir.Loc:
    """``spec NAME version N`` opens the file (LANGUAGE.md), and the IR keeps no location for it."""
    return ir.Loc(spec.source, 1, 1)
