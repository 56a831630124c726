"""The Pygments lexer of the spec language, as a library and through ``pygmentize``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name, guess_lexer
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from specdsl.docs.lexer import SpecLexer

ROOT = Path(__file__).resolve().parents[1]
SPEC_FILES = sorted((ROOT / "specs").rglob("*.spec"))


def tokens(text: str) -> list[tuple]:
    return [(t, v) for t, v in SpecLexer().get_tokens(text) if v.strip()]


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_every_shipped_spec_lexes_without_errors(path):
    text = path.read_text()
    lexed = list(SpecLexer(stripnl=False).get_tokens(text))
    assert not [v for t, v in lexed if t in Error]
    assert "".join(v for _, v in lexed) == (text if text.endswith("\n") else text + "\n")  # nothing lost


def test_tokens_of_each_form():
    got = tokens('spec lanes version 3\n# note\nclass lane_line: polyline {\n  """Doc."""\n'
                 '  color: LaneColor = white "why"\n  require length >= 10px and not inside_image\n}\n'
                 "rule r: error { for a in x where count(x) > 1 }\n")
    assert (Keyword.Declaration, "spec") in got
    assert (Name.Namespace, "lanes") in got
    assert (Comment.Single, "# note") in got
    assert (Name.Class, "lane_line") in got
    assert (Keyword.Type, "polyline") in got
    assert (String.Doc, '"""Doc."""') in got
    assert (String.Double, '"why"') in got
    assert (Number, "10px") in got
    assert (Operator, ">=") in got
    assert (Operator.Word, "and") in got
    assert (Operator.Word, "not") in got
    assert (Name.Function, "r") in got
    assert (Name.Exception, "error") in got
    assert (Name.Builtin, "count") in got
    assert (Name, "color") in got  # attribute names and enum values stay plain names


def test_builtin_names_are_only_functions_when_called():
    got = tokens("require count >= 1")
    assert (Name, "count") in got
    assert not [t for t, v in got if t is Name.Builtin]


def test_lexer_is_registered_with_pygments():
    assert isinstance(get_lexer_by_name("specdsl"), SpecLexer)
    assert find_lexer_class_for_filename("lanes.spec", "spec lanes version 1\n") is SpecLexer
    assert isinstance(guess_lexer((ROOT / "specs" / "lanes.spec").read_text()), SpecLexer)


def _pygmentize() -> list[str]:
    """``pygmentize`` as a module, so it runs whatever scripts directory the venv has."""
    return [sys.executable, "-m", "pygments"]


def test_pygmentize_highlights_a_spec_file():
    proc = subprocess.run([*_pygmentize(), "-l", "specdsl", "-f", "html", str(ROOT / "specs" / "lanes.spec")],
                          capture_output=True, text=True, check=True)
    assert '<span class="kd">class</span>' in proc.stdout
    assert '<span class="nc">lane_line</span>' in proc.stdout
    proc = subprocess.run([*_pygmentize(), "-N", "lanes.spec"], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "specdsl"
