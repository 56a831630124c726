"""``specc stats`` against an independent count of ENGINE.md's record, plus need, drift and the HTML page."""

from __future__ import annotations

import json
import random
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from conftest import run_specc
from hypothesis import given
from hypothesis import strategies as st

from specdsl.engine.drift import jensen_shannon, linf, shift
from specdsl.engine.quotas import need

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet, snow } = dry
  country: string ?
}
class vehicle: box {
  blinker: enum { off, left, right, hazard }
  parked: bool = false
  confidence: float 0..1 ?
}
class lane_line: polyline {
  color: enum { white, yellow, orange }
}
quota blinkers_on: warning {
  share(vehicle where blinker != off) >= 35%
}
quota wet_images: info {
  share(image where weather == wet) >= 40%
}
quota few_orange: info {
  share(lane_line where color == orange) <= 50%
}
"""

ENUMS = {"blinker": ["off", "left", "right", "hazard"], "color": ["white", "yellow", "orange"],
         "weather": ["dry", "wet", "snow"]}


def _export(rng: random.Random, n: int, wet: float = 0.2) -> dict:
    images = []
    for k in range(n):
        attributes = {}
        if rng.random() < 0.8:
            attributes["weather"] = "wet" if rng.random() < wet else rng.choice(["dry", "snow"])
        if rng.random() < 0.5:
            attributes["country"] = rng.choice(["US", "DE"])
        objects = []
        for i in range(rng.randint(0, 5)):
            if rng.random() < 0.6:
                a = {"blinker": rng.choice(ENUMS["blinker"][:3] if rng.random() < 0.9 else ENUMS["blinker"])}
                if rng.random() < 0.5:
                    a["parked"] = rng.random() < 0.4
                if rng.random() < 0.6:
                    a["confidence"] = round(rng.random(), 3)
                objects.append({"id": f"o{i}", "class": "vehicle", "box": [1, 1, 5, 5], "attributes": a})
            else:
                objects.append({"id": f"o{i}", "class": "lane_line", "points": [[0, 0], [0, 40]],
                                "attributes": {"color": rng.choice(ENUMS["color"])}})
        images.append({"id": f"img{k}", "width": 100, "height": 100, "attributes": attributes, "objects": objects})
    return {"spec": "roads", "images": images}


# ---- the reference ------------------------------------------------------------------------------------

DEFAULTS = {"weather": "dry", "parked": False}


def _name(value) -> str:
    return "null" if value is None else ("true" if value is True else "false" if value is False else str(value))


def _ordered(counter: Counter, declared: list) -> dict:
    keys = [v for v in declared if v in counter] + sorted((v for v in counter if v not in declared and v is not None),
                                                         key=_name) + ([None] if None in counter else [])
    return {_name(k): counter[k] for k in keys}


def _quartiles(values: list[float], nulls: int) -> dict:
    out = {"min": None, "q1": None, "median": None, "q3": None, "max": None}
    if values:
        q1, med, q3 = np.percentile(values, [25, 50, 75])
        out = {"min": min(values), "q1": q1, "median": med, "q3": q3, "max": max(values)}
    if nulls:
        out["null"] = nulls
    return out


def _need(q: int, n: int, t: Fraction) -> int:
    k = 0
    while Fraction(q + k, n + k) < t:
        k += 1
    return k


def reference(images: list[dict]) -> dict:
    vehicles = [o for im in images for o in im["objects"] if o["class"] == "vehicle"]
    lanes = [o for im in images for o in im["objects"] if o["class"] == "lane_line"]
    value = lambda o, a: o["attributes"].get(a, DEFAULTS.get(a))  # noqa: E731
    classes = {
        "vehicle": {"objects": len(vehicles),
                    "images": sum(any(o["class"] == "vehicle" for o in im["objects"]) for im in images),
                    "attributes": {
                        "blinker": _ordered(Counter(value(o, "blinker") for o in vehicles), ENUMS["blinker"]),
                        "parked": _ordered(Counter(value(o, "parked") for o in vehicles), [False, True]),
                        "confidence": _quartiles([value(o, "confidence") for o in vehicles
                                                  if value(o, "confidence") is not None],
                                                 sum(value(o, "confidence") is None for o in vehicles))}},
        "lane_line": {"objects": len(lanes),
                      "images": sum(any(o["class"] == "lane_line" for o in im["objects"]) for im in images),
                      "attributes": {"color": _ordered(Counter(value(o, "color") for o in lanes), ENUMS["color"])}},
    }
    image_value = lambda im, a: im["attributes"].get(a, DEFAULTS.get(a))  # noqa: E731
    blinking = sum(value(o, "blinker") != "off" for o in vehicles)
    wet = sum(image_value(im, "weather") == "wet" for im in images)
    orange = sum(value(o, "color") == "orange" for o in lanes)
    quotas = []
    for name, q, n, target, op in (("blinkers_on", blinking, len(vehicles), Fraction(35, 100), ">="),
                                   ("wet_images", wet, len(images), Fraction(40, 100), ">="),
                                   ("few_orange", orange, len(lanes), Fraction(50, 100), "<=")):
        share = q / n if n else None
        met = share is not None and (share >= target if op == ">=" else share <= target)
        need_k = 0 if met else (_need(q, n, target) if op == ">=" else None)
        quotas.append({"name": name, "share": share, "target": float(target), "met": met, "need": need_k})
    return {"images": len(images), "objects": len(vehicles) + len(lanes), "classes": classes,
            "image_attributes": {
                "weather": _ordered(Counter(image_value(im, "weather") for im in images), ENUMS["weather"]),
                "country": _ordered(Counter(image_value(im, "country") for im in images), [])},
            "quotas": quotas}


def _close(got, expected, path="") -> None:
    if isinstance(expected, dict):
        assert isinstance(got, dict), path
        assert list(got) == list(expected), f"{path}: {list(got)} != {list(expected)}"
        for key in expected:
            _close(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), path
        for k, (g, e) in enumerate(zip(got, expected)):
            _close(g, e, f"{path}[{k}]")
    elif isinstance(expected, float):
        assert got == pytest.approx(expected), path
    else:
        assert got == expected, path


def _write(tmp_path, **exports) -> list[str]:
    (tmp_path / "roads.spec").write_text(SPEC)
    paths = []
    for name, export in exports.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(export))
        paths.append(str(tmp_path / f"{name}.json"))
    return paths


def _stats(tmp_path, paths, *extra):
    result = run_specc("stats", str(tmp_path / "roads.spec"), *paths, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("seed", [11, 12])
def test_record_matches_an_independent_count(tmp_path, seed):
    rng = random.Random(seed)
    first, second = _export(rng, 150), _export(rng, 90)
    out = _stats(tmp_path, _write(tmp_path, first=first, second=second))
    expected = reference(first["images"] + second["images"])
    slices = out.pop("slices")
    assert slices == {}
    _close(out, expected)


def test_slices_by_image_and_class_attribute(tmp_path):
    rng = random.Random(3)
    export = _export(rng, 200)
    out = _stats(tmp_path, _write(tmp_path, data=export), "--by", "image.weather", "--by", "vehicle.blinker")
    images = export["images"]
    for weather in ("dry", "wet", "snow"):
        subset = [im for im in images if im["attributes"].get("weather", "dry") == weather]
        got = out["slices"][f"image.weather={weather}"]
        expected = reference(subset)
        _close({k: got[k] for k in ("images", "objects", "classes", "image_attributes")},
               {k: expected[k] for k in ("images", "objects", "classes", "image_attributes")})
    left = out["slices"]["vehicle.blinker=left"]
    n_left = sum(o["attributes"].get("blinker") == "left" for im in images for o in im["objects"])
    assert left["classes"]["vehicle"]["objects"] == n_left
    assert left["classes"]["vehicle"]["attributes"]["blinker"] == {"left": n_left}
    assert list(left["classes"]) == ["vehicle"]


def test_a_short_quota_says_how_many_items_to_source(tmp_path):
    rng = random.Random(4)
    export = _export(rng, 100, wet=0.05)
    out = _stats(tmp_path, _write(tmp_path, data=export))
    wet = next(q for q in out["quotas"] if q["name"] == "wet_images")
    assert not wet["met"]
    n, share = out["images"], wet["share"]
    q = round(share * n)
    assert wet["need"] > 0
    assert (q + wet["need"]) / (n + wet["need"]) >= 0.4
    assert (q + wet["need"] - 1) / (n + wet["need"] - 1) < 0.4
    text = run_specc("stats", str(tmp_path / "roads.spec"), str(tmp_path / "data.json"))
    assert "wet_images" in text.stdout
    assert str(wet["need"]) in text.stdout


@given(q=st.integers(0, 500), extra=st.integers(0, 500), percent=st.integers(1, 99))
def test_need_is_the_smallest_sufficient_number(q, extra, percent):
    n = q + extra
    t = Fraction(percent, 100)
    k = need(">=", percent / 100, q, n)
    if n:
        assert k == _need(q, n, t)
    else:
        assert k == 1  # an empty population: one qualifying item makes the share 1
    strict = need(">", percent / 100, q, n)
    assert strict is not None
    assert Fraction(q + strict, n + strict) > t
    if strict > 0 and n + strict - 1 > 0:
        assert Fraction(q + strict - 1, n + strict - 1) <= t


def test_need_of_an_upper_bound_quota_is_none_when_short():
    assert need("<=", 0.1, 50, 100) is None
    assert need("<=", 0.6, 50, 100) == 0


@given(st.dictionaries(st.sampled_from("abcde"), st.integers(1, 50), min_size=1),
       st.dictionaries(st.sampled_from("abcde"), st.integers(1, 50), min_size=1))
def test_drift_measures_are_symmetric_bounded_and_zero_on_equal_data(p, q):
    s = shift(p, q)
    assert s == pytest.approx(shift(q, p))
    assert 0 <= s["js"] <= 1 + 1e-12
    assert 0 <= s["linf"] <= 1
    assert shift(p, p) == {"linf": 0.0, "js": 0.0}


def test_drift_of_known_distributions():
    assert linf({"a": 0.5, "b": 0.5}, {"a": 0.8, "b": 0.2}) == pytest.approx(0.3)
    assert jensen_shannon({"a": 1.0}, {"b": 1.0}) == pytest.approx(1.0)
    p, q = np.array([0.5, 0.5]), np.array([0.8, 0.2])
    m = (p + q) / 2
    expected = 0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m))
    assert jensen_shannon({"a": 0.5, "b": 0.5}, {"a": 0.8, "b": 0.2}) == pytest.approx(expected)


def test_drift_against_older_data_and_max_drift(tmp_path):
    rng = random.Random(8)
    new, old = _export(rng, 150, wet=0.6), _export(rng, 150, wet=0.05)
    paths = _write(tmp_path, new=new, old=old)
    out = _stats(tmp_path, paths[:1], "--against", paths[1])
    weather = out["drift"]["attributes"]["image.weather"]
    p = {k: v / out["images"] for k, v in out["image_attributes"]["weather"].items()}
    old_out = _stats(tmp_path, paths[1:])
    q = {k: v / old_out["images"] for k, v in old_out["image_attributes"]["weather"].items()}
    assert weather["linf"] == pytest.approx(max(abs(p.get(k, 0) - q.get(k, 0)) for k in set(p) | set(q)))
    spec = str(tmp_path / "roads.spec")
    assert run_specc("stats", spec, paths[0], "--against", paths[1], "--max-drift", "0.1").returncode == 1
    assert run_specc("stats", spec, paths[0], "--against", paths[1], "--max-drift", "1.0").returncode == 0
    assert run_specc("stats", spec, paths[0], "--max-drift", "0.1").returncode == 2


def test_unknown_slice_and_foreign_spec_are_refused(tmp_path):
    paths = _write(tmp_path, data=_export(random.Random(1), 5))
    result = run_specc("stats", str(tmp_path / "roads.spec"), *paths, "--by", "image.nope")
    assert result.returncode == 2
    assert "--by image.nope" in result.stderr
    other = {"spec": "signs", "images": []}
    (tmp_path / "other.json").write_text(json.dumps(other))
    result = run_specc("stats", str(tmp_path / "roads.spec"), str(tmp_path / "other.json"))
    assert result.returncode == 2
    assert "signs" in result.stderr


def test_html_page_is_self_contained_and_escapes_data(tmp_path):
    rng = random.Random(2)
    export = _export(rng, 30)
    export["images"][0]["attributes"]["country"] = "<script>alert(1)</script>"
    paths = _write(tmp_path, data=export)
    out = tmp_path / "stats.html"
    result = run_specc("stats", str(tmp_path / "roads.spec"), *paths, "--format", "html", "-o", str(out),
                       "--by", "image.weather")
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "http://" not in html
    assert "https://" not in html
    import html5lib

    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    assert not [e for e in parser.errors if "eof" not in str(e).lower()]
    assert html.count("<svg") >= 5
