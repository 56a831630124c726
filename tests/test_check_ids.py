"""Check names that stay put: CheckId, named constraints, baselines that survive inserted requires and
renamed exports, symmetric pair rules reported once, and the typed contracts between stages."""

from __future__ import annotations

import ast as pyast
import dataclasses
import json
from pathlib import Path

import pytest
from conftest import ROOT, SPECS, run_specc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl import ir
from specdsl.check_id import CheckId, CheckIdError
from specdsl.compiler import compile_text
from specdsl.compiler.builtins import PAIR_FUNCTIONS
from specdsl.compiler.symmetry import unordered_pair
from specdsl.data.build import build_dataset
from specdsl.data.records import ImageRecord
from specdsl.diagnostics import SpecError
from specdsl.docs import render_docs
from specdsl.docs.anchors import anchor_for_check, page_ids
from specdsl.report.finding import Finding
from specdsl.syntax import ast
from specdsl.syntax.parser import parse_text
from specdsl.syntax.printer import format_source
from specdsl.validate import run_checks

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n != "require")

LANE_SPEC = """spec t version 1
class lane: polyline {
  color: enum { white, yellow } = white
  require min_points: points >= 2  "A lane needs two points."
  require length >= 10
}
example "short" invalid lane.min_points { image 100 x 100 lane { points: [(1, 1)] } }
"""


def _findings(spec: ir.Spec, images: list[dict]):
    records = [ImageRecord(img, "mem.json", f"/images/{k}") for k, img in enumerate(images)]
    return run_checks(spec, build_dataset(records, "mem.json"))


def _lane(oid: str, points, **attributes) -> dict:
    return {"id": oid, "class": "lane", "points": points, "attributes": attributes}


def _errors(text: str) -> list:
    with pytest.raises(SpecError) as info:
        compile_text(text)
    return info.value.diagnostics


# ---- CheckId ---------------------------------------------------------------------------------------------


@given(st.one_of(
    st.builds(CheckId.attribute, NAMES, NAMES),
    st.builds(CheckId.constraint, NAMES, st.integers(1, 99)),
    st.builds(CheckId.rule, NAMES),
    st.just(CheckId.schema()),
))
def test_the_wire_form_parses_back(check: CheckId) -> None:
    assert CheckId.parse(str(check)) == check


@given(st.one_of(
    st.builds(CheckId.attribute, NAMES, NAMES), st.builds(CheckId.constraint, NAMES, st.integers(1, 99), NAMES),
    st.builds(CheckId.rule, NAMES), st.builds(CheckId.quota, NAMES), st.just(CheckId.schema()),
))
def test_a_finding_read_back_from_a_file_keeps_its_baseline_key(check: CheckId) -> None:
    live = Finding(check=str(check), kind=check.kind, severity="error", image="i", objects=(), message="",
                   source="", pointer="", spec_location="", check_id=check)
    assert dataclasses.replace(live, check_id=None).check_key() == live.check_key()


@pytest.mark.parametrize("text", ["", "a.b.c", "a.require.x", "1abc", "a b"])
def test_not_a_check_name(text: str) -> None:
    with pytest.raises(CheckIdError):
        CheckId.parse(text)


def test_an_unnamed_constraint_is_remembered_by_its_expression_a_named_one_by_its_name() -> None:
    first = CheckId.constraint("lane", 1, expr_key="points >= 2")
    moved = CheckId.constraint("lane", 3, expr_key="points >= 2")
    assert first != moved
    assert first.fingerprint == moved.fingerprint
    assert CheckId.constraint("lane", 1, expr_key="length >= 10").fingerprint != first.fingerprint
    named = CheckId.constraint("lane", 1, "min_points", "points >= 2")
    assert named == CheckId.constraint("lane", 4, "min_points", "points >= 3")
    assert str(named) == "lane.min_points"
    assert named.anchor == "class-lane-require-min_points"


# ---- named constraints ----------------------------------------------------------------------------------


