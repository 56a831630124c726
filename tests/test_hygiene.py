"""The test suite keeps its own rules (issue 9): one way to run `specc` and git in a process (conftest's
``run_specc`` and ``git``), no ``A and B or C`` asserts (precedence hides which case failed), no placeholder
skips, and one golden-update switch (``SPECDSL_UPDATE_GOLDEN``, read only by conftest)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MODULES = sorted(p for p in TESTS.glob("*.py") if p.name != "conftest.py")
# One-shot runs, which run_specc covers; a ``Popen`` the test talks to while it runs (the language server
# over stdio) is a session, not a run, and stays the test's own.
PROCESS_CALLS = {"run", "check_output", "check_call", "call"}
# A run that needs its own process on purpose says so on the call's line (e.g. measuring its peak memory).
OWN_PROCESS = "# own process:"
PLACEHOLDER_WORDS = ("not written", "not yet", "todo", "fixme")
GOLDEN_SWITCH = "_".join(("UPDATE", "GOLDEN"))  # spelt apart so this file does not match itself


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _process_argv(call: ast.Call) -> list[str]:
    """The literal strings of the argument list of a ``subprocess.run([...])``-like call."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in PROCESS_CALLS and call.args):
        return []
    first = call.args[0]
    items = first.elts if isinstance(first, (ast.List, ast.Tuple)) else []
    return [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_specc_and_git_run_through_the_conftest_helpers(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    own = [(node.lineno, argv[0] if argv[0] == "git" else "specdsl.cli.main")
           for node in ast.walk(_tree(path)) if isinstance(node, ast.Call)
           for argv in [_process_argv(node)] if argv and (argv[0] == "git" or "specdsl.cli.main" in argv)
           and OWN_PROCESS not in lines[node.lineno - 1]]
    assert own == [], f"{path.name}: use conftest.run_specc / conftest.git instead of {own}"


def _and_inside_or(test: ast.expr) -> bool:
    return any(isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
               and any(isinstance(v, ast.BoolOp) and isinstance(v.op, ast.And) for v in node.values)
               for node in ast.walk(test))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_and_or_asserts(path: Path) -> None:
    lines = [node.lineno for node in ast.walk(_tree(path)) if isinstance(node, ast.Assert) and _and_inside_or(node.test)]
    assert lines == [], f"{path.name}: split `A and B or C` asserts at lines {lines}"


def _skip_reasons(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("skip", "skipif", "xfail"):
            texts = [a for a in [*node.args, *(k.value for k in node.keywords)] if isinstance(a, ast.Constant)]
            found += [(node.lineno, t.value) for t in texts if isinstance(t.value, str)]
    return found


@pytest.mark.parametrize("path", [*MODULES, TESTS / "conftest.py"], ids=lambda p: p.name)
def test_no_placeholder_skips(path: Path) -> None:
    placeholders = [(line, text) for line, text in _skip_reasons(_tree(path))
                    if any(word in text.lower() for word in PLACEHOLDER_WORDS)]
    assert placeholders == [], f"{path.name}: a skip is not a test: {placeholders}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_conftest_reads_the_golden_switch(path: Path) -> None:
    tree = _tree(path)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    switches = [node.lineno for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and GOLDEN_SWITCH in node.value.upper().replace("-", "_")]
    assert switches == [], f"{path.name}: use conftest's golden helper, not an own switch (lines {switches})"
