"""Diagnostics as data, and their rendering.

A diagnostic is a code, a severity, a one-line message, a primary labelled span,
optional secondary spans, notes and a help line. Stages collect them and return
them; :class:`SpecError` carries them out of the public API. Rendering is a
separate function, rustc style: ``path:line:col``, the source line, a caret.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from specdsl.source import Source, Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    message: str = ""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    primary: Label
    secondary: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class SpecError(Exception):
    """Raised by the public API when a spec does not compile; carries every diagnostic."""

    def __init__(self, source: Source, diagnostics: Iterable[Diagnostic]):
        self.source = source
        self.diagnostics = tuple(diagnostics)
        super().__init__(render_all(source, self.diagnostics))


@dataclass
class DiagnosticSink:
    """Collects diagnostics of one compilation so that every error is reported, not only the first."""

    source: Source
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span, label: str = "", *, help: str | None = None,
              secondary: tuple[Label, ...] = (), notes: tuple[str, ...] = ()) -> None:
        self.items.append(Diagnostic(code, Severity.ERROR, message, Label(span, label), secondary, notes, help))

    def warning(self, code: str, message: str, span: Span, label: str = "", *, help: str | None = None) -> None:
        self.items.append(Diagnostic(code, Severity.WARNING, message, Label(span, label), help=help))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> tuple[Diagnostic, ...]:
        return tuple(sorted(self.items, key=lambda d: (d.primary.span.start, d.code)))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean 'orange'?`` for the closest candidate, case-insensitively first."""
    pool = sorted(set(candidates))
    for candidate in pool:
        if candidate.lower() == name.lower() and candidate != name:
            return f"did you mean '{candidate}'?"
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def render(source: Source, diag: Diagnostic) -> str:
    """One diagnostic as text: header, location, the source line, a caret under the span."""
    span = diag.primary.span
    gutter = " " * len(str(span.end_line))
    lines = [f"{diag.severity.value}[{diag.code}]: {diag.message}", f"{gutter}--> {source.location(span)}"]
    lines.append(f"{gutter} |")
    lines += _snippet(source, diag.primary, gutter, "^")
    for label in diag.secondary:
        lines += _snippet(source, label, gutter, "-")
    lines.append(f"{gutter} |")
    lines += [f"{gutter} = note: {note}" for note in diag.notes]
    if diag.help:
        lines.append(f"{gutter} = help: {diag.help}")
    return "\n".join(lines)


def _snippet(source: Source, label: Label, gutter: str, mark: str) -> list[str]:
    span = label.span
    text = source.line_text(span.line)
    end_col = span.end_column if span.end_line == span.line else len(text) + 1
    width = max(1, end_col - span.column)
    number = str(span.line).rjust(len(gutter))
    pointer = " " * (span.column - 1) + mark * width
    suffix = f" {label.message}" if label.message else ""
    return [f"{number} | {text}", f"{gutter} | {pointer}{suffix}"]


def render_all(source: Source, diagnostics: Iterable[Diagnostic]) -> str:
    diagnostics = tuple(diagnostics)
    body = "\n\n".join(render(source, d) for d in diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    if errors:
        body += f"\n\nerror: could not compile {source.name} ({errors} error{'s' if errors != 1 else ''})"
    return body


def to_json(source: Source, diag: Diagnostic) -> dict:
    """The machine form of a diagnostic (used by ``--format json`` and SARIF)."""
    def label(lbl: Label) -> dict:
        s = lbl.span
        return {"file": source.name, "line": s.line, "column": s.column, "end_line": s.end_line,
                "end_column": s.end_column, "label": lbl.message}

    return {"code": diag.code, "severity": diag.severity.value, "message": diag.message,
            "location": f"{source.location(diag.primary.span)}", "primary": label(diag.primary),
            "secondary": [label(s) for s in diag.secondary], "notes": list(diag.notes), "help": diag.help}
