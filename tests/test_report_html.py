"""``--format html``: the findings gallery of ``check`` and ``diff --labels``, parsed as a browser would.

The page is read with html5lib in strict mode (a parse error fails the test); groups, figures and the
outlined objects are found by the classes and data attributes the page promises. Browser behaviour
(rendering, console, screenshots) is in ``test_report_html_browser.py``.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest
from conftest import ROOT, run_specc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_properties import contexts, reports

from specdsl.compiler import compile_file
from specdsl.palette import class_colors
from specdsl.report import CheckReport, RenderContext, render
from specdsl.report.finding import Finding, summarize
from specdsl.report.gallery.model import DrawnObject, GalleryContext, ImageObjects
from specdsl.report.gallery.sample import evenly, fair_shares, sample

LANES = ROOT / "specs" / "lanes.spec"
REVIEW = ROOT / "specs" / "examples" / "review.json"
DIFF_CASE = ROOT / "tests" / "diff_cases" / "CLASS_REMOVED"
DIFF_LABELS = ROOT / "tests" / "diff_cases" / "labels.json"
SVG = "{http://www.w3.org/2000/svg}"
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
HOSTILE = ("<script>alert('id')</script>", '" onmouseover="alert(1)', "javascript:alert('x')")


# ---- helpers shared with the browser tests ------------------------------------------------------------


def parse_strict(html: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def check_html(tmp_path: Path, *args, spec: Path = LANES, export: Path = REVIEW, name: str = "report.html",
               expect: int = 1) -> tuple[Path, str]:
    out = tmp_path / name
    result = run_specc("check", spec, export, "--format", "html", "--output-file", out, "--progress", "none", *args)
    assert result.returncode == expect, result.stderr
    return out, out.read_text(encoding="utf-8")


def json_findings(spec: Path, export: Path) -> list[dict]:
    result = run_specc("check", spec, export, "--format", "json", "--progress", "none")
    return json.loads(result.stdout)["findings"]


def groups_of(tree) -> dict[str, object]:
    return {s.get("data-check"): s for s in tree.iter("section") if "group" in s.get("class", "").split()}


def figures_in(element) -> list:
    return [f for f in element.iter("figure") if "finding" in f.get("class", "").split()]


def outlined(figure) -> list[str]:
    """The ids of the objects a figure outlines (their SVG groups carry the ``flagged`` class)."""
    return [g.get("data-object") for g in figure.iter(SVG + "g")
            if {"obj", "flagged"} <= set(g.get("class", "").split())]


def caption_objects(figure) -> list[str]:
    return [c.text for c in figure.iter("code") if "object-id" in c.get("class", "").split()]


def assert_inert(tree) -> None:
    """Nothing from the data became markup: no scripts or handlers, no script links, ids we made."""
    tags = {el.tag.rsplit("}", 1)[-1] for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "iframe", "object", "embed", "img", "foreignObject", "b"}
    for element in tree.iter():
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.lower().startswith("on"), (element.tag, name, value)
            if local == "href":
                assert not value.strip().lower().startswith(("javascript:", "data:text", "vbscript:")), value
            if local == "id":
                assert SAFE_ID.match(value), value


def hostile_export(folder: Path) -> Path:
    """An export whose every string tries to become markup: ids, attribute values, the file's own name."""
    images = [{"id": "javascript:alert('img')", "width": 640, "height": 360, "spec_version": 3,
               "attributes": {"weather": "dry"},
               "objects": [{"id": HOSTILE[0], "class": "lane_line", "points": [[10, 300], [12, 299]],
                            "attributes": {"color": "white"}},
                           {"id": HOSTILE[1], "class": "lane_line", "points": [[100, 350], [300, 20]],
                            "attributes": {"color": "<img src=x onerror=alert('value')>"}},
                           {"id": HOSTILE[2], "class": "vehicle", "box": [400, 100, 2, 2],
                            "attributes": {"blinker": "off", "parked": False}}]},
              {"id": "<svg onload=alert('image')>.jpg", "width": 640, "height": 360, "spec_version": 3,
               "attributes": {"weather": "wet"},
               "objects": [{"id": f"l{k}", "class": "lane_line", "points": [[20 + 40 * k, 350], [30 + 40 * k, 50]],
                            "attributes": {"color": "white"}} for k in range(13)]}]
    path = folder / "\"><svg onload=alert('file')>.json"
    path.write_text(json.dumps({"spec": "lanes", "images": images}), encoding="utf-8")
    return path


