"""The canonical printer behind ``specc fmt``: AST -> text, with every comment kept.

Layout: the header, then one blank line between top-level elements (the spec doc, each declaration);
two-space indentation; one attribute, ``require``, ``for``, action or enum value per line; example
objects and inline enums on one line. A blank line the author left between two lines of a body is kept
(one at most), so are blank lines around comments; blank lines at the start or end of a body are dropped.

Comments are not attached to nodes in the AST (``Spec.comments`` lists them with their spans), so the
printer first builds a small layout tree - one ``_Line`` per printed line, a ``_Block`` per pair of
braces - in which each entry knows the source range it came from. Each comment is then routed to the
innermost entry around it: a comment on the line an entry ends on trails that line, an own-line comment
leads the entry after it (or dangles at the end of its block), and a comment inside something printed on
one line (a multi-line expression, say) moves onto its own line just before it. Every comment is placed
exactly once, in source order, so formatting loses none and is idempotent.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

from specdsl.source import Source, Span
from specdsl.syntax import ast
from specdsl.syntax.parser import parse

INDENT = "  "


def format_source(text: str, name: str = "<string>") -> str:
    """``text`` parsed and printed canonically; raises ``ParseFailure`` on syntax errors."""
    source = Source(name, normalize_newlines(text))
    return format_spec(parse(source), source=source)


def format_spec(spec: ast.Spec, *, source: Source | None = None) -> str:
    """The canonical text of ``spec``. With the ``source`` it was parsed from, comments next to doc
    strings and example frames (which have no span in the AST) stay exactly where they were."""
    root = _Builder(_Locator(source)).spec(spec)
    for comment in sorted(spec.comments, key=lambda c: c.span.start):
        _place(root, comment)
    return _Renderer().document(root)


def normalize_newlines(text: str) -> str:
    """Windows line ends become '\n'. A lone '\r' is left alone: inside a string it is text."""
    return text.replace("\r\n", "\n")


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


def doc_lines(doc: str) -> tuple[str, ...]:
    """A ``\"\"\"doc\"\"\"`` as physical lines (to be indented where they are not empty).

    The parser applies ``inspect.cleandoc``: a uniform indentation and the blank first and last
    lines of the multi-line form disappear again, so a cleandoc-stable doc round-trips exactly.
    A doc of blanks only has no stable form: it is printed empty.
    """
    if not doc.strip():
        return ('""""""',)
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


def _text_lines(doc: str) -> tuple[str, ...]:
    """An explanation on its own line (rule, quota, changes): a block doc if it has several lines."""
    return doc_lines(doc) if _is_block_doc(doc) else (quote(doc),)


def _with_doc(text: str, doc: str | None, gap: str = "  ") -> str:
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
            items = ", ".join(_with_doc(v.name, v.doc, gap=" ") for v in values)
            return f"enum {{ {items} }}" if items else "enum {}"
    raise TypeError(f"not a type: {type_!r}")


def _attribute(attr: ast.Attribute) -> str:
    text = f"{attr.name}: {format_type(attr.type)}"
    if attr.default is not None:
        text += f" = {format_value(attr.default)}"
    return _with_doc(text + (" ?" if attr.optional else ""), attr.doc)


def _member(member: ast.Attribute | ast.Require) -> str:
    if isinstance(member, ast.Attribute):
        return _attribute(member)
    return _with_doc(f"require {format_expr(member.expr)}", member.doc)


def _where(expr: ast.Expr | None) -> str:
    return "" if expr is None else f" where {format_expr(expr)}"


def _action(action: ast.ChangeAction) -> str:
    match action:
        case ast.Relabel(class_name=class_name, where=where):
            return f"relabel {class_name}{_where(where)}"
        case ast.ReviewImages(where=where):
            return f"review images{_where(where)}"
        case ast.Rename(path=path, new_name=new_name):
            return f"rename {'.'.join(path)} -> {new_name}"
    raise TypeError(f"not a change action: {action!r}")


def _field(item: ast.Field) -> str:
    return f"{item.name}: {format_value(item.value)}"


# ---- the layout tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loc:
    """Where an entry was in the source: offsets [start, end) and its first and last line."""

    start: int
    end: int
    line: int
    end_line: int


def _loc(span: Span) -> _Loc | None:
    return _Loc(span.start, span.end, span.line, span.end_line) if span.end > span.start else None


@dataclass(frozen=True)
class _Lead:
    comment: ast.Comment
    inner: bool  # found inside the entry it now precedes


@dataclass(eq=False)
class _Line:
    parts: tuple[str, ...]  # physical lines: one, or several for a triple-quoted doc
    loc: _Loc | None = None
    leading: list[_Lead] = field(default_factory=list)
    trailing: ast.Comment | None = None


@dataclass(eq=False)
class _Block:
    """``head { body }``; the root of a document is a block without head."""

    head: _Line | None
    body: list[_Line | _Block]
    loc: _Loc | None = None
    inline: bool = False  # "obj { a: 1, b: 2 }" on one line unless a comment is inside
    separator: str = ""  # appended to body lines printed one per line ("," between fields)
    close: _Line = field(default_factory=lambda: _Line(("}",)))
    dangling: list[ast.Comment] = field(default_factory=list)


_Entry = _Line | _Block


def _first_line(entry: _Entry) -> _Line:
    return entry.head if isinstance(entry, _Block) and entry.head else entry


def _last_line(entry: _Entry) -> _Line:
    return entry.close if isinstance(entry, _Block) else entry


class _Locator:
    """Finds, in the source text, what the AST keeps no span for: docs, example frames, header ends."""

    _TRIVIA = re.compile(r"(?:\s+|#[^\n]*)*")
    _TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"'  # the grammar's strings
                        r"|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"  # its numbers
                        r"|[A-Za-z_][A-Za-z0-9_]*|->|\.\.|\S", re.DOTALL)

    def __init__(self, source: Source | None):
        self.source = source

    def tokens(self, offset: int, count: int) -> list[tuple[int, int]]:
        """Up to ``count`` (start, end) token ranges from ``offset`` on."""
        found: list[tuple[int, int]] = []
        text = self.source.text if self.source else ""
        while self.source and len(found) < count:
            start = self._TRIVIA.match(text, offset).end()
            match = self._TOKEN.match(text, start)
            if match is None:
                break
            found.append((start, match.end()))
            offset = match.end()
        return found

    def loc(self, start: int, end: int) -> _Loc:
        assert self.source is not None
        return _Loc(start, end, self.source.position(start)[0], self.source.position(end)[0])

    def text(self, token: tuple[int, int]) -> str:
        return self.source.text[token[0]:token[1]] if self.source else ""

    def brace_end(self, offset: int) -> int | None:
        """The end of the first ``{`` after ``offset`` (the end of a declaration header)."""
        for token in self.tokens(offset, 4):
            if self.text(token) == "{":
                return token[1]
        return None

    def string_after(self, offset: int | None) -> _Loc | None:
        tokens = self.tokens(offset, 1) if offset is not None else []
        if tokens and self.text(tokens[0]).startswith('"'):
            return self.loc(*tokens[0])
        return None

    def frame(self, offset: int | None) -> tuple[_Loc, int] | None:
        """``image W x H [{ fields }]`` after ``offset``: its range and the end of its header."""
        tokens = self.tokens(offset, 5) if offset is not None else []
        if len(tokens) < 4 or self.text(tokens[0]) != "image":
            return None
        head_end = end = tokens[3][1]
        if len(tokens) == 5 and self.text(tokens[4]) == "{":
            head_end = end = tokens[4][1]
            while (token := self.tokens(end, 1)) and self.text(token[0]) != "}":
                end = token[0][1]
            end = token[0][1] if token else end  # fields hold no braces: the first "}" closes them
        return self.loc(tokens[0][0], end), head_end


class _Builder:
    """AST -> layout tree, with the source location of every entry that has one."""

    def __init__(self, locator: _Locator):
        self.at = locator

    def spec(self, spec: ast.Spec) -> _Block:
        header = _Line((f"spec {spec.name} version {format_number(spec.version)}",), self._header_loc(spec))
        entries: list[_Entry] = [header]
        if spec.doc is not None:
            doc_loc = self.at.string_after(header.loc.end if header.loc else None)
            entries.append(_Line(doc_lines(spec.doc), doc_loc))
        entries += [self.declaration(d) for d in spec.declarations]
        return _Block(None, entries)

    def _header_loc(self, spec: ast.Spec) -> _Loc | None:
        if _loc(spec.name_span) is None:
            return None
        tokens = self.at.tokens(spec.name_span.end, 2)
        if len(tokens) == 2:
            return self.at.loc(spec.span.start, tokens[1][1])
        return _Loc(spec.span.start, spec.name_span.end, spec.span.line, spec.name_span.end_line)

    def declaration(self, decl: ast.Declaration) -> _Block:
        match decl:
            case ast.ImageBlock():
                attributes = map(self._attr, decl.attributes)
                return self._block(decl, "image {", decl.span.start + len("image"), attributes)
            case ast.EnumDecl():
                values = (_Line((_with_doc(v.name, v.doc),), _loc(v.span)) for v in decl.values)
                return self._block(decl, f"enum {decl.name} {{", decl.name_span, values)
            case ast.ClassDecl():
                members = map(self._attr, decl.members)
                head = f"class {decl.name}: {decl.geometry} {{"
                return self._block(decl, head, decl.geometry_span, members, doc=decl.doc)
            case ast.RuleDecl():
                return self._block(decl, f"rule {decl.name}: {decl.severity} {{", decl.severity_span,
                                   self._rule_body(decl), text=decl.doc)
            case ast.QuotaDecl():
                body = [_Line((format_expr(decl.expr),), _loc(decl.expr.span))]
                return self._block(decl, f"quota {decl.name}: {decl.severity} {{", decl.severity_span, body,
                                   text=decl.doc)
            case ast.ExampleDecl():
                return self._example(decl)
            case ast.ChangesDecl():
                actions = (_Line((_action(a),), _loc(a.span)) for a in decl.actions)
                return self._block(decl, f"changes {format_number(decl.version)} {{",
                                   decl.span.start + len("changes"), actions, text=decl.doc)
        raise TypeError(f"not a declaration: {decl!r}")

    def _attr(self, member: ast.Attribute | ast.Require) -> _Line:
        return _Line((_member(member),), _loc(member.span))

    def _rule_body(self, rule: ast.RuleDecl) -> list[_Entry]:
        body: list[_Entry] = [_Line((f"for {f.var} in {f.class_name}{_where(f.where)}",), _loc(f.span))
                              for f in rule.fors]
        if rule.require is not None:
            body.append(_Line((f"require {format_expr(rule.require)}",), _loc(rule.require.span)))
        return body

    def _block(self, node: ast.Node, head: str, head_end: Span | int, body, *, doc: str | None = None,
               text: str | None = None) -> _Block:
        """A declaration ``head { [doc] body }``; ``head_end`` is the last header token known."""
        head_line = _Line((head,), self._head_loc(node.span, head_end))
        entries: list[_Entry] = []
        doc_start = head_line.loc.end if head_line.loc else None
        if doc is not None or text is not None:
            parts = doc_lines(doc) if doc is not None else _text_lines(text)
            entries.append(_Line(parts, self.at.string_after(doc_start)))
        return _Block(head_line, entries + list(body), _loc(node.span))

    def _head_loc(self, span: Span, head_end: Span | int) -> _Loc | None:
        if _loc(span) is None:
            return None
        is_token = isinstance(head_end, Span)
        last, last_line = (head_end.end, head_end.end_line) if is_token else (head_end, span.line)
        brace = self.at.brace_end(last)
        if brace is not None:
            return self.at.loc(span.start, brace)
        return _Loc(span.start, last, span.line, last_line)

    def _example(self, example: ast.ExampleDecl) -> _Block:
        verdict = "valid" if example.valid else f"invalid {example.check}"
        block = self._block(example, f"example {quote(example.title)} {verdict} {{", example.check_span, ())
        frame = self.at.frame(block.head.loc.end if block.head.loc else None)
        block.body.append(self._frame(example, frame))
        block.body += [self._object(o) for o in example.objects]
        return block

    def _frame(self, example: ast.ExampleDecl, where: tuple[_Loc, int] | None) -> _Entry:
        size = f"image {format_number(example.width)} x {format_number(example.height)}"
        loc = where[0] if where else None
        if not example.image_fields:
            return _Line((size,), loc)
        head_loc = self.at.loc(loc.start, where[1]) if where else None
        fields = [_Line((_field(f),), _loc(f.span)) for f in example.image_fields]
        return _Block(_Line((size + " {",), head_loc), fields, loc, inline=True, separator=",")

    def _object(self, obj: ast.ExampleObject) -> _Block:
        span = obj.span
        name_loc = _Loc(span.start, span.start + len(obj.class_name), span.line, span.line)
        head = _Line((f"{obj.class_name} {{",), name_loc if _loc(span) else None)
        fields = [_Line((_field(f),), _loc(f.span)) for f in obj.fields]
        return _Block(head, fields, _loc(span), inline=True, separator=",")


# ---- comment placement -------------------------------------------------------------------------------


def _place(block: _Block, comment: ast.Comment) -> None:
    """Route ``comment`` to the innermost entry of ``block`` around it (see the module doc)."""
    at = comment.span
    located = [e for e in block.body if e.loc is not None]
    for entry in located:
        if entry.loc.start <= at.start < entry.loc.end:
            _place_inside(entry, comment)
            return
    before = [e for e in located if e.loc.end <= at.start]
    previous = _last_line(before[-1]) if before else None
    head = block.head
    if previous is not None and before[-1].loc.end_line == at.line and previous.trailing is None:
        previous.trailing = comment
    elif not before and head and head.loc and head.loc.end_line == at.line and head.trailing is None:
        head.trailing = comment
    else:
        after = [e for e in located if e.loc.start > at.start]
        if after:
            _first_line(after[0]).leading.append(_Lead(comment, inner=False))
        else:
            block.dangling.append(comment)


def _place_inside(entry: _Entry, comment: ast.Comment) -> None:
    if isinstance(entry, _Line):
        entry.leading.append(_Lead(comment, inner=True))
    elif entry.head and entry.head.loc and comment.span.start < entry.head.loc.end:
        entry.head.leading.append(_Lead(comment, inner=True))
    else:
        _place(entry, comment)


# ---- rendering ---------------------------------------------------------------------------------------


class _Renderer:
    def __init__(self) -> None:
        self.out: list[str] = []

    def document(self, root: _Block) -> str:
        self.body(root.body, root.dangling, depth=0, top=True)
        return "\n".join(self.out).rstrip("\n") + "\n"

    def body(self, entries: list[_Entry], dangling: list[ast.Comment], depth: int, *, top: bool = False,
             separator: str = "") -> None:
        """Entries with their comments; blank lines where the source had them (always between top-level
        declarations)."""
        gap_from: int | None = None  # source line the previous element ended on; None: no blank line next
        for index, entry in enumerate(entries):
            force = top and index > 0
            for lead in _first_line(entry).leading:
                start = (entry.loc.line if entry.loc else None) if lead.inner else lead.comment.span.line
                self.blank(gap_from, start, force)
                force = False
                self.emit(depth, (lead.comment.text,))
                gap_from = None if lead.inner else lead.comment.span.line
            self.blank(gap_from, entry.loc.line if entry.loc else None, force)
            self.entry(entry, depth, separator)
            gap_from = entry.loc.end_line if entry.loc else None
        for comment in dangling:
            self.blank(gap_from, comment.span.line, False)
            self.emit(depth, (comment.text,))
            gap_from = comment.span.line

    def blank(self, gap_from: int | None, start: int | None, force: bool) -> None:
        wanted = force or (gap_from is not None and start is not None and start - gap_from >= 2)
        if wanted and self.out and self.out[-1] != "":
            self.out.append("")

    def emit(self, depth: int, parts: tuple[str, ...], trailing: ast.Comment | None = None,
             suffix: str = "") -> None:
        lines = [INDENT * depth + part if part else "" for part in parts]
        lines[-1] += suffix + (f"  {trailing.text}" if trailing else "")
        self.out += lines

    def entry(self, entry: _Entry, depth: int, separator: str = "") -> None:
        if isinstance(entry, _Line):
            self.emit(depth, entry.parts, entry.trailing, separator)
        elif _one_line(entry):
            head = entry.head.parts[-1]
            inner = ", ".join(line.parts[0] for line in entry.body)
            text = f"{head} {inner} }}" if inner else head + "}"
            self.emit(depth, (text,), entry.close.trailing or entry.head.trailing, separator)
        else:
            self.emit(depth, entry.head.parts, entry.head.trailing)
            self.body(entry.body, entry.dangling, depth + 1, separator=entry.separator)
            self.emit(depth, entry.close.parts, entry.close.trailing, separator)


def _one_line(block: _Block) -> bool:
    """Empty blocks and short objects go on one line, unless that would put a comment mid-line."""
    if block.dangling or (block.head.trailing and block.close.trailing):
        return False
    if not block.body:
        return True
    return block.inline and not block.head.trailing and not any(
        isinstance(e, _Block) or e.leading or e.trailing for e in block.body)
