"""Labeler docs (``specc docs``): page structure, anchors, safety, figures, determinism, the CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import html5lib
import pytest
from conftest import git

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.cli.main import main
from specdsl.compiler import compile_file, compile_text
from specdsl.diff import diff_specs
from specdsl.diff.changes import declared_changes
from specdsl.docs import render_docs, stylesheet
from specdsl.docs.anchors import anchor_for_check, page_ids
from specdsl.docs.markdown import render_block, render_inline, safe_link
from specdsl.docs.prose import requirement, sentence
from specdsl.docs.svg import DRAWN, geometry

ROOT = Path(__file__).resolve().parents[1]
SPEC_FILES = sorted((ROOT / "specs").rglob("*.spec"))

# Every geometry, every kind of invalid example (rule over objects, rule over the whole image,
# constraint, attribute), shapes leaving the image, declared changes of every kind.
SHAPES_SPEC = '''spec shapes version 4

"""
Every geometry in one spec: *parking lots* seen from above.

- areas are polygons
- cars are boxes
"""

image {
  daylight: bool = true
  camera_height: float 1..100 ?  "Metres above the ground."
}

enum Surface {
  asphalt  "Dark, smooth."
  gravel
}

class area: polygon {
  """The paved surface: trace its outer edge."""
  surface: Surface
  require points >= 3  "A polygon needs three corners."
  require valid
}

class car: box {
  occupied: bool = false
  spots: int 1..4 = 1
  require width >= 2 and height >= 2
}

class cone: point {
  toppled: bool = false
}

class marking: polyline {
  kind: enum { stop, parking, arrow, zigzag, text, hatch } = parking
  require length >= 5
}

class overcast: tag {
  heavy: bool ?
}

rule cars_on_area: error {
  "A car stands on a paved area."
  for c in car
  require exists(area)
}

rule some_markings: warning {
  "A lot has painted markings."
  require count(marking) >= 1 or count(cone) >= 1
}

quota enough_cars: info {
  share(car where occupied) >= 50%
}

example "A tidy lot" valid {
  image 300 x 200 { daylight: true }
  area { surface: asphalt, points: [(10, 10), (290, 10), (290, 190), (10, 190)] }
  car { occupied: true, box: [40, 40, 60, 30] }
  cone { point: (200, 150) }
  marking { kind: stop, points: [(120, 100), (180, 100)] }
  overcast { heavy: false }
}

example "No markings at all" invalid some_markings {
  image 300 x 200
  area { surface: gravel, points: [(10, 10), (290, 10), (150, 190)] }
}

example "A car with no lot" invalid cars_on_area {
  image 300 x 200
  car { box: [40, 40, 60, 30] }
  marking { points: [(20, 180), (120, 180)] }
}

example "A crossed outline spilling out of the image" invalid area.require.2 {
  image 300 x 200
  area { surface: asphalt, points: [(-40, 20), (320, 180), (320, 20), (-40, 180)] }
  cone { point: (150, 100) }
}

example "An unknown surface" invalid area.surface {
  image 300 x 200
  area { surface: grass, points: [(10, 10), (100, 10), (100, 100)] }
  cone { point: (150, 100) }
}

changes 3 {
  "Cones are points now."
  review images where daylight == false
}

changes 4 {
  rename car.taken -> occupied
  rename area.surface.tarmac -> asphalt
}
'''

# Spec text is untrusted: every string a spec can carry, written to attack the page.
HOSTILE_SPEC = '''spec hostile version 2

"""
# Evil <script>alert('doc')</script>

<img src=x onerror="alert('img')">