def test_a_named_constraint_fires_as_class_dot_name() -> None:
    spec = compile_text(LANE_SPEC)
    assert [str(c.check) for c in spec.classes[0].constraints] == ["lane.min_points", "lane.require.2"]
    found = _findings(spec, [{"id": "i", "width": 100, "height": 100, "objects": [_lane("o1", [[1, 1]])]}])
    by_check = {f.check: f for f in found}
    assert set(by_check) == {"lane.min_points", "lane.require.2"}
    assert by_check["lane.min_points"].help == "#class-lane-require-min_points"
    assert by_check["lane.min_points"].message == "A lane needs two points."


def test_named_constraints_survive_fmt_and_link_into_the_docs() -> None:
    formatted = format_source(LANE_SPEC)
    assert 'require min_points: points >= 2  "A lane needs two points."' in formatted
    assert parse_text(formatted) == parse_text(LANE_SPEC)
    spec = compile_text(LANE_SPEC)
    html = render_docs(spec)
    for check in spec.check_ids():
        anchor = anchor_for_check(check, spec)
        assert anchor[1:] in page_ids(spec)
        assert f'id="{anchor[1:]}"' in html


def test_an_example_names_a_named_constraint(tmp_path: Path) -> None:
    path = tmp_path / "t.spec"
    path.write_text(LANE_SPEC)
    proc = run_specc("test", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_an_example_naming_an_unknown_constraint_gets_a_suggestion() -> None:
    (error,) = _errors(LANE_SPEC.replace("invalid lane.min_points", "invalid lane.min_point"))
    assert error.code == "E0116"
    assert "did you mean 'lane.min_points'" in (error.help or "")


def test_duplicate_constraint_names_and_names_of_attributes_are_located_errors() -> None:
    text = LANE_SPEC.replace("require length >= 10", "require min_points: length >= 10\n  require color: points > 1")
    errors = _errors(text)
    assert [e.code for e in errors] == ["E0101", "E0101"]
    assert "declared twice" in errors[0].message
    assert errors[0].primary.span.line == 5
    assert errors[0].secondary[0].span.line == 4
    assert "name of an attribute" in errors[1].message
    assert errors[1].primary.span.line == 6


# ---- baselines -----------------------------------------------------------------------------------------

BASE_SPEC = """spec b version 1
class lane: polyline {
  color: enum { white, yellow }
  require length >= 10
  require points <= 3
}
"""
EXPORT = {"spec": "b", "images": [{"id": "i1", "width": 100, "height": 100, "objects": [
    {"id": "short", "class": "lane", "points": [[0, 0], [0, 5]], "attributes": {"color": "white"}},
    {"id": "busy", "class": "lane", "points": [[0, 0], [0, 20], [0, 30], [0, 40]],
     "attributes": {"color": "white"}}]}]}


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _baseline_run(tmp_path: Path, old_spec: str, new_spec: str, export_name: str = "export.json"):
    spec_path = _write(tmp_path, "spec.spec", old_spec)
    export = _write(tmp_path, "project-1-at-2026-11-25.json", json.dumps(EXPORT))
    baseline = str(tmp_path / "baseline.json")
    wrote = run_specc("check", spec_path, export, "--write-baseline", baseline)
    _write(tmp_path, "spec.spec", new_spec)
    renamed = _write(tmp_path, export_name, json.dumps(EXPORT))
    return wrote, run_specc("check", spec_path, renamed, "--baseline", baseline, "--format", "json")


def test_write_baseline_says_what_it_wrote_and_exits_0(tmp_path: Path) -> None:
    wrote, _ = _baseline_run(tmp_path, BASE_SPEC, BASE_SPEC)
    assert wrote.returncode == 0, wrote.stderr
    assert f"wrote 2 findings to {tmp_path / 'baseline.json'}" in wrote.stderr
    assert not list(tmp_path.glob("*.partial"))


def test_a_renamed_export_keeps_its_baseline(tmp_path: Path) -> None:
    _, checked = _baseline_run(tmp_path, BASE_SPEC, BASE_SPEC, export_name="project-1-at-2026-12-02.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["findings"] == []


@pytest.mark.parametrize("new_spec", [
    BASE_SPEC.replace("  require length >= 10", "  require points >= 1\n  require length >= 10"),
    BASE_SPEC.replace("  require length >= 10\n  require points <= 3", "  require points <= 3\n  require length >= 10"),
], ids=["inserted", "reordered"])
def test_inserting_or_reordering_requires_keeps_the_baseline(tmp_path: Path, new_spec: str) -> None:
    _, checked = _baseline_run(tmp_path, BASE_SPEC, new_spec)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["findings"] == []


def test_a_renamed_unnamed_check_moves_but_a_named_one_keeps_its_name(tmp_path: Path) -> None:
    named = BASE_SPEC.replace("require length >= 10", "require long_enough: length >= 10")
    moved = named.replace("  require long_enough: length >= 10\n  require points <= 3",
                          "  require points >= 1\n  require points <= 3\n  require long_enough: length >= 12")
    _, checked = _baseline_run(tmp_path, named, moved)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # a named check is its name, even reworded


def test_a_changed_expression_is_a_new_check(tmp_path: Path) -> None:
    _, checked = _baseline_run(tmp_path, BASE_SPEC, BASE_SPEC.replace("length >= 10", "length >= 11"))
    assert checked.returncode == 1
    assert [f["check"] for f in json.loads(checked.stdout)["findings"]] == ["lane.require.1"]


def test_a_format_1_baseline_is_still_read(tmp_path: Path) -> None:
    spec_path = _write(tmp_path, "spec.spec", BASE_SPEC)
    export = _write(tmp_path, "export.json", json.dumps(EXPORT))
    legacy = {"specc_baseline": 1, "spec": "b", "findings": [
        {"fingerprint": "0" * 64, "count": 1, "check": "lane.require.1", "image": "i1", "objects": ["short"],
         "source": "old-name.json"}]}
    baseline = _write(tmp_path, "old.json", json.dumps(legacy))
    checked = run_specc("check", spec_path, export, "--baseline", baseline, "--format", "json")
    assert [f["check"] for f in json.loads(checked.stdout)["findings"]] == ["lane.require.2"]


# ---- symmetric pair rules -----------------------------------------------------------------------------


def test_the_flagship_dashed_rule_reports_each_pair_once() -> None:
    proc = run_specc("check", str(SPECS / "lanes.spec"), str(SPECS / "examples" / "lanes.json"), "--format", "json")
    dashed = [f for f in json.loads(proc.stdout)["findings"] if f["check"] == "dashed_is_one_line"]
    images = json.loads((SPECS / "examples" / "lanes.json").read_text())["images"]
    order = {o["id"]: k for img in images for k, o in enumerate(img["objects"])}
    assert len(dashed) == 1
    assert [order[o] for o in dashed[0]["objects"]] == sorted(order[o] for o in dashed[0]["objects"])


def _rule(text: str) -> ir.Rule:
    spec = compile_text("spec s version 1\nclass lane: polyline { color: enum { white, yellow } }\n"
                        "class car: box { }\n" + text)
    return spec.rules[0]


@pytest.mark.parametrize(("rule", "pair"), [
    ("for a in lane for b in lane where a != b and endpoint_gap(a, b) < 40 and angle(a, b) < 5 require false",
     ("a", "b")),
    ("for a in lane where a.color == white for b in lane where b.color == white and distance(b, a) < 8 "
     "require a.color == b.color", ("a", "b")),
    ("for a in lane for b in lane require not intersects(a, b) or a.length + b.length > 10", ("a", "b")),
    ("for a in lane for b in lane where a.length > b.length require false", None),
    ("for a in car for b in car require not contains(a, b)", None),
    ("for o in lane where o.color == yellow for w in lane where w.color == white and distance(o, w) < 8 "
     "require false", None),
    ("for a in lane for c in car require false", None),
    ("for a in lane for b in lane where a.id < b.id require false", None),
])
def test_symmetry_is_decided_on_the_ir(rule: str, pair) -> None:
    assert _rule(f"rule r: warning {{ {rule} }}").unordered == pair


def test_a_non_symmetric_rule_still_reports_ordered_pairs() -> None:
    spec = compile_text("spec s version 1\nclass lane: polyline { }\n"
                        "rule longer: warning { for a in lane for b in lane require a.length > b.length }")
    image = {"id": "i", "width": 100, "height": 100,
             "objects": [_lane("long", [[0, 0], [0, 50]]), _lane("short", [[5, 0], [5, 10]])]}
    assert [f.objects for f in _findings(spec, [image])] == [("short", "long")]


def test_ids_order_as_strings_and_other_strings_do_not() -> None:
    spec = compile_text("spec s version 1\nclass lane: polyline { }\n"
                        "rule once: warning { for a in lane for b in lane where a.id < b.id require false }")
    image = {"id": "i", "objects": [_lane("9", [[0, 0], [0, 5]]), _lane("10", [[0, 0], [0, 9]])]}
    assert [f.objects for f in _findings(spec, [image])] == [("10", "9")]  # "10" < "9" as strings
    (error,) = _errors("spec s version 1\nclass lane: polyline { c: string }\n"
                       "rule r: warning { for a in lane for b in lane where a.c < b.c require false }")
    assert error.code == "E0107"
    assert "object ids" in error.message


PAIR_SPEC = """spec s version 1
class lane: polyline {{ style: enum {{ solid, dashed }} }}
rule {name}: warning {{
  for a in lane where a.style == dashed
  for b in lane where b.style == dashed and a != b and endpoint_gap(a, b) < 30 and angle(a, b) < 20{extra}
  require false
}}
"""
SYMMETRIC = compile_text(PAIR_SPEC.format(name="pairs", extra=""))
ORDERED = compile_text(PAIR_SPEC.format(name="pairs", extra=' and a.id != ""'))  # reads a alone: not symmetric

_coord = st.integers(0, 60)
_lanes = st.lists(st.tuples(_coord, _coord, _coord, _coord, st.sampled_from(["solid", "dashed"])), max_size=9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_lanes, min_size=1, max_size=3))
def test_a_symmetric_rule_reports_the_unordered_set_of_its_ordered_findings(images) -> None:
    assert SYMMETRIC.rules[0].unordered == ("a", "b")
    assert ORDERED.rules[0].unordered is None
    export = [{"id": f"img{i}", "width": 100, "height": 100, "objects": [
        _lane(f"o{k}", [[x0, y0], [x1, y1]], style=style) for k, (x0, y0, x1, y1, style) in enumerate(lanes)]}
        for i, lanes in enumerate(images)]
    once = [(f.image, f.objects) for f in _findings(SYMMETRIC, export)]
    ordered = [(f.image, f.objects) for f in _findings(ORDERED, export)]
    assert len(ordered) == 2 * len(once)
    assert {(i, frozenset(o)) for i, o in once} == {(i, frozenset(o)) for i, o in ordered}
    assert all(int(a[1:]) < int(b[1:]) for _, (a, b) in once)  # in export order


# ---- typed contracts between stages -------------------------------------------------------------------


def _imports(package: str) -> set[str]:
    found = set()
    for path in (ROOT / "specdsl" / package).rglob("*.py"):
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, pyast.Import):
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("package", ["validate", "configs"])
def test_back_ends_read_the_ir_not_the_docs(package: str) -> None:
    assert not {m for m in _imports(package) if m.startswith("specdsl.docs")}


