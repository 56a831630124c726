"""Limits checked on the lark parse tree before it becomes the AST: nesting depth and number ranges.

Every later pass (the AST builder, the type checker, lowering, the evaluator, the printer, pickling
into the compile cache) walks expressions recursively. Rather than make each of them iterative, the
parser refuses nesting deeper than :data:`~specdsl.limits.MAX_NESTING` with a located error, so every
pass after it stays far from Python's recursion limit. The walk here is iterative, so any depth can
be measured, and it is one pass over the tree.

Numbers are checked here too, on the tokens, because a literal that no 64-bit integer or finite
float can hold would crash later: in float conversion, in ``--emit ir`` (orjson), in the checker.
So are the sizes and coordinates of examples, which the checker's geometry needs bounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lark import Token, Tree

from specdsl.diagnostics import Diagnostic, Label, Severity
from specdsl.limits import INT_MAX, MAX_EXTENT, MAX_NESTING
from specdsl.source import Source, Span

# Parse-tree nodes that nest: each operator, `not`, minus sign, call, member access, comparison, list
# and pair is one level. Leaves (names, literals) and the declaration structure around them are not.
_NESTING = frozenset({
    "or_expr", "and_expr", "not_", "compare", "in_set", "not_in_set", "add", "sub", "mul", "div", "neg",
    "member", "call", "class_filter", "image_filter", "list", "pair", "negative",
})
_GEOMETRY_FIELDS = frozenset({"points", "box", "point"})  # an example object's coordinates


@dataclass
class _Deepest:
    """Per top-level declaration: the first node (in source order) at level MAX_NESTING + 1, the deepest level."""

    first: Tree | None = None
    depth: int = 0


def limit_diagnostics(source: Source, tree: Tree) -> list[Diagnostic]:
    """Numbers out of range, example extents too large and, per declaration, the first place nested too deeply."""
    diagnostics: list[Diagnostic] = []
    deepest = [_Deepest() for _ in tree.children]
    # (node, index of its top-level declaration, nesting level, context: see _context)
    stack: list[tuple[Tree | Token, int, int, str | None]] = [
        (child, k, 0, None) for k, child in enumerate(tree.children) if child is not None]
    while stack:
        node, declaration, depth, context = stack.pop()
        if isinstance(node, Token):
            if node.type == "NUMBER":
                diagnostics += _number_diagnostics(source, node, context == _EXTENT)
            continue
        if node.data in _NESTING:
            depth += 1
            _note_depth(deepest[declaration], node, depth)
        stack.extend((child, declaration, depth, _context(node, child, context))
                     for child in node.children if child is not None)
    diagnostics += [_too_deep_diagnostic(source, d.first, d.depth) for d in deepest if d.first is not None]
    return sorted(diagnostics, key=lambda d: d.primary.span.start)


_OBJECT, _EXTENT = "object", "extent"  # where a node is: in an example object, in a size or coordinate


def _context(parent: Tree, child, context: str | None) -> str | None:
    """Where ``child`` is. Sizes and coordinates are the W and H of a frame (not its image fields) and
    the values of an example object's points/box/point fields, with everything inside them."""
    if context == _EXTENT:
        return _EXTENT
    if parent.data == "frame":
        return _EXTENT if isinstance(child, Token) else None
    if parent.data == "example_object":
        return _OBJECT
    if parent.data == "field":
        geometry = context == _OBJECT and str(parent.children[0]) in _GEOMETRY_FIELDS
        return _EXTENT if geometry and isinstance(child, Tree) else None
    return context


# ---- nesting ----------------------------------------------------------------------------------------


def _note_depth(deepest: _Deepest, node: Tree, depth: int) -> None:
    deepest.depth = max(deepest.depth, depth)
    if depth == MAX_NESTING + 1 and (deepest.first is None or node.meta.start_pos < deepest.first.meta.start_pos):
        deepest.first = node


def _too_deep_diagnostic(source: Source, node: Tree, depth: int) -> Diagnostic:
    return Diagnostic(
        "E0120", Severity.ERROR, f"expression nested too deeply ({depth} levels; at most {MAX_NESTING})",
        Label(_operator_span(source, node), f"level {MAX_NESTING + 1} starts here"),
        help="split it into several requires or rules (the limit keeps every pass of the compiler "
             "within Python's stack)")


def _operator_span(source: Source, node: Tree) -> Span:
    """The node's own text: a prefix operator or bracket before its first child, else the infix operator
    after its first child (an operator token, or the text between the first two children); one
    character at its start when neither is found."""
    start, end = node.meta.start_pos, node.meta.end_pos
    positions = [p for p in map(_bounds, node.children) if p is not None]
    candidates = []
    if positions:
        candidates.append((start, positions[0][0]))
    if len(positions) > 1:
        candidates.append((positions[0][1], positions[1][0]))
        candidates.append(positions[1])
    for low, high in candidates:
        text = source.text[low:high]
        if text.strip():
            low += len(text) - len(text.lstrip())
            high -= len(text) - len(text.rstrip())
            return source.span(low, high)
    return source.span(start, min(start + 1, end))


def _bounds(child) -> tuple[int, int] | None:
    if isinstance(child, Token):
        return child.start_pos, child.end_pos
    if isinstance(child, Tree) and not child.meta.empty:
        return child.meta.start_pos, child.meta.end_pos
    return None


# ---- numbers --------------------------------------------------------------------------------------


def _number_diagnostics(source: Source, token: Token, extent: bool) -> list[Diagnostic]:
    if not _in_range(token):
        return [_out_of_range(source, token)]
    if extent and float(token) > MAX_EXTENT:
        return [_too_large_extent(source, token)]
    return []


def _in_range(token: Token) -> bool:
    text = str(token)
    if text.isdigit():
        digits = text.lstrip("0")
        # Compare the length first: int() of a very long string is slow, and refused past 4300 digits.
        return len(digits) < len(str(INT_MAX)) or (len(digits) == len(str(INT_MAX)) and int(digits) <= INT_MAX)
    return math.isfinite(float(text))


def _out_of_range(source: Source, token: Token) -> Diagnostic:
    text = str(token)
    shown = text if len(text) <= 24 else text[:21] + "..."
    if text.isdigit():
        message, help_ = (f"whole number out of range: {shown}",
                          f"whole numbers must be at most {INT_MAX} (64 bits); write a decimal or an "
                          "exponent (1e30) for a larger float")
    else:
        message, help_ = (f"number out of range: {shown}", "numbers must be below 1.8e308")
    return Diagnostic("E0121", Severity.ERROR, message,
                      Label(source.span(token.start_pos, token.end_pos), "out of range"), help=help_)


def _too_large_extent(source: Source, token: Token) -> Diagnostic:
    return Diagnostic("E0122", Severity.ERROR, f"example size or coordinate too large: {token}",
                      Label(source.span(token.start_pos, token.end_pos), f"more than {MAX_EXTENT:,} px"),
                      help=f"image sides and coordinates are at most {MAX_EXTENT:,} px")
