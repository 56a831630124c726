"""The labeler docs in a real browser: chromium driven by Python playwright (the ``browser`` fixture).

Each spec's page is loaded from a file: every class, rule and example is there, every example
has its drawing, nothing logs an error, nothing is fetched, and a hostile spec runs nothing.
Screenshots go to the ``artifacts`` folder (``$SPECDSL_ARTIFACTS``) for a person to review.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_docs import SPEC_IDS, SPECS, drawable_count, fixture

from specdsl.diff.changes import declared_changes
from specdsl.docs import STYLESHEET_NAME, render_docs, stylesheet

pytestmark = pytest.mark.slow


class Visit:
    """One page load with everything the page did recorded: requests, console, errors, dialogs."""

    def __init__(self, browser, path: Path, width: int = 1200):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        self.url = path.as_uri()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def fetched(self) -> list[str]:
        return [u for u in self.requests if u != self.url]

    def close(self) -> None:
        self.page.close()


def write_page(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / f"{name.replace('/', '_')}.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=SPEC_IDS)
def test_page_in_the_browser(browser, artifacts, tmp_path, name, spec):
    path = write_page(tmp_path, name, render_docs(spec, changes=declared_changes(spec, 0), since=0))
    visit = Visit(browser, path)
    page = visit.page
    for cls in spec.classes:
        assert page.locator(f"#class-{cls.name}").is_visible()
    for item in (*[f"rule-{r.name}" for r in spec.rules], *[f"quota-{q.name}" for q in spec.quotas]):
        assert page.locator(f"#{item}").is_visible()
    for k, example in enumerate(spec.examples, 1):
        figure = page.locator(f"#example-{k}")
        assert figure.locator("h3").inner_text() == example.title
        assert figure.locator("svg.figure-svg g.obj").count() == drawable_count(spec, example)
        box = figure.locator("svg.figure-svg").bounding_box()
        assert box["width"] > 250
        assert box["height"] > 60  # drawn at a readable size
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 246, 248)"
    assert visit.console == []
    assert visit.errors == []
    assert visit.dialogs == []
    assert visit.fetched() == []
    page.screenshot(path=str(artifacts / f"docs-{Path(name).stem}.png"), full_page=True)
    visit.close()


def test_hostile_spec_runs_nothing_in_the_browser(browser, tmp_path):
    spec = fixture("hostile")
    path = write_page(tmp_path, "hostile", render_docs(spec, changes=declared_changes(spec, 0), since=0))
    visit = Visit(browser, path)
    page = visit.page
    page.mouse.move(200, 400)  # would fire injected onmouseover handlers
    for link in page.locator("main a").all():
        assert link.get_attribute("href").startswith(("#", "https://"))
    injected = page.evaluate("""() => {
        const bad = [...document.querySelectorAll('script, img, iframe, object, embed, b, foreignObject')];
        const handlers = [...document.querySelectorAll('*')]
            .filter(e => [...e.attributes].some(a => a.name.startsWith('on')));
        return bad.length + handlers.length;
    }""")
    assert injected == 0
    assert "<script>alert('title')</script>" in page.locator("#example-1 h3").inner_text()
    assert visit.dialogs == []
    assert visit.errors == []
    assert visit.console == []
    assert visit.fetched() == []
    visit.close()


def test_linked_stylesheet_loads_under_the_page_policy(browser, artifacts, tmp_path):
    """``--assets-dir``: the CSS is a file next to the page and the page's own policy lets it in."""
    spec = fixture("shapes")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / STYLESHEET_NAME).write_text(stylesheet(), encoding="utf-8")
    path = write_page(tmp_path, "linked", render_docs(spec, assets_dir="static"))
    visit = Visit(browser, path, width=700)
    assert visit.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 246, 248)"
    assert visit.fetched() == [(tmp_path / "static" / STYLESHEET_NAME).as_uri()]
    assert visit.console == []
    assert visit.errors == []
    visit.page.locator("#examples").screenshot(path=str(artifacts / "docs-narrow-examples.png"))
    visit.close()
