"""The labeler page shows each declared fix as a before/after figure."""

from __future__ import annotations

import re

from conftest import SPECS

from specdsl.compiler import compile_file, compile_text
from specdsl.docs import render_docs

LANES = compile_file(SPECS / "lanes.spec")


def _figure(html: str, anchor: str) -> str:
    """The fix block with id ``anchor``: up to the next fix, the end of its constraint or of its rule card."""
    match = re.search(rf'<div class="fix[^"]*" id="{anchor}"(.*?)(?=<div class="fix[ "]|</li>\n|</article>)', html, re.S)
    assert match, anchor
    return match.group(0)


def _shapes(figure: str) -> list[int]:
    return [int(n) for n in re.findall(r'<svg [^>]*data-shapes="(\d+)"', figure)]


def test_every_fix_of_lanes_has_a_before_after_figure() -> None:
    html = render_docs(LANES)
    anchors = re.findall(r'<div class="fix[^"]*" id="([^"]+)"', html)
    assert anchors == ["fix-class-lane_line-require-2", "fix-class-lane_line-require-3", "fix-class-vehicle-require-1",
                       "fix-rule-orange_overrides_white", "fix-rule-dashed_is_one_line"]
    for anchor in anchors:
        assert len(_shapes(_figure(html, anchor))) == 2  # before and after


def test_join_draws_three_dashes_before_and_one_line_after() -> None:
    figure = _figure(render_docs(LANES), "fix-rule-dashed_is_one_line")
    assert _shapes(figure) == [3, 1]
    assert "l2: removed" in figure
    assert "l3: removed" in figure


def test_a_fix_with_an_invalid_example_is_drawn_from_it() -> None:
    figure = _figure(render_docs(LANES), "fix-rule-orange_overrides_white")
    assert "White line left as it was" in figure
    assert "o2: overridden: (unset) → true" in figure
    assert _shapes(figure) == [2, 2]


def test_delete_and_unsafe_are_said_in_words() -> None:
    html = render_docs(LANES)
    vehicle = _figure(html, "fix-class-vehicle-require-1")
    assert "--unsafe-fixes" in vehicle
    assert _shapes(vehicle) == [1, 0]
    assert 'class="fix unsafe"' in html
    assert html.count('class="fix unsafe"') == 1


def test_a_spec_without_fixes_has_no_fix_figure() -> None:
    spec = compile_text("spec s version 1\nclass a: box { require area > 1 }\n")
    assert 'class="fix' not in render_docs(spec)


def test_a_tag_fix_has_no_drawing_but_the_page_renders() -> None:
    spec = compile_text("spec s version 1\nclass t: tag { ok: bool = false\n require ok\n fix set ok = true }\n")
    html = render_docs(spec)
    assert 'id="class-t-require-1"' in html  # the constraint is listed
    assert 'id="fix-class-t-require-1"' not in html