HOSTILE_SPEC = """spec lanes version 3

image {
  weather: enum { dry, wet } = dry
}

class lane_line: polyline {
  color: enum { white, yellow }
  require length >= 10  "<script>alert('constraint')</script> too short"
}

class vehicle: box {
  blinker: enum { off, left }
  parked: bool
  require area >= 16
}

rule few_lines: warning {
  "<img src=x onerror=alert('rule')> More than 12 lines."
  require count(lane_line) <= 12
}
"""


# ---- sampling ------------------------------------------------------------------------------------------


@given(st.lists(st.integers(0, 60), max_size=8), st.integers(0, 200))
def test_fair_shares_use_the_budget_fairly(sizes, budget) -> None:
    shares = fair_shares(sizes, budget)
    assert sum(shares) == min(budget, sum(sizes))
    assert all(0 <= share <= size for share, size in zip(shares, sizes))
    # A group that did not get all it has got as much as any other group (give or take the one left over
    # by the integer division).
    for share, size in zip(shares, sizes):
        if share < size:
            assert all(share >= other - 1 for other in shares)


@given(st.integers(0, 500), st.integers(0, 500))
def test_evenly_spreads_distinct_indices(count, take) -> None:
    picked = evenly(count, take)
    assert len(picked) == min(count, take)
    assert picked == sorted(set(picked))
    assert all(0 <= i < count for i in picked)
    if 0 < take < count:  # no stretch of the input is left out: gaps are at most twice the even step
        gaps = [b - a for a, b in zip([-1, *picked], [*picked, count])]
        assert max(gaps) <= 2 * count / take + 1


def test_sample_skips_items_without_a_group() -> None:
    keys = ["a"] * 10 + [None] * 5 + ["b"] * 3
    chosen = sample(keys, 7)
    assert len(chosen) == 7
    assert all(keys[i] is not None for i in chosen)
    assert Counter(keys[i] for i in chosen) == {"b": 3, "a": 4}


# ---- any text --------------------------------------------------------------------------------------


def drawn_for(report: CheckReport) -> dict:
    """Figure data naming every finding's objects (their ids as arbitrary as the findings'), for the property."""
    figures = {}
    for finding in report.findings:
        if finding.image is not None:
            objects = tuple(DrawnObject(o, "lane_line", "polyline", ((1.0, 2.0 + k), (50.0, 60.0)), o)
                            for k, o in enumerate(finding.objects))
            figures[(finding.source, finding.image)] = ImageObjects(finding.image, finding.source, 100, 80, objects)
    return figures


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports, contexts, st.booleans())
def test_any_text_makes_a_valid_inert_page(report: CheckReport, ctx: RenderContext, with_figures: bool) -> None:
    if with_figures:
        ctx = GalleryContext(**{f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)},
                             figures=drawn_for(report))
    page = render("html", report, ctx)
    tree = parse_strict(page.encode("utf-8").decode("utf-8"))  # encodable (no lone surrogate) and valid HTML
    assert_inert(tree)
    sections = [s for s in tree.iter("section") if "group" in s.get("class", "").split()]
    assert len(sections) == len({f.check for f in report.findings})
    if with_figures:
        assert len(figures_in(tree)) == sum(1 for f in report.findings if f.image is not None)


# ---- check --format html ----------------------------------------------------------------------------


def test_every_check_and_every_finding_is_drawn_with_its_objects_outlined(tmp_path) -> None:
    expected = json_findings(LANES, REVIEW)
    _, html = check_html(tmp_path, "--docs-url", "https://docs.example.org/lanes.html")
    tree = parse_strict(html)
    groups = groups_of(tree)
    assert set(groups) == {f["check"] for f in expected}
    by_check = Counter(f["check"] for f in expected if f["image"] is not None)
    for check, section in groups.items():
        figures = figures_in(section)
        assert len(figures) == by_check[check], check
        link = next(a for a in section.iter("a") if "docs-link" in a.get("class", "").split())
        assert link.get("href").startswith("https://docs.example.org/lanes.html#")
    drawn = [(f.find(".//p[@class='image-id']").text, caption_objects(f), outlined(f))
             for s in groups.values() for f in figures_in(s)]
    wanted = sorted((f["image"], f["objects"]) for f in expected if f["image"] is not None)
    assert sorted((image, objects) for image, objects, _ in drawn) == wanted
    for _, objects, flagged in drawn:
        assert sorted(flagged) == sorted(objects)  # exactly the named objects are outlined
    assert_inert(tree)


