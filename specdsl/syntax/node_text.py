"""How each AST node prints on its own: literals, expressions (minimal parentheses), types, one-line members.

The layout of whole declarations, blank lines and comments is :mod:`specdsl.syntax.printer`'s job.
"""

from __future__ import annotations

import inspect

from specdsl.syntax import ast

INDENT = "  "


# ---- literals ----------------------------------------------------------------------------------------


def format_number(value: float, unit: str | None = None) -> str:
    """Digits that parse back to the same value: ints as ints, floats by ``repr``; the unit attached."""
    text = str(value) if isinstance(value, int) else repr(float(value))
    return text + (unit or "")


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def format_value(value: ast.Value) -> str:
    match value:
        case ast.Number():
            return format_number(value.value, value.unit)
        case ast.String():
            return quote(value.value)
        case ast.Bool():
            return "true" if value.value else "false"
        case ast.Name():
            return value.name
        case ast.ListValue():
            return "[" + ", ".join(format_value(item) for item in value.items) + "]"
        case ast.PairValue():
            return f"({format_value(value.x)}, {format_value(value.y)})"
    raise TypeError(f"not a literal value: {value!r}")


def doc_lines(doc: str, block: bool = False) -> tuple[str, ...]:
    """A ``\"\"\"doc\"\"\"`` as physical lines (to be indented where they are not empty).

    The parser applies ``inspect.cleandoc``: a uniform indentation and the blank first and last
    lines of the multi-line form disappear again, so a cleandoc-stable doc round-trips exactly.
    A doc of blanks only has no stable form: it is printed empty. ``block``: the author wrote the
    quotes on lines of their own; a one-line doc keeps that form.
    """
    if not doc.strip():
        return ('""""""',)
    if "\n" not in doc and block:
        return ('"""', _escape_doc(doc, closing=False), '"""')
    if "\n" not in doc:
        return ('"""' + _escape_doc(doc, closing=True) + '"""',)
    return ('"""', *(_escape_doc(line, closing=False) for line in doc.split("\n")), '"""')


def _escape_doc(body: str, *, closing: bool) -> str:
    """Backslashes escaped, and each quote that would otherwise start a closing ``\"\"\"``."""
    pieces: list[str] = []
    following = '"""' if closing else "\n"  # the raw text right after the piece being escaped
    for char in reversed(body):
        if char == "\\":
            piece = "\\\\"
        elif char == '"' and following.startswith('""'):
            piece = '\\"'
        else:
            piece = char
        pieces.append(piece)
        following = (piece + following)[:3]
    return "".join(reversed(pieces))


def _is_block_doc(doc: str) -> bool:
    """Several lines that survive ``inspect.cleandoc``: printed as a triple-quoted block."""
    return "\n" in doc and "\r" not in doc and inspect.cleandoc(doc) == doc


def text_lines(doc: str) -> tuple[str, ...]:
    """An explanation on its own line (rule, quota, changes): a block doc if it has several lines."""
    return doc_lines(doc) if _is_block_doc(doc) else (quote(doc),)


def with_doc(text: str, doc: str | None, gap: str = "  ") -> str:
    return text if doc is None else f"{text}{gap}{quote(doc)}"


# ---- expressions -------------------------------------------------------------------------------------

# Binding strength, loosest first; an operand printed below the strength its place needs gets parentheses.
_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)


def format_expr(expr: ast.Expr, min_strength: int = 0) -> str:
    text, strength = _expr(expr)
    return f"({text})" if strength < min_strength else text


