"""The limits of the language and of the checker, in one place (docs/language.md, "Limits").

Each keeps a later stage inside what it can compute: Python's recursion limit for nested
expressions, 64-bit integers for orjson and numpy, and a bounded plane for the geometry engine
(images are laid side by side on one x axis, see ``validate.geometry.image_stride``, so the
widest image and the farthest coordinate must stay far from float overflow).
"""

from __future__ import annotations

MAX_NESTING = 200
"""The deepest an expression or value may nest: each operator, `not`, minus sign, call, member access,
list and pair is one level."""

INT_MAX = 2**63 - 1
"""Whole-number literals must fit a signed 64-bit integer."""

MAX_EXTENT = 10_000_000
"""The largest image side, and the largest coordinate magnitude, in pixels."""
