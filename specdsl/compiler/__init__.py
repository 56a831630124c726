"""Compile a spec: parse, collect names, type-check, lower to the IR.

Passes are plain functions run in order; each reports to one sink so that one run
reports every error it can find. Syntax errors stop before name resolution, since
names in a broken declaration cannot be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from specdsl import ir
from specdsl.compiler.lower import Lowerer
from specdsl.compiler.renames import RenameChains
from specdsl.compiler.symbols import collect
from specdsl.diagnostics import Diagnostic, DiagnosticSink, SpecError
from specdsl.gitrev import read_source
from specdsl.source import Source
from specdsl.syntax import ast
from specdsl.syntax.parser import ParseFailure, parse

__all__ = ["CompileResult", "compile_source", "compile_file", "compile_text", "read_source"]


@dataclass(frozen=True)
class CompileResult:
    source: Source
    spec: ir.Spec | None  # None when there are errors
    diagnostics: tuple[Diagnostic, ...]
    ast: ast.Spec | None = None

    @property
    def ok(self) -> bool:
        return self.spec is not None


def compile_source(source: Source) -> CompileResult:
    try:
        tree = parse(source)
    except ParseFailure as failure:
        return CompileResult(source, None, tuple(failure.diagnostics))
    sink = DiagnosticSink(source)
    spec = lower_spec(tree, sink)
    diagnostics = sink.sorted()
    return CompileResult(source, None if sink.has_errors else spec, diagnostics, tree)


def lower_spec(tree: ast.Spec, sink: DiagnosticSink) -> ir.Spec:
    if not isinstance(tree.version, int) or tree.version < 1:
        sink.error("E0115", f"version must be a positive whole number, not {tree.version}", tree.name_span,
                   "in this header", help="write e.g. 'spec lanes version 3'")
    symbols = collect(tree, sink)
    lowerer = Lowerer(symbols, sink)
    by_kind: dict[type, list] = {}
    for decl in tree.declarations:
        by_kind.setdefault(type(decl), []).append(decl)
    classes = [c for c in (lowerer.lower_class(d) for d in by_kind.get(ast.ClassDecl, [])) if c]
    version = tree.version if isinstance(tree.version, int) else 0
    chains = RenameChains.of(by_kind.get(ast.ChangesDecl, []))
    changes = [lowerer.lower_changes(d, version, chains) for d in by_kind.get(ast.ChangesDecl, [])]
    _check_unique_changes(changes, by_kind.get(ast.ChangesDecl, []), sink)
    return ir.Spec(
        name=tree.name, version=version, doc=tree.doc,
        image_attributes=tuple(symbols.image_attributes.values()),
        enums=tuple(symbols.enums.values()),
        classes=tuple(classes),
        rules=tuple(lowerer.lower_rule(d) for d in by_kind.get(ast.RuleDecl, [])),
        quotas=tuple(lowerer.lower_quota(d) for d in by_kind.get(ast.QuotaDecl, [])),
        examples=tuple(lowerer.lower_example(d) for d in by_kind.get(ast.ExampleDecl, [])),
        changes=tuple(sorted(changes, key=lambda c: c.version)),
        source=sink.source.name,
    )


def _check_unique_changes(changes: list[ir.Changes], decls: list[ast.ChangesDecl], sink: DiagnosticSink) -> None:
    seen: set[int] = set()
    for change, decl in zip(changes, decls):
        if change.version in seen:
            sink.error("E0101", f"changes {change.version} is declared twice", decl.span, "declared again here",
                       help="merge the two blocks")
        seen.add(change.version)


def compile_file(path: str | Path) -> ir.Spec:
    """The IR of a spec file; raises :class:`SpecError` with every diagnostic."""
    return _or_raise(compile_source(read_source(str(path))))


def compile_text(text: str, name: str = "<string>") -> ir.Spec:
    return _or_raise(compile_source(Source(name, text)))


def _or_raise(result: CompileResult) -> ir.Spec:
    if result.spec is None:
        raise SpecError(result.source, result.diagnostics)
    return result.spec
