"""Limits checked on the lark parse tree before it becomes the AST: nesting depth and number ranges.

Every later pass (the AST builder, the type checker, lowering, the evaluator, the printer, pickling
into the compile cache) walks expressions recursively. Rather than make each of them iterative, the
parser refuses nesting deeper than :data:`MAX_NESTING` with a located error, so every pass after it
stays far from Python's recursion limit. The walk here is iterative, so any depth can be measured.

Numbers are checked here too, on the tokens, because a literal that no 64-bit integer or finite
float can hold would crash later: in float conversion, in ``--emit ir`` (orjson), in the checker.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from lark import Token, Tree

from specdsl.diagnostics import Diagnostic, Label, Severity
from specdsl.limits import INT_MAX, MAX_EXTENT, MAX_NESTING
from specdsl.source import Source, Span

# Parse-tree nodes that nest: each operator, `not`, minus sign, call, member access, list and pair
# is one level. Leaves (names, literals) and the declaration structure around expressions are not.
_NESTING = frozenset({
    "or_expr", "and_expr", "not_", "compare", "in_set", "not_in_set", "add", "sub", "mul", "div", "neg",
    "member", "call", "class_filter", "image_filter", "list", "pair", "negative",
})


def limit_diagnostics(source: Source, tree: Tree) -> list[Diagnostic]:
    """Diagnostics for numbers out of range and, per declaration, the first place nested too deeply."""
    out_of_range = [token for token in _number_tokens(tree) if not _in_range(token)]
    diagnostics = [_out_of_range(source, token) for token in out_of_range]
    diagnostics += [_too_large_extent(source, token) for token in _example_extents(tree)
                    if token not in out_of_range and float(token) > MAX_EXTENT]
    for declaration in _children(tree):
        found = _too_deep(declaration)
        if found is not None:
            node, depth = found
            diagnostics.append(_too_deep_diagnostic(source, node, depth))
    return sorted(diagnostics, key=lambda d: d.primary.span.start)


def _children(node: Tree) -> list:
    return [c for c in node.children if c is not None]


# ---- nesting ----------------------------------------------------------------------------------------


def _too_deep(root) -> tuple[Tree, int] | None:
    """The first node (in source order) past the limit, and the deepest nesting under ``root``."""
    first: Tree | None = None
    deepest = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data in _NESTING:
            depth += 1
            deepest = max(deepest, depth)
            if depth == MAX_NESTING + 1 and (first is None or node.meta.start_pos < first.meta.start_pos):
                first = node
        stack.extend((child, depth) for child in node.children)
    return (first, deepest) if first is not None else None


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
    children = _children(node)
    positions = [p for p in map(_bounds, children) if p is not None]
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


# ---- example sizes and coordinates ------------------------------------------------------------------

_GEOMETRY_FIELDS = frozenset({"points", "box", "point"})


def _example_extents(tree: Tree) -> Iterator[Token]:
    """The numbers of example frames (``image W x H``) and of example objects' geometry fields."""
    for example in tree.find_data("example_decl"):
        for node in _children(example):
            if isinstance(node, Tree) and node.data == "frame":
                yield from (c for c in node.children if isinstance(c, Token) and c.type == "NUMBER")
            elif isinstance(node, Tree) and node.data == "example_object":
                for field in node.find_data("field"):
                    name, value = field.children
                    if str(name) in _GEOMETRY_FIELDS and isinstance(value, Tree):
                        yield from _number_tokens(value)


def _too_large_extent(source: Source, token: Token) -> Diagnostic:
    return Diagnostic("E0122", Severity.ERROR, f"example size or coordinate too large: {token}",
                      Label(source.span(token.start_pos, token.end_pos), f"more than {MAX_EXTENT:,} px"),
                      help=f"image sides and coordinates are at most {MAX_EXTENT:,} px")


# ---- numbers --------------------------------------------------------------------------------------


def _number_tokens(tree: Tree) -> Iterator[Token]:
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, Tree):
                stack.append(child)
            elif isinstance(child, Token) and child.type == "NUMBER":
                yield child


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
