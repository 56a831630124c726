"""The ``specc stats`` page in a real browser: every chart drawn, no console errors, hostile text inert."""

from __future__ import annotations

import json

import pytest
from conftest import run_specc

pytestmark = pytest.mark.slow
SPEC = """spec roads version 1
image {
  weather: enum { dry, wet } = dry
  note: string ?
}
class vehicle: box {
  blinker: enum { off, left, right }
  speed: float ?
}
quota wet_images: info {
  share(image where weather == wet) >= 40%
}
"""


def test_stats_page_in_chromium(tmp_path, browser, artifacts):
    images = [{"id": f"i{k}", "width": 10, "height": 10,
               "attributes": {"weather": "wet" if k % 5 == 0 else "dry",
                              "note": "<img src=x onerror=\"document.title='pwned'\">"},
               "objects": [{"id": "v", "class": "vehicle", "box": [1, 1, 2, 2],
                            "attributes": {"blinker": ["off", "left"][k % 2], "speed": k / 3}}]}
              for k in range(20)]
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "data.json").write_text(json.dumps({"spec": "roads", "images": images}))
    page_path = tmp_path / "stats.html"
    result = run_specc("stats", str(tmp_path / "roads.spec"), str(tmp_path / "data.json"), "--by", "image.weather",
                       "--format", "html", "-o", str(page_path))
    assert result.returncode == 0, result.stderr
    for width, name in ((1200, "desktop"), (375, "phone")):
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r, requests=requests: requests.append(r.url))
        page.goto(page_path.as_uri())
        assert page.title().startswith("roads v1")
        assert page.locator("#total-images").inner_text() == "20"
        # 5 charts (classes, blinker, speed, weather, note) for the whole data and each weather slice
        assert page.locator("figure.chart").count() == 3 * 5
        assert page.locator("tr.short").count() == 1
        assert page.locator("svg.bars rect").count() > 0
        assert page.title() != "pwned"
        assert not errors
        assert requests == [page_path.as_uri()]
        page.screenshot(path=str(artifacts / f"stats-{name}.png"), full_page=True)
        page.close()
