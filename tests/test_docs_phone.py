"""The labeler page on a phone (375 px wide) in a real browser: nothing leaves the screen sideways,
attribute names stay whole, long enum values wrap. Runs in conftest's shared chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from specdsl.compiler import compile_file, compile_text
from specdsl.docs import render_docs

ROOT = Path(__file__).resolve().parents[1]
PHONE_WIDTH = 375

pytestmark = pytest.mark.slow  # the browser is conftest's shared chromium (skips cleanly without one)

LONG_VALUES_SPEC = '''spec signage version 1

class traffic_sign_with_a_long_name: box {
  regulatory_category_of_the_sign: enum { prohibitory_no_heavy_goods_vehicles_over_seven_and_a_half_tonnes, mandatory_roundabout, warning }
  electronically_variable_message_panel: bool = false
  mounting: enum { post, gantry, overhead_wire_suspended_from_a_catenary_cable } ?
}

example "A sign" valid {
  image 400 x 300
  traffic_sign_with_a_long_name { regulatory_category_of_the_sign: prohibitory_no_heavy_goods_vehicles_over_seven_and_a_half_tonnes, box: [10, 10, 50, 50] }
}
'''

# For each attribute name, the characters after which a line ends: the name wraps only between words.
MEASURE = """() => {
  const right = (e) => e.getBoundingClientRect().right;
  const lineEnds = (element) => {
    const ends = [];
    let previous = null;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const top = range.getBoundingClientRect().top;
        if (previous && top > previous.top + 2) ends.push(previous.char);
        previous = {top: top, char: node.data[i]};
      }
    }
    return ends;
  };
  const names = [...document.querySelectorAll('table.attributes tbody th code, .class-card h3 code, .obj-class, .kv-name')];
  return {
    scrollWidth: document.documentElement.scrollWidth,
    pills: [...document.querySelectorAll('table.attributes .pill')].map(right),
    values: [...document.querySelectorAll('table.attributes .values code, table.objects code')].map(right),
    drawings: [...document.querySelectorAll('svg.figure-svg')].map(right),
    names: names.map(right),
    nameLineEnds: names.flatMap(lineEnds),
    valueLineEnds: [...document.querySelectorAll('table.attributes .values code, .kv code')].flatMap(lineEnds),
  };
}"""


@pytest.mark.parametrize("name", ["long-values", "lanes"])
def test_the_page_fits_a_phone_screen(browser, tmp_path, name):
    spec = compile_text(LONG_VALUES_SPEC, "signage.spec") if name == "long-values" else \
        compile_file(ROOT / "specs" / "lanes.spec")
    page_file = tmp_path / "page.html"
    page_file.write_text(render_docs(spec), encoding="utf-8")
    page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 800})
    try:
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        measured = page.evaluate(MEASURE)
    finally:
        page.close()
    assert measured["scrollWidth"] <= PHONE_WIDTH
    assert measured["pills"]
    assert max(measured["pills"]) <= PHONE_WIDTH
    assert max(measured["values"]) <= PHONE_WIDTH
    assert max(measured["drawings"]) <= PHONE_WIDTH
    assert measured["names"]
    assert max(measured["names"]) <= PHONE_WIDTH
    assert set(measured["nameLineEnds"]) <= {"_"}  # a long name wraps after an underscore, never mid-word
    assert set(measured["valueLineEnds"]) <= {"_"}  # so does a long value made of words
    if name == "long-values":  # the long names and values did have to wrap: the checks above have teeth
        assert measured["nameLineEnds"]
        assert measured["valueLineEnds"]