def test_groups_come_in_severity_order_with_a_summary_row_and_bar_each(tmp_path) -> None:
    _, html = check_html(tmp_path)
    tree = parse_strict(html)
    sections = [s for s in tree.iter("section") if "group" in s.get("class", "").split()]
    severities = [s.find(".//h2/span").text for s in sections]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    rows = [r for r in tree.iter("tr") if r.get("data-group")]
    assert [r.get("data-group") for r in rows] == [s.get("id") for s in sections]
    bars = [g for g in tree.iter(SVG + "g") if "bar" in g.get("class", "").split()]
    assert len(bars) == len(sections)
    counts = {s.get("data-check"): int(s.get("data-total")) for s in sections}
    assert [int(b.find(SVG + "text[@class='bar-count']").text) for b in bars] == list(counts.values())


def test_an_image_level_finding_marks_the_frame(tmp_path) -> None:
    _, html = check_html(tmp_path)
    few = groups_of(parse_strict(html))["few_lines"]
    (figure,) = figures_in(few)
    assert outlined(figure) == []
    edge = next(r for r in figure.iter(SVG + "rect") if r.get("class") == "frame-edge")
    assert edge.get("stroke-dasharray")  # the dashed red frame of an image-level finding


def test_objects_take_the_colour_their_colour_attribute_names(tmp_path) -> None:
    _, html = check_html(tmp_path)
    section = groups_of(parse_strict(html))["orange_overrides_white"]
    strokes = {g.get("data-object"): g.find(SVG + "polyline[@fill='none'][@stroke-width='3']").get("stroke")
               for g in section.iter(SVG + "g") if g.get("data-class") == "lane_line"}
    assert strokes["al2"] != strokes["al1"]  # yellow and white lines are told apart, not one class colour


def test_max_figures_samples_evenly_per_check_and_counts_the_rest(tmp_path) -> None:
    images = [{"id": f"img{i:03d}.jpg", "width": 200, "height": 100, "spec_version": 3, "attributes": {},
               "objects": [{"id": f"s{i}", "class": "lane_line", "points": [[10, 90], [11, 90]],
                            "attributes": {"color": "white"}},
                           {"id": f"v{i}", "class": "vehicle", "box": [50, 20, 2, 2],
                            "attributes": {"blinker": "left", "parked": False}}] if i < 5 else
               [{"id": f"s{i}", "class": "lane_line", "points": [[10, 90], [11, 90]], "attributes": {"color": "white"}}]}
              for i in range(40)]
    export = tmp_path / "many.json"
    export.write_text(json.dumps({"spec": "lanes", "images": images}), encoding="utf-8")
    _, html = check_html(tmp_path, "--max-figures", "12", export=export)
    groups = groups_of(parse_strict(html))
    short, small = groups["lane_line.require.2"], groups["vehicle.require.1"]
    assert len(figures_in(small)) == 5  # the small check is drawn whole ...
    assert len(figures_in(short)) == 7  # ... and the big one takes what is left of the 12
    assert short.get("data-undrawn") == "33"
    assert "33 more findings of this group not drawn" in html
    drawn = [int(f.find(".//p[@class='image-id']").text[3:6]) for f in figures_in(short)]
    assert drawn == sorted(drawn)
    assert drawn[0] < 6  # spread over the whole run, not its first twelve
    assert drawn[-1] > 33
    assert "12 of 45 findings on images are drawn (--max-figures 12)" in html