[click me](javascript:alert('link')) and [data](data:text/html,<script>alert(1)</script>)
![tracker](https://tracker.example/pixel.png)
<a href="javascript:alert(2)">raw anchor</a> [spaced](java\tscript:alert(4))
"""

image {
  note: string ? "<b onmouseover=alert('attrdoc')>hover</b>"
}

enum Kind {
  good  "<script>alert('value')</script>"
  bad
}

class thing: box {
  """<iframe src="https://evil.example/"></iframe> [x](JAVASCRIPT:alert(3))"""
  kind: Kind
  label: string ? "<svg onload=alert('svg')>"
  require area >= 4 "<script>alert('why')</script>"
}

rule no_bad: error {
  "Bad things <img src=x onerror=alert('rule')> are not allowed"
  for t in thing where t.kind == bad
  require false
}

example "<script>alert('title')</script>" invalid no_bad {
  image 100 x 80 { note: "<script>alert('imgattr')</script>" }
  thing { id: "<img src=x onerror=alert('id')>", kind: bad, label: "</text><script>alert('label')</script>", box: [10, 10, 30, 20] }
  thing { kind: good, box: [50, 40, 20, 20] }
}

changes 2 {
  "<script>alert('changes')</script>"
  relabel thing where kind == bad
}
'''

FIXTURE_SPECS = {"shapes": SHAPES_SPEC, "hostile": HOSTILE_SPEC}


def all_specs() -> list[tuple[str, ir.Spec]]:
    """Every spec of the repository, then the fixtures above."""
    specs = [(str(p.relative_to(ROOT)), compile_file(p)) for p in SPEC_FILES]
    return specs + [(name, compile_text(text, f"{name}.spec")) for name, text in FIXTURE_SPECS.items()]


SPECS = all_specs()
SPEC_IDS = [name for name, _ in SPECS]


def fixture(name: str) -> ir.Spec:
    return dict(SPECS)[name]


def parse_strict(html: str):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(html)


SVG = "{http://www.w3.org/2000/svg}"


def shapes_in(element) -> list:
    """The object groups of the SVG figures under ``element`` (html5lib puts SVG in its own namespace)."""
    return [g for g in element.iter(SVG + "g") if "obj" in g.get("class", "").split()]


def flagged_in(element) -> list[str]:
    return [g.get("data-object") for g in shapes_in(element) if "flagged" in g.get("class", "").split()]


def drawable_count(spec: ir.Spec, example: ir.Example) -> int:
    kinds = {c.name: c.geometry for c in spec.classes}
    return sum(1 for o in example.image["objects"] if geometry(o, kinds.get(o["class"])) is not None)


# ---- the page ---------------------------------------------------------------------------------


def test_the_repository_ships_specs():
    assert any(p.name == "lanes.spec" for p in SPEC_FILES)


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=SPEC_IDS)
def test_page_is_well_formed_html5(name, spec):
    parse_strict(render_docs(spec, changes=declared_changes(spec, 0), since=0))  # raises on any parse error


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=SPEC_IDS)
def test_every_check_links_to_an_element_of_the_page(name, spec):
    ids = {e.get("id") for e in parse_strict(render_docs(spec)).iter() if e.get("id")}
    for check in (*spec.check_ids(), CheckId.schema()):
        anchor = anchor_for_check(check)
        assert anchor.startswith("#"), (check, anchor)
        assert anchor[1:] in ids, (check, anchor)
    assert page_ids(spec) <= ids


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=SPEC_IDS)
def test_page_shows_every_declaration_and_its_links_resolve(name, spec):
    html = render_docs(spec)
    doc = parse_strict(html)
    ids = [e.get("id") for e in doc.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for cls in spec.classes:
        assert f"class-{cls.name}" in ids
    assert {f"rule-{r.name}" for r in spec.rules} | {f"quota-{q.name}" for q in spec.quotas} <= set(ids)
    figures = doc.findall(".//figure")
    assert len(figures) == len(spec.examples)
    for figure, example in zip(figures, spec.examples):
        assert int(figure.get("data-shapes")) == drawable_count(spec, example)
        assert len(shapes_in(figure)) == drawable_count(spec, example)
    for link in doc.iter("a"):
        href = link.get("href", "")
        assert not href.startswith("#") or href[1:] in ids, href


def test_same_spec_gives_the_same_bytes_wherever_it_lives(tmp_path):
    original = ROOT / "specs" / "lanes.spec"
    copy = tmp_path / "elsewhere" / "lanes.spec"
    copy.parent.mkdir()
    shutil.copy(original, copy)
    first = render_docs(compile_file(original), changes=declared_changes(compile_file(original), 1), since=1)
    second = render_docs(compile_file(copy), changes=declared_changes(compile_file(copy), 1), since=1)
    assert first == second
    assert str(tmp_path) not in second
    assert str(ROOT) not in first


def test_page_needs_no_script_and_fetches_nothing():
    html = render_docs(fixture("shapes"))
    assert "<script" not in html.lower()
    assert not re.search(r'\b(src|srcset|poster|data)\s*=', html)
    assert "url(" not in stylesheet()
    assert "@import" not in stylesheet()
    assert "Content-Security-Policy" in html


def test_class_card_shows_attributes_constraints_and_rules():
    html = render_docs(fixture("shapes"))
    card = html[html.index('id="class-car"'):html.index("</article>", html.index('id="class-car"'))]
    assert 'id="class-car-attr-spots"' in card
    assert "whole number from 1 to 4" in card
    assert "default <code>false</code>" in card
    assert 'id="class-car-require-1"' in card
    assert "its width is at least 2 px, and its height is at least 2 px" in card.replace("It", "it")
    assert 'href="#rule-cars_on_area"' in card
    assert 'href="#quota-enough_cars"' in card
    area = html[html.index('id="class-area"'):]
    assert "Dark, smooth." in area
    assert "It has at least 3 points." in area


def test_rules_involve_the_classes_they_count():
    html = render_docs(fixture("shapes"))
    marking = html[html.index('id="class-marking"'):html.index("</article>", html.index('id="class-marking"'))]
    assert 'href="#rule-some_markings"' in marking  # named only inside count(...)
    rule = html[html.index('id="rule-cars_on_area"'):html.index("</article>", html.index('id="rule-cars_on_area"'))]
    assert 'href="#class-car"' in rule
    assert 'href="#class-area"' in rule


def test_spec_snippets_are_highlighted_with_the_spec_lexer():
    html = render_docs(fixture("shapes"))
    assert '<span class="kd">rule</span>' in html
    assert '<span class="nb">exists</span>' in html
    assert ".spec-code .kd" in stylesheet()


# ---- safety -------------------------------------------------------------------------------------


def test_hostile_spec_renders_as_inert_text():
    html = render_docs(fixture("hostile"), changes=declared_changes(fixture("hostile"), 1), since=1)
    doc = parse_strict(html)
    tags = {e.tag for e in doc.iter() if isinstance(e.tag, str)}
    assert not tags & {"script", "img", "iframe", "object", "embed", "b"}
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert not [a for a in element.attrib if a.lower().startswith("on")], element.tag
        assert not re.match(r"\s*(javascript|data|vbscript):", element.get("href", ""), re.IGNORECASE)
    text = "".join(doc.itertext())
    for payload in ("<script>alert('doc')</script>", "<img src=x onerror=alert('id')>",
                    "<script>alert('title')</script>", "</text><script>alert('label')</script>"):
        assert payload in text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", "java\tscript:x", " javascript:x",
                                 "data:text/html,x", "vbscript:x", "file:///etc/passwd", "//evil.example/x"])
def test_unsafe_links_are_dropped(url):
    assert not safe_link(url)
    assert "<a" not in render_inline(f"[x]({url})")


@pytest.mark.parametrize("url", ["https://example.com/a?b=c", "mailto:a@b.c", "#class-lane_line", "guide.html"])
def test_safe_links_are_kept(url):
    assert safe_link(url)


def test_markdown_escapes_html_and_turns_images_into_links():
    assert render_block("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"
    assert render_block("![alt](https://h.example/p.png)") == \
        '<p><a href="https://h.example/p.png" rel="noopener noreferrer">alt</a></p>\n'
    assert "<li>a</li>" in render_block("\n    - a\n    - b\n")  # indented doc strings are not code blocks


# ---- sentences and figures ----------------------------------------------------------------------


def test_constraints_read_as_sentences():
    lanes = compile_file(ROOT / "specs" / "lanes.spec")
    said = [str(sentence(requirement(c.expr))) for c in lanes.cls("lane_line").constraints]
    assert said == ["It has at least 2 points.", "Its length is at least 10 px.", "It lies fully inside the image."]
    quota = lanes.quotas[0]
    assert "is at least 5%" in str(requirement(quota.expr))


def test_invalid_examples_highlight_the_objects_the_checker_names():
    html = render_docs(fixture("shapes"))
    doc = parse_strict(html)
    figures = {f.findtext(".//h3"): f for f in doc.findall(".//figure")}
    crossed = figures["A crossed outline spilling out of the image"]
    assert flagged_in(crossed) == ["o1"]
    assert next(crossed.iter(SVG + "svg")).get("viewBox").startswith("-")  # what leaves the image stays visible
    whole = figures["No markings at all"]
    assert flagged_in(whole) == []
    edge = next(r for r in whole.iter(SVG + "rect") if r.get("class") == "frame-edge")
    assert edge.get("stroke-dasharray")  # an image-level finding marks the frame
    assert "the image as a whole" in "".join(whole.itertext())
    assert flagged_in(figures["A tidy lot"]) == []
    assert flagged_in(figures["A car with no lot"]) == ["o1"]


PAINT_SPEC = '''spec paint version 1

enum Paint {
  white
  yellow
  light_blue
}

class marking: polyline {
  colour: Paint = white
  style: enum { solid, dashed } = solid
}

class cone: point {
  shade: enum { orange, red, green }
}

class sign: box {
  kind: enum { stop, yield_sign, speed }
}

rule markings_apart: error {
  "Two markings never touch."
  for a in marking
  for b in marking where a != b
  require distance(a, b) > 5
}

rule no_yellow_beside_white: error {
  "A yellow marking beside a white one is a labeling mistake."
  for w in marking where w.colour == white
  for y in marking where y.colour == yellow and distance(w, y) < 20
  require false
}

example "Touching markings" invalid markings_apart {
  image 100 x 100
  marking { colour: yellow, points: [(10, 10), (90, 10)] }
  marking { points: [(10, 12), (90, 12)] }
  marking { colour: light_blue, points: [(10, 80), (90, 80)] }
  cone { shade: green, point: (50, 50) }
  sign { kind: stop, box: [5, 40, 10, 10] }
}

example "Yellow beside white" invalid no_yellow_beside_white {
  image 100 x 100
  marking { colour: white, points: [(10, 10), (90, 10)] }
  marking { colour: yellow, points: [(10, 20), (90, 20)] }
}
'''


def _figures(spec_text: str, name: str) -> dict:
    doc = parse_strict(render_docs(compile_text(spec_text, name)))
    return {f.findtext(".//h3"): f for f in doc.findall(".//figure")}


def _stroke_of(group) -> str:
    """The colour an object is drawn in (its main shape, not the red halo of a flagged object)."""
    shape = next(e for e in group if "halo" not in (e.get("class") or "") and e.tag != SVG + "text")
    return shape.get("stroke") if shape.get("fill") in ("none", None) else shape.get("fill")


def test_the_wrong_figure_outlines_only_the_object_the_rule_blames():
    doc = parse_strict(render_docs(compile_file(ROOT / "specs" / "lanes.spec")))
    figures = {f.findtext(".//h3"): f for f in doc.findall(".//figure")}
    wrong = figures["White line left as it was"]
    # `require w.overridden` is about the white line; the orange one is context: not outlined, not dimmed
    assert flagged_in(wrong) == ["o2"]
    groups = {g.get("data-object"): g for g in shapes_in(wrong)}
    assert groups["o1"].get("opacity") is None
    assert [h.get("class") for h in groups["o2"] if "halo" in (h.get("class") or "")] == ["halo"]
    assert not [h for h in groups["o1"] if "halo" in (h.get("class") or "")]
    assert "o1" not in "".join(wrong.find(".//p[@class='broken']").itertext())


def test_a_rule_that_reads_every_variable_or_none_blames_every_object_it_binds():
    figures = _figures(PAINT_SPEC, "paint.spec")
    assert flagged_in(figures["Touching markings"]) == ["o1", "o2"]  # distance(a, b) reads both
    assert flagged_in(figures["Yellow beside white"]) == ["o1", "o2"]  # require false: the pair is wrong
    dimmed = [g.get("data-object") for g in shapes_in(figures["Touching markings"]) if g.get("opacity")]
    assert dimmed == ["o3", "o4", "o5"]  # objects the check does not name are dimmed


def test_objects_are_drawn_in_the_colour_their_attribute_names():
    from specdsl.palette import NAMED_COLORS, class_colors

    spec = compile_text(PAINT_SPEC, "paint.spec")
    figure = _figures(PAINT_SPEC, "paint.spec")["Touching markings"]
    strokes = {g.get("data-object"): _stroke_of(g) for g in shapes_in(figure)}
    assert strokes["o1"] == NAMED_COLORS["yellow"]
    assert strokes["o2"] == NAMED_COLORS["white"]  # the default value paints an object that does not say
    assert strokes["o3"] == NAMED_COLORS["blue"]  # light_blue: the colour word of a compound value
    assert strokes["o4"] == NAMED_COLORS["green"]  # an enum not named colour whose values are colours
    assert strokes["o5"] == class_colors(spec)["sign"]  # stop/yield/speed are no colours: class colour
    assert len({strokes["o1"], strokes["o2"]}) == 2
    legend = [" ".join("".join(li.itertext()).split()) for li in figure.iter("li")]
    assert "marking yellow polyline" in legend
    assert "marking white polyline" in legend
    rows = {r.findtext(".//td/code"): r for r in figure.iter("tr") if r.find("td") is not None}
    swatch = next(rows["o1"].iter(SVG + "rect"))
    assert swatch.get("fill") == NAMED_COLORS["yellow"]


def test_colour_attribute_is_found_by_name_or_by_colour_values():
    from specdsl.palette import color_attribute

    spec = compile_text(PAINT_SPEC, "paint.spec")
    assert color_attribute(spec.cls("marking")).name == "colour"
    assert color_attribute(spec.cls("cone")).name == "shade"
    assert color_attribute(spec.cls("sign")) is None


def test_the_stylesheet_keeps_attribute_tables_inside_a_phone_screen():
    css = stylesheet()
    # names are one word each; values wrap anywhere; under 640 px the rows become cards
    assert re.search(r"tbody th code[^{]*\{[^}]*word-break: keep-all[^}]*hyphens: none", css)
    assert re.search(r"\.values code[^{]*\{[^}]*overflow-wrap: anywhere", css)
    phone = css[css.index("@media (max-width: 640px)"):]
    assert re.search(r"table\.attributes tr[^{]*\{[^}]*display: block", phone)
    assert "overflow-wrap: anywhere; }" not in css.split("tbody th {")[1].split("}")[0]


def test_geometry_reads_what_can_be_drawn_and_refuses_the_rest():
    assert geometry({"box": [1, 2, 3, 4]}) == ("box", ((1, 2), (4, 2), (4, 6), (1, 6)))
    assert geometry({"points": [[0, 0], [5, 5]]}, "polygon")[0] == "polygon"
    assert geometry({"point": [3, 4]}) == ("point", ((3.0, 4.0),))
    for broken in ({"box": [1, 2]}, {"points": []}, {"points": [["a", 1]]}, {"point": [float("nan"), 1]}, {}):
        assert geometry(broken) is None
    assert set(DRAWN) == {"polyline", "polygon", "box", "point"}


# ---- the "What changed" panel --------------------------------------------------------------------


# The panel's counts and sentences: tests/test_diff_docs_panel.py.


def test_declared_changes_since_a_version():
    shapes = fixture("shapes")
    # most severe first, then by target (area.surface.asphalt before car.occupied)
    assert [c.id for c in declared_changes(shapes, 2)] == ["REVIEW_DECLARED", "ENUM_VALUE_RENAMED",
                                                           "ATTRIBUTE_RENAMED"]
    assert [c.id for c in declared_changes(shapes, 3)] == ["ENUM_VALUE_RENAMED", "ATTRIBUTE_RENAMED"]
    assert declared_changes(shapes, 4) == []


def test_panel_from_the_diff_engine():
    new = compile_file(ROOT / "specs" / "lanes.spec")
    old = compile_text(_older_lanes(), "old.spec")
    changes = diff_specs(old, new)
    assert {"ENUM_VALUE_ADDED", "RELABEL_DECLARED"} <= {c.id for c in changes}
    html = render_docs(new, changes=changes, since=old.version)
    assert "What changed since v2" in html
    assert "ENUM_VALUE_ADDED" in html


def _older_lanes() -> str:
    text = (ROOT / "specs" / "lanes.spec").read_text()
    text = text.replace("version 3", "version 2", 1)
    text = re.sub(r'\n  orange[^\n]*', "", text)
    text = re.sub(r"\nrule orange_overrides_white.*?\n}\n", "\n", text, flags=re.DOTALL)
    text = re.sub(r"\nexample .*?\n}\n", "\n", text, flags=re.DOTALL)
    return re.sub(r"\nchanges 3 .*?\n}\n?", "\n", text, flags=re.DOTALL)


# ---- the command line ----------------------------------------------------------------------------


def specc(*args: str) -> int:
    return main([str(a) for a in args])


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "docs" / "lanes.html"
    assert specc("docs", ROOT / "specs" / "lanes.spec", "-o", out, "--since", "2") == 0
    html = out.read_text()
    assert "What changed since v2" in html
    assert "<style>" in html
    assert specc("docs", ROOT / "specs" / "lanes.spec") == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_cli_assets_dir_links_the_stylesheet(tmp_path):
    out = tmp_path / "site" / "index.html"
    assert specc("docs", ROOT / "specs" / "lanes.spec", "-o", out, "--assets-dir", tmp_path / "site" / "static") == 0
    html = out.read_text()
    assert '<link rel="stylesheet" href="static/specdsl.css">' in html
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)  # nothing a strict style-src would block
    assert (tmp_path / "site" / "static" / "specdsl.css").read_text() == stylesheet()


def test_cli_against_a_git_revision_with_labels(tmp_path, capsys):
    repo = _git_repo_with_old_lanes(tmp_path)
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"spec": "lanes", "images": [
        {"id": "a.jpg", "width": 200, "height": 100, "spec_version": 2, "objects": [
            {"id": "x1", "class": "lane_line", "points": [[10, 90], [190, 10]], "attributes": {"color": "white"}},
            {"id": "x2", "class": "lane_line", "points": [[30, 90], [150, 10]], "attributes": {"color": "yellow"}}]},
        {"id": "b.jpg", "width": 200, "height": 100, "spec_version": 2, "objects": [
            {"id": "y1", "class": "lane_line", "points": [[10, 90], [190, 10]], "attributes": {"color": "white"}}]}]}))
    out = tmp_path / "out.html"
    assert specc("docs", repo / "lanes.spec", "--against", "HEAD", "--labels", labels, "-o", out) == 0
    html = out.read_text()
    relabel = html[html.index("RELABEL_DECLARED") - 600:html.index("RELABEL_DECLARED")]
    assert "What changed since v2" in html
    assert "affects 2 labeled objects in 2 images" in relabel
    assert specc("docs", repo / "lanes.spec", "--since", "2", "--labels", labels, "-o", out) == 0
    assert "affects 2 labeled objects in 2 images" in out.read_text()
    assert specc("docs", repo / "lanes.spec", "--labels", labels) == 2
    assert "--labels needs --since" in capsys.readouterr().err


def _git_repo_with_old_lanes(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "lanes.spec").write_text(_older_lanes())
    git(repo, "init", "-q")
    git(repo, "add", "lanes.spec")
    git(repo, "commit", "-qm", "v2")
    shutil.copy(ROOT / "specs" / "lanes.spec", repo / "lanes.spec")
    return repo


def test_cli_reports_a_broken_spec_with_exit_2(tmp_path):
    broken = tmp_path / "broken.spec"
    broken.write_text("spec broken version 1\nclass x: box {\n")
    assert specc("docs", broken, "-o", tmp_path / "x.html") == 2
    assert not (tmp_path / "x.html").exists()
