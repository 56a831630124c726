"""Never crash: any text either compiles or gets diagnostics located inside it.

Inputs come from the grammar itself (``hypothesis.extra.lark``, tokens glued together or spaced apart)
and from valid specs with characters deleted, inserted or duplicated. ``_compile_or_diagnose`` is the
single fuzz target: it compiles and, when that succeeds, checks the spec's own examples.
"""

from __future__ import annotations

from pathlib import Path

import strategies as gen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark
from lark.lexer import PatternStr

from specdsl.compiler import compile_source
from specdsl.diagnostics import Diagnostic, render_all
from specdsl.report.finding import KINDS
from specdsl.source import Source, Span
from specdsl.syntax.parser import grammar_text, parse
from specdsl.syntax.printer import doc_lines, format_source, format_spec, normalize_newlines, quote
from specdsl.validate import check_example

GOLDEN = Path(__file__).parent / "golden" / "fmt"
SEEDS = tuple(p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.input.spec")))
# A grammar object of its own: from_lark needs the grammar, which a parser loaded from lark's cache lacks.
GRAMMAR = Lark(grammar_text(), parser="lalr", start=["start", "items"])
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.filter_too_much])


def _compile_or_diagnose(text: str) -> tuple[object | None, tuple[Diagnostic, ...]]:
    """The fuzz target: the compiled spec with its examples checked, or the diagnostics saying why not."""
    result = compile_source(Source("<fuzz>", text))
    if result.spec is not None:
        for example in result.spec.examples:
            assert all(f.kind in KINDS for f in check_example(result.spec, example))
    return result.spec, result.diagnostics


def _assert_inside(source: Source, span: Span) -> None:
    assert 0 <= span.start <= span.end <= len(source.text), span
    assert (span.line, span.column) == source.position(span.start), span
    assert (span.end_line, span.end_column) == source.position(span.end), span


def _never_crashes(text: str) -> object | None:
    result, diagnostics = _compile_or_diagnose(text)
    source = Source("<fuzz>", text)
    assert result is not None or any(d.is_error for d in diagnostics)
    for diagnostic in diagnostics:
        for label in (diagnostic.primary, *diagnostic.secondary):
            _assert_inside(source, label.span)
    assert isinstance(render_all(source, diagnostics), str)
    return result


def _formats_cleanly(text: str) -> None:
    """What parses also formats, idempotently, keeping its meaning and its comments."""
    spec = parse(Source("<fuzz>", normalize_newlines(text)))
    once = format_source(text)
    again = parse(Source("<fmt>", once))
    assert again == spec
    assert [c.text for c in again.comments] == [c.text for c in spec.comments]
    assert format_source(once) == once


# ---- text from the grammar --------------------------------------------------------------------------


def _spaced_terminals() -> dict[str, st.SearchStrategy[str]]:
    """Every token with blanks around it, so that most generated texts lex as intended."""
    explicit: dict[str, st.SearchStrategy[str]] = {
        "NAME": gen.names(), "COMMENT": st.just("# comment\n"), "WS": st.sampled_from((" ", "\n", "\t")),
        "STRING": gen.texts(8).map(quote), "DOCSTRING": gen.docs(2).map(lambda d: "\n".join(doc_lines(d))),
    }
    for terminal in GRAMMAR.terminals:
        if isinstance(terminal.pattern, PatternStr):
            explicit[terminal.name] = st.just(terminal.pattern.value)
    return {name: strategy.map(lambda token: f" {token} ") for name, strategy in explicit.items()}


@FUZZ
@given(from_lark(GRAMMAR, start="start"))
def test_grammar_text_with_glued_tokens(text: str) -> None:
    _never_crashes(text)


@FUZZ
@given(from_lark(GRAMMAR, start="start", explicit=_spaced_terminals()))
def test_grammar_text_with_spaced_tokens(text: str) -> None:
    if _never_crashes(text) is not None:
        _formats_cleanly(text)


# ---- mutated specs ----------------------------------------------------------------------------------

_NOISE = ('"', '"""', "{", "}", "(", ")", "[", "]", "#", "\n", ".", "..", "-", "->", ",", ":", "=", "?", "\\",
          "require ", "for ", " where ", "image", " x ", "0", "1.5e", "%", "px", "\t", "\r", "\x00", "é",
          "not ")


_VALID_TEXTS = st.one_of(st.sampled_from(SEEDS), gen.specs(max_declarations=3).map(format_spec))


@st.composite
def mutated_specs(draw) -> str:
    text = draw(_VALID_TEXTS)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("delete", "insert", "duplicate")))
        if edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif edit == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(_NOISE), st.characters())) + text[at:]
        else:
            text = text[:at] + text[at:at + draw(st.integers(1, 40))] + text[at:]
    return text


@FUZZ
@given(mutated_specs())
def test_mutated_specs(text: str) -> None:
    if _never_crashes(text) is not None:
        _formats_cleanly(text)


def test_empty_and_tiny_inputs() -> None:
    for text in ("", " ", "\n", "#", '"', '"""', "spec", "spec a version", "spec a version 1", "}", "\x00"):
        _never_crashes(text)
