"""What the server knows of a spec: its declarations with their spans, read from the syntax tree.

Built from the AST rather than the IR so that a spec with type errors still has hover, definition
and completion; when the text does not even parse, the server keeps the last model that did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specdsl.compiler import compile_source
from specdsl.diagnostics import Diagnostic
from specdsl.source import Source
from specdsl.syntax import ast


@dataclass(frozen=True)
class Symbol:
    """A declared name: where it is written (``start``, ``end`` offsets) and what to say about it."""

    kind: str  # class | enum | enum_value | attribute | rule | quota | variable | example | changes
    name: str
    start: int
    end: int
    detail: str = ""
    doc: str | None = None
    owner: str | None = None  # the class (or "image", or the enum) an attribute / value belongs to
    full_start: int = 0  # the whole declaration, for document symbols
    full_end: int = 0


@dataclass
class Model:
    symbols: list[Symbol] = field(default_factory=list)
    attribute_types: dict[tuple[str, str], ast.Node] = field(default_factory=dict)  # (owner, attr) -> type
    class_geometry: dict[str, str] = field(default_factory=dict)

    def find(self, kind: str, name: str, owner: str | None = None) -> Symbol | None:
        return next((s for s in self.symbols if s.kind == kind and s.name == name
                     and (owner is None or s.owner == owner)), None)

    def of_kind(self, kind: str, owner: str | None = None) -> list[Symbol]:
        return [s for s in self.symbols if s.kind == kind and (owner is None or s.owner == owner)]


@dataclass(frozen=True)
class Analysis:
    diagnostics: tuple[Diagnostic, ...]
    model: Model | None  # None: the text does not parse


def analyse(text: str, name: str) -> Analysis:
    result = compile_source(Source(name, text))
    model = build_model(result.ast, text) if result.ast is not None else None
    return Analysis(result.diagnostics, model)


def build_model(tree: ast.Spec, text: str) -> Model:
    model = Model()
    for decl in tree.declarations:
        if isinstance(decl, ast.ClassDecl):
            _class(model, decl, text)
        elif isinstance(decl, ast.ImageBlock):
            for attr in decl.attributes:
                _attribute(model, attr, "image", text)
        elif isinstance(decl, ast.EnumDecl):
            model.symbols.append(Symbol("enum", decl.name, decl.name_span.start, decl.name_span.end,
                                        "enum { " + ", ".join(v.name for v in decl.values) + " }", None, None,
                                        decl.span.start, decl.span.end))
            _values(model, decl.values, decl.name)
        elif isinstance(decl, ast.RuleDecl):
            _rule(model, decl, text)
        elif isinstance(decl, ast.QuotaDecl):
            model.symbols.append(Symbol("quota", decl.name, decl.name_span.start, decl.name_span.end,
                                        f"quota: {decl.severity}", decl.doc, None, decl.span.start, decl.span.end))
        elif isinstance(decl, ast.ExampleDecl):
            model.symbols.append(Symbol("example", decl.title, decl.span.start, decl.span.start + 7,
                                        "valid" if decl.valid else f"invalid {decl.check}", None, None,
                                        decl.span.start, decl.span.end))
    return model


def _class(model: Model, decl: ast.ClassDecl, text: str) -> None:
    model.class_geometry[decl.name] = decl.geometry
    model.symbols.append(Symbol("class", decl.name, decl.name_span.start, decl.name_span.end,
                                f"class {decl.name}: {decl.geometry}", decl.doc, None, decl.span.start, decl.span.end))
    for member in decl.members:
        if isinstance(member, ast.Attribute):
            _attribute(model, member, decl.name, text)


def _attribute(model: Model, attr: ast.Attribute, owner: str, text: str) -> None:
    start = attr.span.start
    type_text = type_description(attr.type)
    detail = f"{attr.name}: {type_text}" + (" ?" if attr.optional else "")
    model.symbols.append(Symbol("attribute", attr.name, start, start + len(attr.name), detail, attr.doc, owner,
                                attr.span.start, attr.span.end))
    model.attribute_types[(owner, attr.name)] = attr.type
    if isinstance(attr.type, ast.InlineEnum):
        _values(model, attr.type.values, f"{owner}.{attr.name}")


def type_description(node: ast.Node) -> str:
    if isinstance(node, ast.NamedType):
        return node.name
    if isinstance(node, ast.RangeType):
        return f"{node.base} {node.low}..{node.high}"
    if isinstance(node, ast.InlineEnum):
        return "enum { " + ", ".join(v.name for v in node.values) + " }"
    return "?"


def _values(model: Model, values: tuple[ast.EnumValue, ...], owner: str) -> None:
    for value in values:
        start = value.span.start
        model.symbols.append(Symbol("enum_value", value.name, start, start + len(value.name), f"value of {owner}",
                                    value.doc, owner, value.span.start, value.span.end))


_WORD = r"\b{}\b"


def _rule(model: Model, decl: ast.RuleDecl, text: str) -> None:
    model.symbols.append(Symbol("rule", decl.name, decl.name_span.start, decl.name_span.end,
                                f"rule: {decl.severity}", decl.doc, None, decl.span.start, decl.span.end))
    for clause in decl.fors:
        found = re.compile(_WORD.format(re.escape(clause.var))).search(text, clause.span.start + 3)
        start = found.start() if found else clause.span.start
        model.symbols.append(Symbol("variable", clause.var, start, start + len(clause.var),
                                    f"{clause.var}: {clause.class_name}", None, decl.name,
                                    decl.span.start, decl.span.end))