def test_several_exports_are_drawn_from_their_own_files(tmp_path) -> None:
    """Two exports with the same image ids: each finding is drawn from the export it was found in."""
    document = json.loads(REVIEW.read_text(encoding="utf-8"))
    for image in document["images"]:
        for obj in image["objects"]:
            obj["id"] = "second_" + obj["id"]
    second = tmp_path / "second.json"
    second.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "both.html"
    result = run_specc("check", LANES, REVIEW, second, "--format", "html", "--output-file", out, "-q")
    assert result.returncode == 1, result.stderr
    figures = [f for s in groups_of(parse_strict(out.read_text(encoding="utf-8"))).values() for f in figures_in(s)]
    assert len(figures) == 2 * sum(1 for f in json_findings(LANES, REVIEW) if f["image"] is not None)
    for figure in figures:
        where = figure.find(".//p[@class='where']/code").text
        drawn = [g.get("data-object") for g in figure.iter(SVG + "g") if "obj" in g.get("class", "").split()]
        from_second = where.startswith(str(second))
        assert all(d.startswith("second_") == from_second for d in drawn), where
        assert sorted(outlined(figure)) == sorted(caption_objects(figure))


def test_max_figures_zero_draws_nothing_but_keeps_the_counts(tmp_path) -> None:
    _, html = check_html(tmp_path, "--max-figures", "0")
    tree = parse_strict(html)
    assert figures_in(tree) == []
    assert sum(int(s.get("data-total")) for s in groups_of(tree).values()) == len(json_findings(LANES, REVIEW))


def test_hostile_strings_from_the_export_and_the_spec_stay_text(tmp_path) -> None:
    spec = tmp_path / "hostile.spec"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    export = hostile_export(tmp_path)
    _, html = check_html(tmp_path, "--docs-url", "javascript:alert('docs')", spec=spec, export=export)
    tree = parse_strict(html)
    assert_inert(tree)
    text = "".join(tree.itertext())
    for needle in (*HOSTILE, "javascript:alert('img')", "<svg onload=alert('image')>.jpg",
                   "<script>alert('constraint')</script> too short", "<img src=x onerror=alert('rule')>",
                   "<img src=x onerror=alert('value')>", "\"><svg onload=alert('file')>.json"):
        assert needle in text, needle
    assert not any(a.get("href") for a in tree.iter("a") if "docs-link" in a.get("class", "").split())
    outlined_ids = {o for f in figures_in(tree) for o in outlined(f)}
    assert {HOSTILE[0], HOSTILE[2]} <= outlined_ids  # hostile ids are still the objects' ids


def test_render_without_figure_data_lists_the_findings(tmp_path) -> None:
    """A library caller with a plain RenderContext gets the groups and no figures (nothing to draw with)."""
    findings = (Finding("few_lines", "rule", "warning", "a.jpg", (), "too many", "x.json", "/images/0", "s:1:1"),
                Finding("blinkers_on", "quota", "warning", None, (), "too few", "x.json", "", "s:2:1"))
    report = CheckReport("lanes", 3, summarize(1, 0, findings), findings)
    tree = parse_strict(render("html", report, RenderContext("lanes.spec")))
    assert set(groups_of(tree)) == {"few_lines", "blinkers_on"}
    assert figures_in(tree) == []
    assert len([li for li in tree.iter("li") if "text-only" in li.get("class", "")]) == 2


# ---- real images -------------------------------------------------------------------------------------


