"""Pass 1: collect every declared name (enums, classes, attributes) and resolve attribute types."""

from __future__ import annotations

from dataclasses import dataclass, field

from specdsl import ir
from specdsl.compiler.builtins import SCALAR_TYPES
from specdsl.diagnostics import DiagnosticSink, Label, did_you_mean
from specdsl.source import Source, Span
from specdsl.syntax import ast
from specdsl.values import value_problem


@dataclass
class ClassInfo:
    decl: ast.ClassDecl
    geometry: str
    attributes: dict[str, ir.Attribute] = field(default_factory=dict)


@dataclass
class Symbols:
    source: Source
    enums: dict[str, ir.Enum] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    image_attributes: dict[str, ir.Attribute] = field(default_factory=dict)
    checks: dict[str, Span] = field(default_factory=dict)  # rule and quota names
    quotas: set[str] = field(default_factory=set)  # which of ``checks`` are quotas

    def loc(self, span: Span) -> ir.Loc:
        return ir.Loc(self.source.name, span.line, span.column)


def collect(spec: ast.Spec, sink: DiagnosticSink) -> Symbols:
    symbols = Symbols(sink.source)
    for decl in spec.declarations:
        if isinstance(decl, ast.EnumDecl):
            _declare(symbols.enums, decl.name, decl.name_span, "enum", sink, _enum(decl, symbols, sink))
    for decl in spec.declarations:
        if isinstance(decl, ast.ClassDecl):
            _collect_class(decl, symbols, sink)
        elif isinstance(decl, ast.ImageBlock):
            _collect_attributes(decl.attributes, symbols.image_attributes, symbols, sink)
        elif isinstance(decl, (ast.RuleDecl, ast.QuotaDecl)):
            _declare(symbols.checks, decl.name, decl.name_span, "check", sink, decl.name_span)
            if isinstance(decl, ast.QuotaDecl):
                symbols.quotas.add(decl.name)
    return symbols


def _declare(table: dict, name: str, span: Span, what: str, sink: DiagnosticSink, value) -> None:
    if name in table:
        sink.error("E0101", f"{what} '{name}' is declared twice", span, "declared again here",
                   help=f"rename one of them; names of {what}s must be unique")
        return
    table[name] = value


def _enum(decl: ast.EnumDecl | ast.InlineEnum, symbols: Symbols, sink: DiagnosticSink) -> ir.Enum:
    seen: dict[str, ast.EnumValue] = {}
    for value in decl.values:
        if value.name in seen:
            sink.error("E0101", f"enum value '{value.name}' is listed twice", value.span, "listed again here",
                       secondary=(Label(seen[value.name].span, "first listed here"),))
        seen.setdefault(value.name, value)
    values = tuple(ir.EnumValue(v.name, v.doc, symbols.loc(v.span)) for v in seen.values())
    name = decl.name if isinstance(decl, ast.EnumDecl) else ""
    return ir.Enum(name, values, symbols.loc(decl.span))


def _collect_class(decl: ast.ClassDecl, symbols: Symbols, sink: DiagnosticSink) -> None:
    if decl.geometry not in ir.GEOMETRIES:
        sink.error("E0112", f"unknown geometry '{decl.geometry}'", decl.geometry_span, "not a geometry",
                   help=did_you_mean(decl.geometry, ir.GEOMETRIES) or "geometries: " + ", ".join(ir.GEOMETRIES))
    info = ClassInfo(decl, decl.geometry)
    _declare(symbols.classes, decl.name, decl.name_span, "class", sink, info)
    _collect_attributes(decl.attributes, info.attributes, symbols, sink)


def _collect_attributes(attrs, table: dict[str, ir.Attribute], symbols: Symbols, sink: DiagnosticSink) -> None:
    for attr in attrs:
        resolved = resolve_attribute(attr, symbols, sink)
        _declare(table, attr.name, attr.span, "attribute", sink, resolved)


def resolve_attribute(attr: ast.Attribute, symbols: Symbols, sink: DiagnosticSink) -> ir.Attribute:
    attr_type, value_docs = _resolve_type(attr.type, symbols, sink)
    default = _default(attr, attr_type, sink) if attr.default is not None else None
    return ir.Attribute(attr.name, attr_type, default, attr.optional, attr.doc, value_docs, symbols.loc(attr.span))


def _resolve_type(type_: ast.TypeExpr, symbols: Symbols, sink: DiagnosticSink):
    if isinstance(type_, ast.InlineEnum):
        enum = _enum(type_, symbols, sink)
        return ir.AttrType("enum", None, enum.names), enum.values
    if isinstance(type_, ast.RangeType):
        return _range(type_, sink), ()
    if type_.name in SCALAR_TYPES:
        return ir.AttrType(type_.name), ()
    if type_.name in symbols.enums:
        enum = symbols.enums[type_.name]
        return ir.AttrType("enum", enum.name, enum.names), enum.values
    sink.error("E0103", f"unknown type '{type_.name}'", type_.span, "not a type",
               help=did_you_mean(type_.name, [*SCALAR_TYPES, *symbols.enums])
               or "types are bool, int, float, string, int LO..HI, float LO..HI, an enum's name or enum { ... }")
    return ir.AttrType("string"), ()


def _range(type_: ast.RangeType, sink: DiagnosticSink) -> ir.AttrType:
    if type_.base not in ("int", "float"):
        sink.error("E0114", f"a range needs int or float, not '{type_.base}'", type_.span, "ranged type",
                   help=f"write 'int {type_.low}..{type_.high}' or 'float {type_.low}..{type_.high}'")
        return ir.AttrType("float", low=type_.low, high=type_.high)
    if type_.low > type_.high:
        sink.error("E0114", f"empty range {type_.low}..{type_.high}", type_.span, "low bound above high bound",
                   help=f"did you mean {type_.high}..{type_.low}?")
    if type_.base == "int" and not (float(type_.low).is_integer() and float(type_.high).is_integer()):
        sink.error("E0114", "an int range needs whole-number bounds", type_.span, "not whole numbers")
    return ir.AttrType(type_.base, low=type_.low, high=type_.high)


def _default(attr: ast.Attribute, attr_type: ir.AttrType, sink: DiagnosticSink):
    value = attr.default
    python = literal_value(value)
    problem = value_problem(python, attr_type)
    if problem:
        hint = did_you_mean(str(python), attr_type.values) if attr_type.kind == "enum" else None
        sink.error("E0113", f"default of '{attr.name}' {problem}", value.span, "invalid default", help=hint)
        return None
    return float(python) if attr_type.kind == "float" else python


def literal_value(value: ast.Value):
    """The Python value of a literal (bare names are enum values, i.e. strings)."""
    if isinstance(value, (ast.Number, ast.String, ast.Bool)):
        return value.value / 100 if isinstance(value, ast.Number) and value.unit == "%" else value.value
    if isinstance(value, ast.Name):
        return value.name
    if isinstance(value, ast.PairValue):
        return [literal_value(value.x), literal_value(value.y)]
    return [literal_value(v) for v in value.items]