def _subclasses(base: type) -> set[type]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_expression_kind_has_exactly_one_handler_in_each_dispatcher() -> None:
    from specdsl.compiler.typecheck import HANDLERS
    from specdsl.validate.evaluate import _EVALUATORS, PAIR_EVALUATORS

    assert set(HANDLERS) == _subclasses(ast.Expr) | {ast.ListValue, ast.PairValue}
    assert set(_EVALUATORS) == _subclasses(ir.Expr)
    assert set(PAIR_EVALUATORS) == set(PAIR_FUNCTIONS)


def test_every_built_in_property_has_exactly_one_handler() -> None:
    from specdsl.compiler.builtins import PROPERTIES
    from specdsl.validate.view import ClassView

    declared = {(g, p.name) for g, props in PROPERTIES.items() for p in props if p.name != "inside_image"}
    handlers = {tuple(name[1:].split("_", 1)) for name in dir(ClassView)
                if name.startswith("_") and name[1:].split("_", 1)[0] in ir.GEOMETRIES and "_" in name[1:]}
    assert handlers == declared


SAMPLES: dict[type, ast.Expr] = {
    ast.Number: ast.Number(value=1), ast.String: ast.String(value="s"), ast.Bool: ast.Bool(value=True),
    ast.Name: ast.Name(name="n"), ast.ImageRef: ast.ImageRef(),
    ast.Member: ast.Member(obj=ast.Name(name="a"), name="b"),
    ast.ClassFilter: ast.ClassFilter(class_name="c", where=None),
    ast.Call: ast.Call(func="count", args=(ast.Name(name="c"),)),
    ast.Compare: ast.Compare(op="<", left=ast.Name(name="a"), right=ast.Number(value=1)),
    ast.InSet: ast.InSet(operand=ast.Name(name="a"), values=(ast.Name(name="b"),)),
    ast.BoolOp: ast.BoolOp(op="and", operands=(ast.Bool(value=True), ast.Bool(value=False))),
    ast.Not: ast.Not(operand=ast.Bool(value=True)),
    ast.Arith: ast.Arith(op="+", left=ast.Number(value=1), right=ast.Number(value=2)),
    ast.Neg: ast.Neg(operand=ast.Name(name="a")),
}


