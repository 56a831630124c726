"""The protocol side of ``specc lsp`` (pygls): documents in, diagnostics and answers out."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from specdsl import __version__
from specdsl.diagnostics import Diagnostic, Severity
from specdsl.lsp.features import complete, hover_markdown, outline, resolve
from specdsl.lsp.model import Analysis, Model, analyse
from specdsl.lsp.text import Text

SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
            Severity.NOTE: types.DiagnosticSeverity.Information}
COMPLETION_KIND = {"class": types.CompletionItemKind.Class, "attribute": types.CompletionItemKind.Field,
                   "property": types.CompletionItemKind.Property, "enum_value": types.CompletionItemKind.EnumMember,
                   "keyword": types.CompletionItemKind.Keyword}
SYMBOL_KIND = {"class": types.SymbolKind.Class, "enum": types.SymbolKind.Enum,
               "enum_value": types.SymbolKind.EnumMember,
               "attribute": types.SymbolKind.Field, "rule": types.SymbolKind.Function,
               "quota": types.SymbolKind.Constant, "variable": types.SymbolKind.Variable,
               "example": types.SymbolKind.Object, "image": types.SymbolKind.Namespace}


class SpecServer(LanguageServer):
    """Keeps, per document, the last model that parsed: completion while a line is half typed needs it."""

    def __init__(self) -> None:
        super().__init__("specc", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.models: dict[str, Model] = {}

    def refresh(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        analysis: Analysis = analyse(document.source, _name(uri))
        if analysis.model is not None:
            self.models[uri] = analysis.model
        text = Text(document.source)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[_diagnostic(d, text) for d in analysis.diagnostics]))


def _name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _range(text: Text, start: int, end: int) -> types.Range:
    return types.Range(start=types.Position(*text.position(start)), end=types.Position(*text.position(end)))


def _diagnostic(diagnostic: Diagnostic, text: Text) -> types.Diagnostic:
    span = diagnostic.primary.span
    message = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    return types.Diagnostic(range=_range(text, span.start, span.end), message=message,
                            severity=SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Error),
                            code=diagnostic.code, source="specc")


def build_server() -> SpecServer:
    server = SpecServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SpecServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SpecServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SpecServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.models.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: SpecServer, params: types.HoverParams) -> types.Hover | None:
        found = _resolve(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover_markdown(found)))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: SpecServer, params: types.DefinitionParams) -> types.Location | None:
        found = _resolve(ls, params.text_document.uri, params.position)
        if found is None or found.symbol is None:
            return None
        text = Text(ls.workspace.get_text_document(params.text_document.uri).source)
        return types.Location(uri=params.text_document.uri, range=_range(text, found.symbol.start, found.symbol.end))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", " "]))
    def completion(ls: SpecServer, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        source = ls.workspace.get_text_document(uri).source
        model = ls.models.get(uri)
        items = [] if model is None else complete(source, model, Text(source).offset(*_pos(params.position)))
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=i.label, kind=COMPLETION_KIND[i.kind], detail=i.detail) for i in items])

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: SpecServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        uri = params.text_document.uri
        model = ls.models.get(uri)
        text = Text(ls.workspace.get_text_document(uri).source)
        return [] if model is None else [_document_symbol(o, text) for o in outline(model)]

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: SpecServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        from specdsl.syntax.parser import ParseFailure
        from specdsl.syntax.printer import format_source

        source = ls.workspace.get_text_document(params.text_document.uri).source
        try:
            formatted = format_source(source, _name(params.text_document.uri))
        except ParseFailure:
            return None  # the diagnostics say why; an editor keeps the text as it is
        if formatted == source:
            return []
        text = Text(source)
        return [types.TextEdit(range=_range(text, 0, len(source)), new_text=formatted)]

    return server


def _pos(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def _resolve(ls: SpecServer, uri: str, position: types.Position):
    model = ls.models.get(uri)
    if model is None:
        return None
    source = ls.workspace.get_text_document(uri).source
    return resolve(source, model, Text(source).offset(*_pos(position)))


def _document_symbol(item, text: Text) -> types.DocumentSymbol:
    symbol = item.symbol
    return types.DocumentSymbol(
        name=symbol.name, detail=symbol.detail, kind=SYMBOL_KIND.get(symbol.kind, types.SymbolKind.Object),
        range=_range(text, symbol.full_start, symbol.full_end),
        selection_range=_range(text, symbol.start, symbol.end),
        children=[_document_symbol(child, text) for child in item.children])


def serve() -> None:
    build_server().start_io()