def _expr(expr: ast.Expr) -> tuple[str, int]:
    match expr:
        case ast.BoolOp(op=op, operands=operands):
            strength = _OR if op == "or" else _AND
            return f" {op} ".join(format_expr(o, strength + 1) for o in operands), strength
        case ast.Not(operand=operand):
            return "not " + format_expr(operand, _NOT), _NOT
        case ast.Compare(op=op, left=left, right=right):
            rhs = quote(right.value) if isinstance(right, ast.String) else format_expr(right, _SUM)
            return f"{format_expr(left, _SUM)} {op} {rhs}", _COMPARE
        case ast.InSet(operand=operand, values=values, negated=negated):
            keyword = "not in" if negated else "in"
            items = ", ".join(format_value(v) for v in values)
            return f"{format_expr(operand, _SUM)} {keyword} {{ {items} }}", _COMPARE
        case ast.Arith(op=op, left=left, right=right):
            strength = _SUM if op in "+-" else _PRODUCT
            return f"{format_expr(left, strength)} {op} {format_expr(right, strength + 1)}", strength
        case ast.Neg(operand=operand):
            return "-" + format_expr(operand, _UNARY), _UNARY
    return _atom(expr)


def _atom(expr: ast.Expr) -> tuple[str, int]:
    match expr:
        case ast.Number(value=value, unit=unit):
            return format_number(value, unit), _UNARY if str(value).startswith("-") else _ATOM
        case ast.String() | ast.Bool() | ast.Name():
            return format_value(expr), _ATOM
        case ast.ImageRef():
            return "image", _ATOM
        case ast.Member(obj=obj, name=name):
            return f"{format_expr(obj, _ATOM)}.{name}", _ATOM
        case ast.Call(func=func, args=args):
            return f"{func}({', '.join(format_expr(a) for a in args)})", _ATOM
        case ast.ClassFilter(class_name=class_name, where=where):
            subject = class_name or "image"
            return (subject if where is None else f"{subject} where {format_expr(where)}"), 0
    raise TypeError(f"not an expression: {expr!r}")


# ---- types and one-line members ---------------------------------------------------------------------


def format_type(type_: ast.TypeExpr) -> str:
    match type_:
        case ast.NamedType(name=name):
            return name
        case ast.RangeType(base=base, low=low, high=high):
            return f"{base} {format_number(low)}..{format_number(high)}"
        case ast.InlineEnum(values=values):
            items = ", ".join(with_doc(v.name, v.doc, gap=" ") for v in values)
            return f"enum {{ {items} }}" if items else "enum {}"
    raise TypeError(f"not a type: {type_!r}")


def _attribute(attr: ast.Attribute) -> str:
    text = f"{attr.name}: {format_type(attr.type)}"
    if attr.default is not None:
        text += f" = {format_value(attr.default)}"
    return with_doc(text + (" ?" if attr.optional else ""), attr.doc)


def member_text(member: ast.Attribute | ast.Require | ast.Match) -> str:
    if isinstance(member, ast.Attribute):
        return _attribute(member)
    if isinstance(member, ast.Match):
        return f"match {member.score} {member.op} {format_expr(member.threshold)}"
    label = f"{member.name}: " if member.name else ""
    return with_doc(f"require {label}{format_expr(member.expr)}", member.doc)


def fix_action_text(fix: ast.Fix) -> str:
    """The action as ``specc check`` shows it: ``set w.overridden = true``, ``unsafe join a, b``."""
    match fix.action:
        case "set":
            target = ".".join((*fix.targets, fix.attribute))
            text = f"set {target} = {format_value(fix.value)}"
        case "join":
            text = "join " + ", ".join(fix.targets)
        case _:
            text = " ".join((fix.action, *fix.targets))
    return ("unsafe " if fix.unsafe else "") + text


def fix_text(fix: ast.Fix) -> str:
    return "fix " + fix_action_text(fix)


def where_text(expr: ast.Expr | None) -> str:
    return "" if expr is None else f" where {format_expr(expr)}"


def action_text(action: ast.ChangeAction) -> str:
    match action:
        case ast.Relabel(class_name=class_name, where=where):
            return f"relabel {class_name}{where_text(where)}"
        case ast.ReviewImages(where=where):
            return f"review images{where_text(where)}"
        case ast.Rename(path=path, new_name=new_name):
            return f"rename {'.'.join(path)} -> {new_name}"
    raise TypeError(f"not a change action: {action!r}")


def field_text(item: ast.Field) -> str:
    return f"{item.name}: {format_value(item.value)}"
