"""``fix`` lines in the language: parsing, printing (``specc fmt``), the IR, and what they do not change."""

from __future__ import annotations

import pytest
from conftest import SPECS, run_specc

from specdsl import ir
from specdsl.codes import explain_code
from specdsl.compiler import compile_text
from specdsl.syntax import ast
from specdsl.syntax.parser import parse_text
from specdsl.syntax.printer import format_source

SPEC = '''spec t version 1

enum Color {
  white
  orange
}

class lane_line: polyline {
  color: Color
  overridden: bool = false
  require length >= 10  "short"  # why
  fix delete  # noise
  require inside_image
  fix unsafe clip
  require named: points >= 2
  fix set overridden = true
}

rule near: error {
  for o in lane_line where o.color == orange
  for w in lane_line where w.color == white and distance(o, w) < 8
  require w.overridden
  # the white one
  fix set w.overridden = true
}

rule dashes: warning {
  for a in lane_line
  for b in lane_line where a != b and endpoint_gap(a, b) < 40
  require false
  fix unsafe join a, b
}
'''


def test_fix_lines_parse_into_the_ast() -> None:
    spec = parse_text(SPEC)
    cls = spec.declarations[1]
    fixes = [r.fix for r in cls.requires]
    assert [(f.action, f.targets, f.unsafe) for f in fixes] == [("delete", (), False), ("clip", (), True),
                                                               ("set", (), False)]
    assert fixes[2].attribute == "overridden"
    assert fixes[2].value == ast.Bool(value=True)
    near, dashes = spec.declarations[2:]
    assert (near.fix.action, near.fix.targets, near.fix.attribute) == ("set", ("w",), "overridden")
    assert (dashes.fix.action, dashes.fix.targets, dashes.fix.unsafe) == ("join", ("a", "b"), True)
    # the fix has its own span, not part of the require's: a diagnostic on the require does not underline it
    assert cls.requires[0].span.end < fixes[0].span.start
    assert SPEC[fixes[0].span.start:fixes[0].span.end] == "fix delete"


def test_printing_keeps_fixes_and_their_comments_and_is_stable() -> None:
    assert format_source(SPEC) == SPEC
    assert format_source(SPEC.replace("  fix delete  # noise", "      fix   delete # noise")) == SPEC


def test_fixes_in_the_ir() -> None:
    spec = compile_text(SPEC)
    constraints = spec.classes[0].constraints
    assert [c.fix.text for c in constraints] == ["delete", "unsafe clip", "set overridden = true"]
    assert spec.rules[0].fix == ir.Fix("set", ("w",), "overridden", True, False, "set w.overridden = true")
    assert {str(k): v.text for k, v in spec.fixes().items()} == {
        "lane_line.require.1": "delete", "lane_line.require.2": "unsafe clip", "lane_line.named": "set overridden = true",
        "near": "set w.overridden = true", "dashes": "unsafe join a, b"}


def test_a_fix_changes_no_check_and_no_diff(tmp_path) -> None:
    without = "\n".join(line for line in SPEC.splitlines() if not line.strip().startswith("fix"))
    assert compile_text(without).check_ids() == compile_text(SPEC).check_ids()
    assert compile_text(without) == compile_text(SPEC)  # a fix is not part of what a check means
    old, new = tmp_path / "old.spec", tmp_path / "new.spec"
    old.write_text(without)
    new.write_text(SPEC)
    result = run_specc("diff", old, new, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"changes": []' in result.stdout.replace(" ", "").replace('"changes":[]', '"changes": []')


def test_fix_must_follow_a_require() -> None:
    with pytest.raises(Exception, match="fix"):
        compile_text("spec t version 1\nrule r: info {\n  for a in x\n  fix delete a\n}\n")


@pytest.mark.parametrize("code", ["E0160", "E0161", "E0162", "E0163", "E0164"])
def test_every_fix_code_is_explained(code: str) -> None:
    assert explain_code(code).startswith(f"{code}: ")
    assert run_specc("explain", code).returncode == 0


def test_lanes_spec_declares_its_fixes() -> None:
    spec = compile_text((SPECS / "lanes.spec").read_text(encoding="utf-8"))
    assert sorted(f.text for f in spec.fixes().values()) == ["clip", "delete", "join a, b", "set w.overridden = true",
                                                             "unsafe delete"]
    formatted = format_source((SPECS / "lanes.spec").read_text(encoding="utf-8"))
    assert compile_text(formatted).fixes() == spec.fixes()