def test_the_printer_prints_every_expression_kind() -> None:
    from specdsl.syntax.node_text import format_expr

    assert set(SAMPLES) == _subclasses(ast.Expr)
    for kind, sample in SAMPLES.items():
        assert format_expr(sample), kind


EVERYTHING = ROOT / "tests" / "golden" / "compile" / "valid_everything.spec"


def _nodes(node):
    if isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, ast.Node):
        yield node
        for f in dataclasses.fields(node):
            if f.name != "comments":
                yield from _nodes(getattr(node, f.name))


def _unset_spans(node: ast.Node) -> list[str]:
    """The spans of ``node`` that are empty although what they locate was written."""
    absent = {"doc_span": getattr(node, "doc", None) is None, "name_span": isinstance(node, ast.Require)
              and node.name is None or isinstance(node, ast.ClassFilter) and node.class_name is None}
    return [f.name for f in dataclasses.fields(node) if f.name.endswith("span") and not absent.get(f.name)
            and getattr(node, f.name).end <= getattr(node, f.name).start]


def test_every_ast_node_of_a_parsed_spec_has_its_spans() -> None:
    text = EVERYTHING.read_text(encoding="utf-8").replace("require valid", "require simple: valid")
    text += 'rule more: info { require -image.width < 0 and image.city == "x" }\n'  # a string, a negation
    spec = parse_text(text)
    nodes = list(_nodes(spec))
    assert {type(n) for n in nodes} == _subclasses(ast.Node) - {ast.Expr, ast.Comment}
    assert [(type(n).__name__, _unset_spans(n)) for n in nodes if _unset_spans(n)] == []


def test_every_declaration_kind_is_lowered() -> None:
    spec = compile_text(EVERYTHING.read_text(encoding="utf-8"))
    lowered = {"image_attributes": ast.ImageBlock, "enums": ast.EnumDecl, "classes": ast.ClassDecl,
               "rules": ast.RuleDecl, "quotas": ast.QuotaDecl, "examples": ast.ExampleDecl, "changes": ast.ChangesDecl}
    assert set(lowered.values()) == set(ast.Declaration.__args__)
    assert all(getattr(spec, name) for name in lowered)


def test_unordered_pair_needs_two_bindings_of_one_class() -> None:
    assert unordered_pair((), ir.EConst(False)) is None
    assert unordered_pair((ir.Binding("a", "lane", None),), ir.EConst(False)) is None


def test_the_grammar_in_the_language_reference_is_the_shipped_one() -> None:
    reference = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    block = reference[reference.index("## Grammar"):].split("```")[1]
    assert block.strip() == (ROOT / "grammars" / "spec.lark").read_text(encoding="utf-8").strip()