def image_folder(root: Path, ids: list[str], content: bytes = b"not really a jpeg") -> Path:
    for image in ids:
        path = root.joinpath(*image.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def backgrounds(tree) -> dict[str, str]:
    """Figure title (the image id) -> href of its ``<image>``."""
    found = {}
    for svg in tree.iter(SVG + "svg"):
        image = svg.find(SVG + "image")
        if image is not None:
            found[svg.find(SVG + "title").text] = image.get("href")
    return found


def image_policy(tree) -> str:
    meta = next(m for m in tree.iter("meta") if m.get("http-equiv") == "Content-Security-Policy")
    return next(part.strip() for part in meta.get("content").split(";") if part.strip().startswith("img-src"))


def review_images() -> list[str]:
    return [image["id"] for image in json.loads(REVIEW.read_text(encoding="utf-8"))["images"]]


def test_images_folder_is_linked_relative_to_the_page(tmp_path) -> None:
    ids = review_images()
    folder = image_folder(tmp_path / "frames", ids[:-1])  # the last image is missing on disk
    (tmp_path / "out").mkdir()
    out, html = check_html(tmp_path, "--images", folder, name="out/report.html")
    hrefs = backgrounds(parse_strict(html))
    assert hrefs
    assert ids[-1] not in hrefs
    for image, href in hrefs.items():
        assert href == "../frames/" + image
        assert (out.parent / unquote(href)).resolve() == (folder / image).resolve()
    assert image_policy(parse_strict(html)) == "img-src 'self' file:"


def test_image_hrefs_are_percent_encoded(tmp_path) -> None:
    export = hostile_export(tmp_path)
    folder = image_folder(tmp_path / "frames", ["javascript:alert('img')"])
    _, html = check_html(tmp_path, "--images", folder, export=export)
    tree = parse_strict(html)
    assert backgrounds(tree) == {"javascript:alert('img')": "frames/javascript%3Aalert%28%27img%27%29"}
    assert_inert(tree)


def test_images_url_prefix(tmp_path) -> None:
    _, html = check_html(tmp_path, "--images", "https://cdn.example.org/fleet/")
    hrefs = backgrounds(parse_strict(html))
    assert hrefs["drive_0412/000031.jpg"] == "https://cdn.example.org/fleet/drive_0412/000031.jpg"
    assert image_policy(parse_strict(html)) == "img-src https://cdn.example.org"


def test_embed_images_inlines_small_thumbnails(tmp_path) -> None:
    pil = pytest.importorskip("PIL.Image", reason="--embed-images needs Pillow (pip install 'specdsl[images]')")
    ids = review_images()
    for k, image in enumerate(ids):
        path = tmp_path.joinpath("frames", *image.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        pil.effect_noise((1280, 720), 40 + k).convert("RGB").save(path, format="JPEG", quality=95)
    _, html = check_html(tmp_path, "--images", tmp_path / "frames", "--embed-images")
    hrefs = backgrounds(parse_strict(html))
    assert set(hrefs) == {f["image"] for f in json_findings(LANES, REVIEW) if f["image"] is not None}
    for href in hrefs.values():
        assert href.startswith("data:image/jpeg;base64,")
        with pil.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))) as thumb:
            assert thumb.size == (320, 180)
    assert len(html) < 40_000 * len(ids)  # thumbnails, not the 1280 px originals
    assert image_policy(parse_strict(html)) == "img-src data:"


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "html", "--embed-images"), "--embed-images needs --images"),
    (("--format", "html", "--images", "no/such/folder"), "no such folder"),
    (("--format", "json", "--images", "."), "need --format html"),
    (("--format", "html", "--max-figures", "-1"), "must be 0 or more"),
])
def test_bad_gallery_options_are_usage_errors(tmp_path, args, message) -> None:
    result = run_specc("check", LANES, REVIEW, "--output-file", tmp_path / "r.html", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


# ---- diff --labels --format html --------------------------------------------------------------------


def test_diff_labels_gallery_draws_each_item_with_its_objects_outlined(tmp_path) -> None:
    out = tmp_path / "diff.html"
    result = run_specc("diff", DIFF_CASE / "old.spec", DIFF_CASE / "new.spec", "--labels", DIFF_LABELS,
                       "--format", "html", "--output-file", out, "-q")
    old_spec = compile_file(DIFF_CASE / "old.spec")
    assert result.returncode == 0, result.stderr
    expected = json.loads((DIFF_CASE / "expected.json").read_text(encoding="utf-8"))
    tree = parse_strict(out.read_text(encoding="utf-8"))
    (section,) = groups_of(tree).values()
    assert section.get("data-check") == "delete: CLASS_REMOVED"
    drawn = {f.find(".//p[@class='image-id']").text: sorted(outlined(f)) for f in figures_in(section)}
    assert drawn == {item["image"]: sorted(item["objects"]) for item in expected["impact"]}
    assert any("Class 'car' was removed." in "".join(li.itertext()) for li in tree.iter("li"))
    # the removed class is drawn as a box (its geometry in the old version), in its old colour
    boxes = [g for g in section.iter(SVG + "g") if g.get("data-class") == "car"]
    assert boxes
    assert {g.find(SVG + "rect[@fill-opacity]").get("stroke") for g in boxes} == {class_colors(old_spec)["car"]}
    assert_inert(tree)


def test_diff_without_labels_lists_the_changes(tmp_path) -> None:
    result = run_specc("diff", DIFF_CASE / "old.spec", DIFF_CASE / "new.spec", "--format", "html")
    assert result.returncode == 0, result.stderr
    tree = parse_strict(result.stdout)
    assert groups_of(tree) == {}
    assert "CLASS_REMOVED" in "".join(tree.find(".//section[@id='changes']").itertext())
