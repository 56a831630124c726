"""Properties of ``specc fix`` on generated exports: every object no fix touches is written back byte for
byte (whatever the layout of the input), and what a fix does not delete is still there."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.compiler import compile_text
from specdsl.data import load_export
from specdsl.fix import fix_export
from specdsl.fix.rawjson import image_extents, object_texts
from specdsl.validate import run_checks

SPEC = compile_text('''spec props version 1
class lane_line: polyline {
  style: enum { solid, dashed } = solid
  require length >= 10
  fix delete
  require inside_image
  fix clip
}
class car: box {
  require inside_image
  fix clip
}
rule dashes: warning {
  for a in lane_line where a.style == dashed
  for b in lane_line where b.style == dashed and a != b and endpoint_gap(a, b) < 30
  require false
  fix join a, b
}
''')

# Mostly inside the 200 x 100 images, sometimes outside (clip) or short (delete).
coordinate = st.integers(-20, 210)
point = st.tuples(coordinate, st.integers(-10, 105)).map(list)
lane = st.fixed_dictionaries({"class": st.just("lane_line"), "points": st.lists(point, min_size=2, max_size=4),
                              "attributes": st.fixed_dictionaries({"style": st.sampled_from(["solid", "dashed"])})})
car = st.fixed_dictionaries({"class": st.just("car"), "attributes": st.just({}),
                             "box": st.tuples(coordinate, coordinate, st.integers(1, 80), st.integers(1, 80))
                             .map(list)})


@st.composite
def dash_chain(draw):
    """Two to four dashes of one lane, 10 px apart: the rule pairs neighbours, ``fix join`` makes one line."""
    x, y = draw(st.integers(0, 150)), draw(st.integers(0, 90))
    dx, dy = draw(st.sampled_from([(20, 0), (0, -20), (15, -15)]))
    dashes = []
    for k in range(draw(st.integers(2, 4))):
        start = [x + k * 3 * dx // 2, y + k * 3 * dy // 2]
        dash = [start, [start[0] + dx, start[1] + dy]]
        dashes.append({"class": "lane_line", "points": dash[::-1] if draw(st.booleans()) else dash,
                       "attributes": {"style": "dashed"}})
    return dashes


LAYOUTS = {"compact": {"separators": (",", ":")}, "spaced": {}, "indented": {"indent": 2}}


@st.composite
def exports(draw):
    """(text, is_json_lines, {object id: its text}) of an export laid out in one of several ways."""
    lines = draw(st.booleans())
    layout = LAYOUTS[draw(st.sampled_from(["compact", "spaced"] if lines else list(LAYOUTS)))]
    texts: dict[str, str] = {}
    images, counter = [], 0
    for k in range(draw(st.integers(1, 3))):
        objects = []
        groups = draw(st.lists(st.one_of(lane.map(lambda o: [o]), car.map(lambda o: [o]), dash_chain()), max_size=5))
        for obj in draw(st.permutations([obj for group in groups for obj in group])):
            keys = draw(st.permutations(["id", "class", "geometry", "attributes"]))
            obj = {"id": f"o{counter}", **obj}
            counter += 1
            geometry = "points" if "points" in obj else "box"
            ordered = {(geometry if key == "geometry" else key): obj[geometry if key == "geometry" else key]
                       for key in keys}
            texts[obj["id"]] = json.dumps(ordered, **layout)
            objects.append(texts[obj["id"]])
        head = json.dumps({"id": f"img{k}", "width": 200, "height": 100}, **layout)[:-1]
        separator = draw(st.sampled_from([", ", ","] if lines else [", ", ",", ",\n    "]))
        images.append(head + ', "objects": [' + separator.join(objects) + "]}")
    text = "\n".join(images) + "\n" if lines else '{"spec": "props", "images": [\n' + ",\n".join(images) + "\n]}\n"
    return text, lines, texts


@settings(max_examples=100)
@given(exports())
def test_objects_no_fix_touches_are_byte_identical(export) -> None:
    text, lines, texts = export
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / ("in.jsonl" if lines else "in.json")
        source.write_text(text, encoding="utf-8")
        out = Path(folder) / ("out.jsonl" if lines else "out.json")
        findings = run_checks(SPEC, load_export(source, "native"))
        fixable = set(SPEC.fixes())
        touched = {object_id for f in findings if f.check_id in fixable for object_id in f.objects}
        report = fix_export(SPEC, source, out)
        written = out.read_text(encoding="utf-8")
    assert report.fixed == sum(f.check_id in fixable for f in findings)
    written_objects = [t for e in image_extents(written, lines) for t in object_texts(written[e.start:e.end])]
    for object_id, object_text in texts.items():
        if object_id not in touched:
            assert object_text in written_objects, object_id
    if not touched:
        assert written == text
    images = json.loads(written)["images"] if not lines else [json.loads(x) for x in written.splitlines()]
    ids = [obj["id"] for image in images for obj in image["objects"]]
    assert len(ids) == len(set(ids))
    assert set(texts) - touched <= set(ids)
