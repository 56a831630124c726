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

from dataclasses import dataclass, field

from specdsl.source import NO_SPAN, Source, Span
from specdsl.syntax import ast
from specdsl.syntax.node_text import (
    INDENT,
    action_text,
    doc_lines,
    field_text,
    fix_text,
    format_expr,
    format_number,
    format_type,
    format_value,
    member_text,
    quote,
    text_lines,
    where_text,
    with_doc,
)
from specdsl.syntax.parser import parse

__all__ = ["INDENT", "doc_lines", "format_expr", "format_number", "format_source", "format_spec", "format_type",
           "format_value", "normalize_newlines", "quote"]


def format_source(text: str, name: str = "<string>") -> str:
    """``text`` parsed and printed canonically; raises ``ParseFailure`` on syntax errors."""
    source = Source(name, normalize_newlines(text))
    return format_spec(parse(source))


def format_spec(spec: ast.Spec) -> str:
    """The canonical text of ``spec``; the spans of a parsed spec say where each comment goes."""
    root = _Builder().spec(spec)
    for comment in sorted(spec.comments, key=lambda c: c.span.start):
        _place(root, comment)
    return _Renderer().document(root)


def normalize_newlines(text: str) -> str:
    """Windows line ends become '\n'. A lone '\r' is left alone: inside a string it is text."""
    return text.replace("\r\n", "\n")


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


class _Builder:
    """AST -> layout tree, each entry with the source location its AST node's span gives (if it has one)."""

    def spec(self, spec: ast.Spec) -> _Block:
        header = _Line((f"spec {spec.name} version {format_number(spec.version)}",), _loc(spec.header_span))
        entries: list[_Entry] = [header]
        if spec.doc is not None:
            entries.append(_Line(doc_lines(spec.doc, _written_as_block(spec.doc_span)), _loc(spec.doc_span)))
        entries += [self.declaration(d) for d in spec.declarations]
        return _Block(None, entries)

    def declaration(self, decl: ast.Declaration) -> _Block:
        match decl:
            case ast.ImageBlock():
                return self._block(decl, "image {", map(self._attr, decl.attributes))
            case ast.EnumDecl():
                values = (_Line((with_doc(v.name, v.doc),), _loc(v.span)) for v in decl.values)
                return self._block(decl, f"enum {decl.name} {{", values)
            case ast.ClassDecl():
                members = [line for member in decl.members for line in self._member(member)]
                head = f"class {decl.name}: {decl.geometry} {{"
                return self._block(decl, head, members, doc=decl.doc, doc_span=decl.doc_span)
            case ast.RuleDecl():
                return self._block(decl, f"rule {decl.name}: {decl.severity} {{", self._rule_body(decl),
                                   text=decl.doc, doc_span=decl.doc_span)
            case ast.QuotaDecl():
                body = [_Line((format_expr(decl.expr),), _loc(decl.expr.span))]
                return self._block(decl, f"quota {decl.name}: {decl.severity} {{", body, text=decl.doc,
                                   doc_span=decl.doc_span)
            case ast.ExampleDecl():
                return self._example(decl)
            case ast.ChangesDecl():
                actions = (_Line((action_text(a),), _loc(a.span)) for a in decl.actions)
                return self._block(decl, f"changes {format_number(decl.version)} {{", actions, text=decl.doc,
                                   doc_span=decl.doc_span)
        raise TypeError(f"not a declaration: {decl!r}")

    def _attr(self, member: ast.Attribute | ast.Require) -> _Line:
        return _Line((member_text(member),), _loc(member.span))

    def _member(self, member: ast.Attribute | ast.Require | ast.Match) -> list[_Line]:
        """A member's line; a require with a fix is two lines, each with its own span (for comments)."""
        lines = [self._attr(member)]
        if isinstance(member, ast.Require) and member.fix is not None:
            lines.append(_Line((fix_text(member.fix),), _loc(member.fix.span)))
        return lines

    def _rule_body(self, rule: ast.RuleDecl) -> list[_Entry]:
        body: list[_Entry] = [_Line((f"for {f.var} in {f.class_name}{where_text(f.where)}",), _loc(f.span))
                              for f in rule.fors]
        if rule.require is not None:
            body.append(_Line((f"require {format_expr(rule.require)}",), _loc(rule.require.span)))
        if rule.fix is not None:
            body.append(_Line((fix_text(rule.fix),), _loc(rule.fix.span)))
        return body

    def _block(self, node: _Declaration, head: str, body, *, doc: str | None = None, text: str | None = None,
               doc_span: Span = NO_SPAN) -> _Block:
        """A declaration ``head { [doc] body }``: a doc block (``doc``) or a short explanation (``text``)."""
        entries: list[_Entry] = []
        if doc is not None or text is not None:
            parts = doc_lines(doc, _written_as_block(doc_span)) if doc is not None else text_lines(text)
            entries.append(_Line(parts, _loc(doc_span)))
        return _Block(_Line((head,), _loc(node.head_span)), entries + list(body), _loc(node.span))

    def _example(self, example: ast.ExampleDecl) -> _Block:
        verdict = "valid" if example.valid else f"invalid {example.check}"
        block = self._block(example, f"example {quote(example.title)} {verdict} {{", ())
        block.body.append(self._frame(example))
        block.body += [self._object(o) for o in example.objects]
        return block

    def _frame(self, example: ast.ExampleDecl) -> _Entry:
        size = f"image {format_number(example.width)} x {format_number(example.height)}"
        if not example.image_fields:
            return _Line((size,), _loc(example.frame_span))
        fields = [_Line((field_text(f),), _loc(f.span)) for f in example.image_fields]
        return _Block(_Line((size + " {",), _loc(example.frame_head_span)), fields, _loc(example.frame_span),
                      inline=True, separator=",")

    def _object(self, obj: ast.ExampleObject) -> _Block:
        head = _Line((f"{obj.class_name} {{",), _loc(obj.name_span))
        fields = [_Line((field_text(f),), _loc(f.span)) for f in obj.fields]
        return _Block(head, fields, _loc(obj.span), inline=True, separator=",")


_Declaration = ast.ImageBlock | ast.EnumDecl | ast.ClassDecl | ast.RuleDecl | ast.QuotaDecl | ast.ExampleDecl \
    | ast.ChangesDecl


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


def _written_as_block(span: Span) -> bool:
    """A doc whose quotes stand on lines of their own, which the author chose and ``fmt`` keeps."""
    return span.end_line > span.line
