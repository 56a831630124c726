"""The findings gallery in a real browser: chromium driven by playwright, as for the labeler page.

Each page is loaded from a file at desktop and phone width: every group and figure is there and
visible, each figure outlines the objects its caption names, nothing logs an error or is fetched
(bar the real images asked for with ``--images``), and hostile data runs nothing. Screenshots go to
the ``artifacts`` folder for a person to review.
"""

from __future__ import annotations

import json

import pytest
from conftest import run_specc
from test_docs_browser import Visit
from test_report_html import (
    DIFF_CASE,
    DIFF_LABELS,
    HOSTILE,
    HOSTILE_SPEC,
    LANES,
    REVIEW,
    check_html,
    hostile_export,
    json_findings,
)

pytestmark = pytest.mark.slow

WIDTHS = {"desktop": 1280, "phone": 375}

# What a figure outlines and what its caption names, for every figure of the page.
FIGURES_JS = """() => [...document.querySelectorAll('figure.finding')].map(f => ({
    image: f.querySelector('.image-id').textContent,
    named: [...f.querySelectorAll('figcaption code.object-id')].map(c => c.textContent).sort(),
    outlined: [...f.querySelectorAll('svg g.obj.flagged')].map(g => g.getAttribute('data-object')).sort(),
    halos: f.querySelectorAll('svg g.obj.flagged .halo').length,
    width: f.querySelector('svg').getBoundingClientRect().width,
}))"""

INJECTED_JS = """() => {
    const bad = [...document.querySelectorAll('script, img, iframe, object, embed, foreignObject')];
    const handlers = [...document.querySelectorAll('*')]
        .filter(e => [...e.attributes].some(a => a.name.startsWith('on')));
    return bad.length + handlers.length;
}"""


def assert_quiet(visit: Visit, allowed: tuple[str, ...] = ()) -> None:
    assert visit.console == []
    assert visit.errors == []
    assert visit.dialogs == []
    assert [u for u in visit.fetched() if u not in allowed] == []


@pytest.mark.parametrize("device", list(WIDTHS))
def test_check_gallery_in_the_browser(browser, artifacts, tmp_path, device) -> None:
    expected = json_findings(LANES, REVIEW)
    path, _ = check_html(tmp_path, "--docs-url", "https://docs.example.org/lanes.html")
    visit = Visit(browser, path, width=WIDTHS[device])
    page = visit.page
    for check in {f["check"] for f in expected}:
        section = page.locator(f"section.group[data-check='{check}']")
        assert section.is_visible()
        assert section.locator("figure.finding").count() == sum(1 for f in expected if f["check"] == check)
    figures = page.evaluate(FIGURES_JS)
    assert len(figures) == len(expected)
    for figure in figures:
        assert figure["outlined"] == figure["named"]  # the offending objects, and only they, are outlined
        assert figure["halos"] == len(figure["named"])
        assert figure["width"] > 300  # drawn at a readable size, on a phone too
    assert page.locator("svg.chart g.bar").count() == len({f["check"] for f in expected})
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[device]  # no sideways scrolling
    assert_quiet(visit)
    page.screenshot(path=str(artifacts / f"gallery-check-{device}.png"), full_page=True)
    visit.close()


def test_hostile_gallery_runs_nothing_in_the_browser(browser, tmp_path) -> None:
    spec = tmp_path / "hostile.spec"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    path, _ = check_html(tmp_path, "--docs-url", "javascript:alert('docs')", spec=spec, export=hostile_export(tmp_path))
    visit = Visit(browser, path)
    page = visit.page
    page.mouse.move(300, 500)  # would fire injected onmouseover handlers
    page.mouse.move(600, 900)
    assert page.evaluate(INJECTED_JS) == 0
    text = page.locator("body").inner_text()
    for needle in (*HOSTILE, "<img src=x onerror=alert('rule')>", "\"><svg onload=alert('file')>.json"):
        assert needle in text
    outlined = page.evaluate("[...document.querySelectorAll('g.obj.flagged')].map(g => g.dataset.object)")
    assert HOSTILE[0] in outlined
    assert_quiet(visit)
    visit.close()


def test_real_images_load_under_the_page_policy(browser, artifacts, tmp_path) -> None:
    pil = pytest.importorskip("PIL.Image", reason="drawing test images needs Pillow")
    images = [image["id"] for image in json.loads(REVIEW.read_text(encoding="utf-8"))["images"]]
    for k, image in enumerate(images):
        target = tmp_path.joinpath("frames", *image.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        pil.linear_gradient("L").resize((1280, 720)).point(lambda v, k=k: (v + 30 * k) % 256).convert("RGB").save(target)
    (tmp_path / "out").mkdir()
    path, _ = check_html(tmp_path, "--images", tmp_path / "frames", name="out/report.html")
    visit = Visit(browser, path)
    shown = {(tmp_path / "frames" / f["image"]).as_uri() for f in json_findings(LANES, REVIEW) if f["image"]}
    assert set(visit.fetched()) == shown  # each image with a finding, relative to the page, and nothing else
    assert_quiet(visit, allowed=tuple(shown))  # a missing file or a policy that blocked it would log an error
    shot = artifacts / "gallery-over-image.png"
    visit.page.locator("figure.finding svg").first.screenshot(path=str(shot))
    with pil.open(shot) as drawn:
        # The gradient shows through: an empty frame is mostly one flat grey (about 2/3 of its pixels).
        histogram = drawn.convert("L").histogram()
        assert max(histogram) / sum(histogram) < 0.3
    visit.close()


def test_diff_gallery_in_the_browser(browser, artifacts, tmp_path) -> None:
    out = tmp_path / "diff.html"
    result = run_specc("diff", DIFF_CASE / "old.spec", DIFF_CASE / "new.spec", "--labels", DIFF_LABELS,
                       "--format", "html", "--output-file", out, "-q")
    assert result.returncode == 0, result.stderr
    for device, width in WIDTHS.items():
        visit = Visit(browser, out, width=width)
        figures = visit.page.evaluate(FIGURES_JS)
        assert {f["image"]: f["outlined"] for f in figures} == {"img1": ["c1"], "img2": ["c2", "c3"]}
        assert visit.page.locator("#changes li").count() == 1
        assert_quiet(visit)
        visit.page.screenshot(path=str(artifacts / f"gallery-diff-{device}.png"), full_page=True)
        visit.close()
