"""Reliability of the spec side (issue 8): inputs from a fuzzing campaign that used to end in an internal
error. Each now compiles or gets a located diagnostic with exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import run_specc

from specdsl import compile_cache
from specdsl.compiler import CompileResult, compile_source
from specdsl.limits import INT_MAX, MAX_EXTENT, MAX_NESTING
from specdsl.source import Source
from specdsl.syntax.printer import format_source

INTERNAL = re.compile(r"internal error|Traceback|RecursionError")

# ---- deep nesting --------------------------------------------------------------------------------


def _nots(operand: str, levels: int) -> str:
    """``levels`` levels: levels-1 ``not`` over one comparison; true when ``operand`` is 1, false when 0."""
    inner = f"({operand} > 0)" if levels % 2 else f"({operand} < 1)"
    return "not " * (levels - 1) + inner


def _sum(operand: str, levels: int, bound: int = 0) -> str:
    """``levels`` levels: a flat chain of levels-1 ``+`` (each one level deeper) compared with ``bound``."""
    return " + ".join([operand] * levels) + f" > {bound}"


def _deep_spec(levels: int, relabel_bound: int = 0) -> str:
    """A spec whose every kind of expression (require, for-where, rule require, quota filter, relabel) nests
    ``levels`` levels; valid for an object with n = 1."""
    return f'''spec deep version 2

class c: box {{
  n: int = 1
  require {_nots("n", levels)}
  require {_sum("n", levels)}
  require {"-" * (levels - 1)}n < 5  "negations"
}}

rule deep_rule: warning {{
  for a in c where {_sum("a.n", levels - 1)}
  require {_nots("a.n", levels - 1)}
}}

quota deep_quota: info {{
  share(c where {_sum("n", levels - 3)}) >= 0%
}}

example "deep and fine" valid {{
  image 100 x 100
  c {{ n: 1, box: [1, 1, 20, 20] }}
}}

changes 2 {{
  relabel c where {_sum("n", levels, relabel_bound)}
}}
'''


EXPORT = {"spec": "deep", "images": [{"id": "i1", "width": 100, "height": 100, "spec_version": 2, "objects": [
    {"id": "o1", "class": "c", "box": [1, 1, 20, 20], "attributes": {"n": 1}},
    {"id": "o2", "class": "c", "box": [1, 1, 20, 20], "attributes": {"n": 0}}]}]}


def _class_with(require: str) -> str:
    return f"spec s version 1\nclass c: box {{\n  n: int = 1\n  require {require}\n}}\n"


TOO_DEEP = {
    "not x500": _class_with("not " * 500 + "true"),
    "500-term sum": _class_with(" + ".join(["n"] * 500) + " > 0"),
    "330-term sum": _class_with(" + ".join(["n"] * 330) + " > 0"),
    "nested lists x1000": "spec s version 1\nclass c: box {\n  l: string = " + "[" * 1000 + "1" + "]" * 1000 + "\n}\n",
    "one level too deep": _deep_spec(MAX_NESTING + 1),
}


@pytest.mark.parametrize("text", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_nesting_past_the_limit_is_a_located_error(text) -> None:
    result = compile_source(Source("deep.spec", text))
    assert not result.ok
    codes = {d.code for d in result.diagnostics}
    assert codes == {"E0120"}, [d.message for d in result.diagnostics]
    first = result.diagnostics[0]
    assert f"at most {MAX_NESTING}" in first.message
    # The caret is on the operator where level 201 begins, not on the declaration.
    span = first.primary.span
    assert text[span.start:span.end] in ("not", "+", "[", ">")


def test_the_500_not_chain_points_at_the_201st_not() -> None:
    text = TOO_DEEP["not x500"]
    span = compile_source(Source("d.spec", text)).diagnostics[0].primary.span
    assert text[:span.start].count("not ") == MAX_NESTING


@pytest.mark.parametrize("name", ["not x500", "500-term sum", "nested lists x1000"])
def test_every_command_reports_deep_nesting_with_exit_2(tmp_path, name) -> None:
    spec = tmp_path / "deep.spec"
    spec.write_text(TOO_DEEP[name])
    export = tmp_path / "e.json"
    export.write_text(json.dumps({"spec": "s", "images": []}))
    for args in (["compile", str(spec)], ["check", str(spec), str(export)], ["test", str(spec)],
                 ["fmt", "--check", str(spec)], ["docs", str(spec), "-o", str(tmp_path / "site")],
                 ["diff", str(spec), str(spec)]):
        proc = run_specc(*args, env={"SPECDSL_CACHE_DIR": str(tmp_path / "cache")})
        assert proc.returncode == 2, (args, proc.stderr)
        assert "error[E0120]" in proc.stderr
        assert re.search(rf"{re.escape(str(spec))}:[34]:\d+", proc.stderr)
        assert not INTERNAL.search(proc.stderr), (args, proc.stderr)


def test_a_spec_at_the_limit_compiles_formats_and_evaluates_in_process() -> None:
    text = _deep_spec(MAX_NESTING)
    result = compile_source(Source("deep.spec", text))
    assert result.ok, [d.message for d in result.diagnostics]
    formatted = format_source(text, "deep.spec")
    assert compile_source(Source("deep.spec", formatted)).ok
    from specdsl.validate import check_example

    assert check_example(result.spec, result.spec.examples[0]) == []


def test_a_spec_at_the_limit_works_in_every_command_and_through_the_cache(tmp_path) -> None:
    spec, changed, export = tmp_path / "deep.spec", tmp_path / "deep2.spec", tmp_path / "deep.json"
    spec.write_text(_deep_spec(MAX_NESTING))
    changed.write_text(_deep_spec(MAX_NESTING, relabel_bound=1))
    export.write_text(json.dumps(EXPORT))
    env = {"SPECDSL_CACHE_DIR": str(tmp_path / "cache")}

    fresh = run_specc("compile", "--emit", "ir", str(spec), env=env)
    assert fresh.returncode == 0, fresh.stderr
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1  # it was cached
    cached = run_specc("compile", "--emit", "ir", str(spec), env=env)
    assert cached.returncode == 0
    assert cached.stdout == fresh.stdout

    check = run_specc("check", str(spec), str(export), "--format", "json", env=env)
    assert check.returncode == 1, check.stderr  # o2 (n = 0) breaks the first two requires
    fired = sorted((f["check"], f["objects"][0]) for f in json.loads(check.stdout)["findings"])
    assert fired == [("c.require.1", "o2"), ("c.require.2", "o2")]

    for args, code in ((["test", str(spec)], 0), (["compile", "--emit", "jsonschema", str(spec)], 0),
                       (["fmt", "--check", str(spec)], None), (["docs", str(spec), "-o", str(tmp_path / "site")], 0),
                       (["diff", str(spec), str(spec)], 0), (["diff", str(spec), str(changed), "--labels", str(export)], 0),
                       (["explain", "--spec", str(spec), "deep_rule"], 0)):
        proc = run_specc(*args, env=env)
        assert not INTERNAL.search(proc.stderr), (args, proc.stderr)
        allowed = (0, 1) if code is None else (code,)  # fmt --check may find changes to make
        assert proc.returncode in allowed, (args, proc.stderr)


def test_cache_store_never_fails_a_compile(tmp_path, monkeypatch) -> None:
    """Whatever pickling raises (here RecursionError on a structure deeper than the stack), the
    compile result stands and the cache keeps neither an entry nor a temporary file."""
    monkeypatch.setenv("SPECDSL_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SPECDSL_NO_CACHE", raising=False)
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    source = Source("x.spec", "spec x version 1\n")
    compile_cache.store(CompileResult(source, deep, ()))  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    assert compile_cache.load(source) is None


# ---- numbers -------------------------------------------------------------------------------------


def _codes_at(text: str) -> list[tuple[str, str]]:
    result = compile_source(Source("n.spec", text))
    return [(d.code, text[d.primary.span.start:d.primary.span.end]) for d in result.diagnostics]


def test_whole_numbers_past_64_bits_and_infinite_floats_are_located_errors() -> None:
    huge = "1" + "0" * 309
    text = (f"spec s version 1\nclass c: box {{\n  x: float = {huge}\n  k: int = {INT_MAX + 1}\n"
            f"  m: int = {INT_MAX}\n  require x < 1e400\n}}\n")
    assert _codes_at(text) == [("E0121", huge), ("E0121", str(INT_MAX + 1)), ("E0121", "1e400")]


def test_a_5000_digit_number_is_refused_without_converting_it() -> None:
    digits = "9" * 5000  # past Python's int-from-string limit
    assert _codes_at(f"spec s version {digits}\n") == [("E0121", digits)]


def test_numbers_at_the_edges_of_the_range_emit_ir_and_jsonschema(tmp_path) -> None:
    spec = tmp_path / "edge.spec"
    spec.write_text(f"spec edge version 1\nclass c: box {{\n  k: int = {INT_MAX}\n  m: int = -{INT_MAX}\n"
                    "  f: float = 1.7e308\n  require k > 0\n}\n")
    for emit in ("ir", "jsonschema"):
        proc = run_specc("compile", "--emit", emit, str(spec), env={"SPECDSL_NO_CACHE": "1"})
        assert proc.returncode == 0, proc.stderr
        assert str(INT_MAX) in proc.stdout
        assert f"-{INT_MAX}" in proc.stdout
    too_big = tmp_path / "big.spec"
    too_big.write_text(f"spec big version 1\nclass c: box {{\n  x: float = {'9' * 310}\n}}\n")
    proc = run_specc("compile", "--emit", "ir", str(too_big), env={"SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 2
    assert "error[E0121]" in proc.stderr
    assert f"{too_big}:3:14" in proc.stderr
    assert not INTERNAL.search(proc.stderr)
    assert proc.stdout == ""


# ---- huge example frames and coordinates ------------------------------------------------------------

PAIR_RULE = """spec s version 1
class lane: polygon {
  require valid
}
rule overlap: error {
  for a in lane
  for b in lane where a != b and iou(a, b) > 0.1
  require false
}
"""


def test_a_huge_example_frame_or_coordinate_is_a_compile_error() -> None:
    text = PAIR_RULE + """example "huge" invalid overlap {
  image 1.7e308 x 300
  lane { points: [(10, 10), (100, 10), (100, 100)] }
  lane { points: [(10, 10), (-2e7, 10), (100, 100)] }
}
"""
    assert _codes_at(text) == [("E0122", "1.7e308"), ("E0122", "2e7")]
    assert _codes_at(text.replace("1.7e308", "1.8e308")) == [("E0121", "1.8e308"), ("E0122", "2e7")]
    # Attribute values are not extents, even when an attribute is called points.
    attributes = PAIR_RULE.replace("require valid", "require valid\n  big: float ?") + """image {
  points: float ?
}
example "big values" valid {
  image 100 x 100 { points: 2e7 }
  lane { big: 3e7, points: [(10, 10), (100, 10), (100, 100)] }
}
"""
    assert _codes_at(attributes) == []


def test_huge_image_sizes_and_coordinates_in_an_export_are_schema_findings(tmp_path) -> None:
    spec, export = tmp_path / "s.spec", tmp_path / "huge.json"
    spec.write_text(PAIR_RULE)
    triangle = [[10, 10], [100, 10], [100, 100]]
    export.write_text(json.dumps({"spec": "s", "images": [
        {"id": "a", "width": 1.7e308, "height": 300, "objects": [
            {"id": "o1", "class": "lane", "points": triangle}, {"id": "o2", "class": "lane", "points": triangle}]},
        {"id": "b", "width": 100, "height": 300, "objects": [
            {"id": "o3", "class": "lane", "points": [[10, 10], [1e308, 10], [100, 100]]},
            {"id": "o4", "class": "lane", "points": triangle}]}]}))
    proc = run_specc("check", str(spec), str(export), "--format", "json", env={"SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 1, proc.stderr
    findings = {(f["check"], f["image"], tuple(f["objects"])): f["message"] for f in json.loads(proc.stdout)["findings"]}
    assert f"at most {MAX_EXTENT:,} px" in findings["schema", "a", ()]
    assert "'points' vertex 1 has a coordinate out of range" in findings["schema", "b", ("o3",)]
    assert {k for k in findings if k[0] == "overlap"} == {("overlap", "a", ("o1", "o2"))}  # symmetric: once


# ---- user text that looks like rich markup ------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE_IMAGE = "shots/[/x].jpg"
COLOR = {"NO_COLOR": "", "FORCE_COLOR": "1", "SPECDSL_NO_CACHE": "1"}
PLAIN = {"SPECDSL_NO_CACHE": "1"}
MARKUP_SPEC = """spec s version 1
\"\"\"[bold]not bold[/bold] and [/oops]\"\"\"
class lane: polyline {
  require points >= 3  "[/oops] needs three points"
}
example "[/oops]" valid {
  image 100 x 100
  lane { points: [(1, 1), (2, 2)] }
}
"""


@pytest.fixture
def markup_files(tmp_path):
    """A spec at ``[/x].spec`` (in a directory named ``[``), an export with a hostile image id."""
    folder = tmp_path / "["
    folder.mkdir()
    (folder / "x].spec").write_text(MARKUP_SPEC)
    (folder / "bad.spec").write_text(MARKUP_SPEC.replace("require points", "require pionts"))
    export = tmp_path / "e.json"
    export.write_text(json.dumps({"spec": "s", "images": [{"id": HOSTILE_IMAGE, "width": 100, "height": 100,
                                  "objects": [{"id": "[/o]", "class": "lane", "points": [[1, 1], [2, 2]]}]}]}))
    return f"{folder}/x].spec", f"{folder}/bad.spec", str(export)


@pytest.mark.parametrize("env", [PLAIN, COLOR], ids=["plain", "color"])
def test_markup_in_titles_file_names_and_image_ids_prints_as_text(markup_files, env) -> None:
    spec, bad, export = markup_files
    test = run_specc("test", spec, env=env)
    assert test.returncode == 1, test.stderr
    assert not INTERNAL.search(test.stderr), test.stderr
    assert f'FAIL {spec}:6:1: example "[/oops]"' in ANSI.sub("", test.stderr)

    check = run_specc("check", spec, export, env=env)
    assert check.returncode == 1, check.stderr
    assert not INTERNAL.search(check.stderr), check.stderr
    out = ANSI.sub("", check.stdout)
    assert f"{HOSTILE_IMAGE}  [/o]" in out
    assert "[/oops] needs three points" in out
    assert f"--> {spec}:4:3" in out

    compiled = run_specc("compile", bad, env=env)
    assert compiled.returncode == 2
    assert f"--> {bad}:4:11" in compiled.stderr

    missing = run_specc("check", spec.replace("x]", "nope]"), export, env=env)
    assert missing.returncode == 2
    assert "cannot read spec" in missing.stderr
    assert "nope].spec" in missing.stderr
    assert not INTERNAL.search(missing.stderr)


def _queue_with_hostile_item(tmp_path) -> str:
    queue = str(tmp_path / "q.db")
    findings = tmp_path / "check.json"
    findings.write_text(json.dumps({"spec": "s", "version": 1, "summary": {}, "findings": [
        {"check": "lane.require.1", "kind": "constraint", "severity": "error", "image": HOSTILE_IMAGE,
         "objects": ["[/o]"], "message": "[/oops]", "source": "e.json", "pointer": "/images/0",
         "spec_location": "[/x].spec:4:3"}]}))
    assert run_specc("queue", "build", "--queue", queue, str(findings)).returncode == 0
    return queue


def _statuses(queue: str) -> list[tuple[str, str | None]]:
    proc = run_specc("queue", "list", "--queue", queue, "--format", "json")
    return [(item["status"], item["labeler"]) for item in json.loads(proc.stdout)]


@pytest.mark.parametrize("env", [PLAIN, COLOR], ids=["plain", "color"])
def test_queue_list_and_claim_print_hostile_image_ids(tmp_path, env) -> None:
    queue = _queue_with_hostile_item(tmp_path)
    wide = {**env, "COLUMNS": "200"}
    listed = run_specc("queue", "list", "--queue", queue, env=wide)
    assert listed.returncode == 0, listed.stderr
    assert HOSTILE_IMAGE in ANSI.sub("", listed.stdout), listed.stderr
    claimed = run_specc("queue", "claim", "--queue", queue, "--labeler", "[/l]", env=wide)
    assert claimed.returncode == 0, claimed.stderr
    assert HOSTILE_IMAGE in ANSI.sub("", claimed.stdout)
    assert "claimed by [/l]" in ANSI.sub("", claimed.stdout)
    assert _statuses(queue) == [("claimed", "[/l]")]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make writing fail")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_claim_whose_output_cannot_be_written_is_released(tmp_path, fmt) -> None:
    queue = _queue_with_hostile_item(tmp_path)
    with open("/dev/full", "w") as full:
        proc = run_specc("queue", "claim", "--queue", queue, "--labeler", "ann", "--format", fmt, stdout=full)
    assert proc.returncode == 2
    assert "No space left on device" in proc.stderr
    assert _statuses(queue) == [("pending", None)]  # nobody holds an item nobody saw


def test_a_claim_whose_rendering_fails_claims_nothing(tmp_path) -> None:
    from specdsl.queue import NewItem, open_queue

    with open_queue(tmp_path / "q.db") as queue:
        queue.upsert([NewItem(image=HOSTILE_IMAGE, action="review", reasons=("r",), severity="error")])

        def refuse(items):
            raise UnicodeEncodeError("ascii", items[0].image, 0, 1, "cannot show it")

        with pytest.raises(UnicodeEncodeError):
            queue.claim("ann", 1, deliver=refuse)
        assert [(i.status, i.labeler) for i in queue.items()] == [("pending", None)]
        claimed = queue.claim("bob", 1)
        assert queue.release_undelivered(claimed) == 1
        assert queue.items()[0].status == "pending"


# ---- class lookup -------------------------------------------------------------------------------------


class _CountingName(str):
    """A class name that counts how often it is compared: a linear search compares it with every name
    before the one it looks for, a dict lookup with about one."""

    comparisons = 0

    def __eq__(self, other):
        type(self).comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_spec_cls_is_a_dict_lookup_and_the_first_duplicate_wins() -> None:
    from specdsl import ir

    classes = tuple(ir.Class(name=_CountingName(f"c{i}"), geometry="box", doc=None, attributes=(), constraints=())
                    for i in range(10_000))
    duplicate = ir.Class(name="c5", geometry="point", doc=None, attributes=(), constraints=())
    spec = ir.Spec(name="big", version=1, doc=None, image_attributes=(), enums=(), classes=classes + (duplicate,),
                   rules=(), quotas=(), examples=(), changes=())
    _CountingName.comparisons = 0
    assert all(spec.cls(f"c{i}") is classes[i] for i in range(10_000))
    assert _CountingName.comparisons <= 2 * 10_000  # a linear search makes 50 million
    assert spec.cls("c5").geometry == "box"
    assert spec.cls("nope") is None


# ---- XML: format sniffing past the prolog, encodings, entities ------------------------------------------

CVAT_BODY = ('<annotations><version>1.1</version><image id="0" name="shots/a.jpg" width="100" height="100">'
             '<box label="car" xtl="1" ytl="1" xbr="20" ybr="20" occluded="0">{attribute}</box></image>'
             '</annotations>\n')
CAR_SPEC = "spec s version 1\nclass car: box {\n  note: string ?\n}\n"


def _cvat(tmp_path, prolog: str, attribute: str = "", declaration: str = '<?xml version="1.0" encoding="utf-8"?>'):
    path = tmp_path / "export.xml"
    path.write_text(f"{declaration}\n{prolog}{CVAT_BODY.format(attribute=attribute)}", encoding="utf-8")
    spec = tmp_path / "s.spec"
    spec.write_text(CAR_SPEC)
    return str(spec), str(path)


def test_a_100kb_dtd_does_not_hide_the_cvat_root(tmp_path) -> None:
    from specdsl.data.readers.detect import SNIFF_BYTES, detect_format

    entities = "".join(f'<!ENTITY e{i} "{"x" * 80} ] > \' -->">\n' for i in range(1200))  # brackets in quotes
    prolog = f"<!-- exported by CVAT -->\n<!DOCTYPE annotations [\n<!-- ]> -->\n{entities}]>\n"
    spec, export = _cvat(tmp_path, prolog)
    assert len(prolog) > 100_000 > SNIFF_BYTES
    assert detect_format(export) == "cvat"
    proc = run_specc("check", spec, export, "--format", "json", env={"SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["objects"] == 1


@pytest.mark.parametrize("explicit", [[], ["--input-format", "cvat"]], ids=["detected", "explicit"])
def test_an_unknown_xml_encoding_is_a_read_error_naming_the_file(tmp_path, explicit) -> None:
    spec, export = _cvat(tmp_path, "", declaration='<?xml version="1.0" encoding="x-nope"?>')
    proc = run_specc("check", spec, export, *explicit, env={"SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 2
    assert not INTERNAL.search(proc.stderr)
    assert f"error: {export}:1:1: cannot read XML: unknown encoding: x-nope" in proc.stderr


@pytest.mark.parametrize("case", ["external entity", "external parameter entity", "billion laughs"])
def test_xml_entities_stay_refused(tmp_path, case) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "LEAKED">')
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    prolog, reference, expected = {
        "external entity": (f'<!DOCTYPE annotations [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n', "&leak;",
                            "undefined entity &leak;"),
        "external parameter entity": (f'<!DOCTYPE annotations [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>\n',
                                      "&leak;", "undefined entity &leak;"),
        "billion laughs": (f"<!DOCTYPE annotations [{laughs}]>\n", "&l9;", "amplification"),
    }[case]
    spec, export = _cvat(tmp_path, prolog, f'<attribute name="note">{reference}</attribute>')
    proc = run_specc("check", spec, export, "--format", "json", env={"SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert f"{export}:" in proc.stderr, proc.stderr
    assert "LEAKED" not in proc.stdout + proc.stderr
