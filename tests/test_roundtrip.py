"""Printer laws: print -> parse gives the AST back, fmt is idempotent, and no comment is lost or doubled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import strategies as gen
from conftest import ROOT, SPECS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.syntax import ast
from specdsl.syntax.parser import parse_text
from specdsl.syntax.printer import format_expr, format_source, format_spec, format_value

GOLDEN_INPUTS = sorted((ROOT / "tests" / "golden" / "fmt").glob("*.input.spec"))
REPO_SPECS = sorted(SPECS.glob("**/*.spec"))
LAW = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _wrap_expr(expr: ast.Expr) -> str:
    return f"spec t version 1\nquota q: info {{\n  {format_expr(expr)}\n}}\n"


@LAW
@given(gen.specs())
def test_print_then_parse_gives_the_ast_back(spec: ast.Spec) -> None:
    assert parse_text(format_spec(spec)) == spec


@LAW
@given(gen.expressions(max_leaves=16))
def test_expressions_round_trip_with_minimal_parentheses(expr: ast.Expr) -> None:
    (quota,) = parse_text(_wrap_expr(expr)).declarations
    assert quota.expr == expr


@LAW
@given(gen.values())
def test_values_round_trip(value: ast.Value) -> None:
    text = f"spec t version 1\nexample \"e\" valid {{\n  image 1 x 1 {{ v: {format_value(value)} }}\n}}\n"
    (example,) = parse_text(text).declarations
    assert example.image_fields[0].value == value


@LAW
@given(gen.specs())
def test_format_is_idempotent_on_generated_specs(spec: ast.Spec) -> None:
    once = format_spec(spec)
    assert format_source(once) == once


@pytest.mark.parametrize("path", GOLDEN_INPUTS + REPO_SPECS, ids=lambda p: p.name)
def test_format_is_idempotent_on_files(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    once = format_source(original, str(path))
    assert format_source(once, str(path)) == once
    assert parse_text(once) == parse_text(original)
    assert _comment_texts(once) == _comment_texts(original)


# ---- comments sprinkled over printed specs ------------------------------------------------------------


_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"', re.DOTALL)


def _quoted(text: str) -> set[int]:
    """Offsets inside string literals, where a '#' or a line break would change the text."""
    return {i for m in _STRINGS.finditer(text) for i in range(m.start(), m.end())}


def _sprinkle(text: str, draw, comment_texts) -> str:
    """``text`` with comments put where whitespace was: at line ends, on lines of their own, and in the
    middle of lines (which breaks declarations, expressions and example objects over several lines)."""
    quoted = _quoted(text)
    pieces, start = [], 0
    for site in [i for i, ch in enumerate(text) if ch in " \n" and i not in quoted]:
        how = draw(st.sampled_from(("keep",) * 6 + ("trailing", "own", "blank+own")))
        if how == "keep":
            continue
        pieces.append(text[start:site])
        start = site + (text[site] == " ")  # a space is replaced, a newline kept
        if how == "trailing":
            pieces.append("  " + draw(comment_texts) + "\n    ")
        else:
            pieces.append("\n" * (1 + (how == "blank+own")) + "    " + draw(comment_texts) + "\n    ")
    return "".join(pieces) + text[start:]


def _comment_texts(text: str) -> list[str]:
    return [c.text for c in parse_text(text).comments]


_COMMENT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
_COMMENTS = st.text(_COMMENT_CHARS, max_size=15).map(lambda body: ("# " + body).rstrip())


@settings(LAW, max_examples=150)
@given(gen.specs(), st.data())
def test_comments_survive_formatting(spec: ast.Spec, data: st.DataObject) -> None:
    commented = _sprinkle(format_spec(spec), data.draw, _COMMENTS)
    formatted = format_source(commented)
    assert _comment_texts(formatted) == _comment_texts(commented)
    assert parse_text(formatted) == spec
    assert format_source(formatted) == formatted
