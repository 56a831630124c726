"""editors/: the TextMate grammar scopes every token the Pygments lexer knows; the VS Code manifest starts specc lsp.

The grammar is applied by a small TextMate engine (line by line; at each position the leftmost match wins,
ties go to the earlier pattern; ``begin``/``end`` rules span lines), then compared with the lexer token by
token on every spec in the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SPECS
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

from specdsl.docs.lexer import SpecLexer

EDITORS = ROOT / "editors"
GRAMMAR = json.loads((EDITORS / "specdsl.tmLanguage.json").read_text(encoding="utf-8"))
# The scope each Pygments token class must get (a prefix of one of the character's scopes).
EXPECTED = {
    Comment.Single: "comment.line",
    String.Doc: "string.quoted.triple",
    String.Double: "string.quoted.double",
    Keyword.Declaration: "keyword.declaration",
    Name.Namespace: "entity.name.namespace",
    Name.Class: "entity.name.type",
    Name.Function: "entity.name.function",
    Keyword.Constant: "constant.language.boolean",
    Operator.Word: "keyword.operator.word",
    Keyword: "keyword.other",
    Keyword.Type: "support.type",
    Name.Exception: "constant.language.severity",
    Name.Builtin: "support.function.builtin",
    Number: "constant.numeric",
    Name: "variable.other",
    Operator: "keyword.operator",
    Punctuation: "punctuation",
}
UNSCOPED = {Whitespace, Text}  # layout, and the lexer's catch-all for characters the language does not have
SPEC_FILES = sorted(SPECS.rglob("*.spec")) + sorted((ROOT / "tests").rglob("*.spec"))


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern)


class TextMate:
    """Enough of a TextMate engine for this grammar: match rules with captures, and begin/end rules."""

    def __init__(self, grammar: dict) -> None:
        self.rules = grammar["patterns"]

    def scopes(self, text: str) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in text]
        open_rule = None
        offset = 0
        for line in text.split("\n"):
            open_rule = self._line(line, offset, out, open_rule)
            offset += len(line) + 1
        return out

    def _line(self, line: str, base: int, out: list[list[str]], open_rule: dict | None) -> dict | None:
        position = 0
        while position <= len(line):
            if open_rule is not None:
                end = _compile(open_rule["end"]).search(line, position)
                inner = _leftmost(open_rule.get("patterns", []), line, position)
                if inner is not None and (end is None or inner[1].start() < end.start()):
                    stop = inner[1].end()  # an escape inside (``\"``) is consumed before the end is looked for
                    self._mark(out, base + position, base + stop, open_rule["name"])
                    self._mark(out, base + inner[1].start(), base + stop, inner[0]["name"])
                    position = stop
                    continue
                stop = end.end() if end else len(line)
                self._mark(out, base + position, base + stop, open_rule["name"])
                if end is None:
                    return open_rule
                open_rule, position = None, stop
                continue
            found = _leftmost(self.rules, line, position)
            if found is None:
                return None
            rule, match = found
            if "begin" in rule:
                self._mark(out, base + match.start(), base + match.end(), rule["name"])
                open_rule, position = rule, match.end()
                continue
            if "name" in rule:
                self._mark(out, base + match.start(), base + match.end(), rule["name"])
            for group, capture in rule.get("captures", {}).items():
                if match.group(int(group)) is not None:
                    self._mark(out, base + match.start(int(group)), base + match.end(int(group)), capture["name"])
            position = max(match.end(), position + 1)
        return None

    @staticmethod
    def _mark(out: list[list[str]], start: int, end: int, scope: str) -> None:
        for index in range(start, min(end, len(out))):
            out[index].append(scope)


def _leftmost(rules: list[dict], line: str, position: int):
    """The rule matching leftmost from ``position``; on a tie the earlier rule (TextMate's order)."""
    best = None
    for rule in rules:
        match = _compile(rule.get("match") or rule["begin"]).search(line, position)
        if match and (best is None or match.start() < best[1].start()):
            best = (rule, match)
    return best


def lexer_token_types() -> set:
    return {action for state in SpecLexer.tokens.values() for _, action, *rest in state
            for action in _actions(action)}


def _actions(action) -> list:
    if callable(action) and not hasattr(action, "split"):  # bygroups(...)
        return [t for t in action.__closure__[0].cell_contents] if action.__closure__ else []
    return [action]


def test_every_lexer_token_class_has_a_scope() -> None:
    known = lexer_token_types()
    assert known - UNSCOPED <= set(EXPECTED), known - UNSCOPED - set(EXPECTED)
    assert set(EXPECTED) <= known  # nothing expected that the lexer never produces


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_grammar_scopes_each_token_as_the_lexer_classifies_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    scopes = TextMate(GRAMMAR).scopes(text)
    offset = 0
    checked = 0
    for token, value in _tokens(text):
        if token not in UNSCOPED and value.strip():
            wanted = EXPECTED[token]
            for index in range(offset, offset + len(value)):
                if text[index] == "\n":
                    continue
                assert any(s.startswith(wanted) for s in scopes[index]), \
                    f"{path.name}: {value!r} at {offset} is {token}, scoped {scopes[index]}"
            checked += 1
        offset += len(value)
    assert checked > 20


def _tokens(text: str):
    """The lexer's tokens with their exact text (``get_tokens`` would normalise the trailing newline)."""
    for _, token, value in SpecLexer().get_tokens_unprocessed(text):
        yield token, value


def test_numbers_with_units_scope_the_unit() -> None:
    scopes = TextMate(GRAMMAR).scopes("require length >= 10px and angle(a, b) < 5deg and share(x) >= 5%")
    text = "require length >= 10px and angle(a, b) < 5deg and share(x) >= 5%"
    assert "constant.numeric.unit.specdsl" in scopes[text.index("px")]
    assert "constant.numeric.specdsl" in scopes[text.index("10")]
    assert "support.function.builtin.specdsl" in scopes[text.index("angle")]
    assert "constant.numeric.unit.specdsl" in scopes[text.index("%")]


def test_a_docstring_spans_lines() -> None:
    text = 'class a: box {\n  """\n  Draw it.\n  """\n  x: int\n}\n'
    scopes = TextMate(GRAMMAR).scopes(text)
    assert "string.quoted.triple.documentation.specdsl" in scopes[text.index("Draw")]
    assert scopes[text.index("x: int")] == ["variable.other.specdsl"]


def test_the_vs_code_manifest_starts_specc_lsp_with_this_grammar() -> None:
    manifest = json.loads((EDITORS / "package.json").read_text(encoding="utf-8"))
    language = manifest["contributes"]["languages"][0]
    grammar = manifest["contributes"]["grammars"][0]
    assert language["extensions"] == [".spec"]
    assert grammar["language"] == language["id"] == "specdsl"
    assert grammar["scopeName"] == GRAMMAR["scopeName"]
    assert (EDITORS / grammar["path"]).resolve() == (EDITORS / "specdsl.tmLanguage.json").resolve()
    assert manifest["contributes"]["configuration"]["properties"]["specdsl.server.command"]["default"] == ["specc", "lsp"]
    assert (EDITORS / manifest["main"]).exists()
    assert manifest["activationEvents"] == ["onLanguage:specdsl"]
    assert re.match(language["firstLine"], (SPECS / "lanes.spec").read_text())
    assert (EDITORS / language["configuration"]).exists()


# VS Code's own engine, when present: SPECDSL_NODE_MODULES names a node_modules folder holding vscode-textmate and
# vscode-oniguruma (``npm install vscode-textmate@9 vscode-oniguruma@2``). It must scope every character as the
# engine above does, so that the comparison with the lexer holds in the editor too.
NODE_MODULES_VARIABLE = "SPECDSL_NODE_MODULES"
VSCODE_TOKENIZER = r"""
// Tokenise files with vscode-textmate (VS Code's engine) and print, per line, "start end scopes" JSON.
const fs = require('fs');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');
const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
const grammarPath = process.argv[2];
const files = process.argv.slice(3);
oniguruma.loadWASM(wasm).then(() => {
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  return registry.loadGrammar('source.specdsl');
}).then((grammar) => {
  const out = {};
  for (const file of files) {
    let state = vsctm.INITIAL;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    out[file] = lines.map((line) => {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      return r.tokens.map((t) => [t.startIndex, t.endIndex, t.scopes]);
    });
  }
  process.stdout.write(JSON.stringify(out));
});
"""


def test_vscode_textmate_scopes_every_character_as_the_engine_here(tmp_path: Path) -> None:
    modules = os.environ.get(NODE_MODULES_VARIABLE)
    if not modules or shutil.which("node") is None:
        pytest.skip(f"set {NODE_MODULES_VARIABLE} to a node_modules with vscode-textmate and vscode-oniguruma")
    script = tmp_path / "tokenize.js"
    script.write_text(VSCODE_TOKENIZER)
    files = [str(p) for p in SPEC_FILES]
    done = subprocess.run(["node", str(script), str(EDITORS / "specdsl.tmLanguage.json"), *files], check=True,
                          capture_output=True, text=True, env={**os.environ, "NODE_PATH": modules}, timeout=120)
    tokenized = json.loads(done.stdout)
    for name in files:
        text = Path(name).read_text(encoding="utf-8")
        here = TextMate(GRAMMAR).scopes(text)
        offset = 0
        for line, tokens in zip(text.split("\n"), tokenized[name]):
            for start, end, scopes in tokens:
                for index in range(start, min(end, len(line))):
                    assert set(scopes) - {GRAMMAR["scopeName"]} == set(here[offset + index]), (name, line, index)
            offset += len(line) + 1
