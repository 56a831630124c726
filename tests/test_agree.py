"""``specc agree`` against an independent brute-force implementation of ENGINE.md, plus the CLI contract."""

from __future__ import annotations

import json
import random
from collections import Counter
from itertools import combinations

import numpy as np
import pytest
import shapely
from conftest import run_specc
from scipy.optimize import linear_sum_assignment

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet } = dry
}
class vehicle: box {
  match iou >= 0.5
  blinker: enum { off, left, right }
  parked: bool = false
}
class pedestrian: box {
  match iou >= 0.3
  child: bool ?
}
class lane_line: polyline {
  match hausdorff <= 12 px
  color: enum { white, yellow }
}
class sign: point {
  kind: string ?
}
class night: tag {}
"""

MATCH = {"vehicle": ("iou", 0.5), "pedestrian": ("iou", 0.3), "lane_line": ("hausdorff", 12.0),
         "sign": ("distance", 10.0)}
GEOMETRY = {"vehicle": "box", "pedestrian": "box", "lane_line": "polyline", "sign": "point", "night": "tag"}
ATTRIBUTES = {"vehicle": {"blinker": None, "parked": False}, "pedestrian": {"child": None},
              "lane_line": {"color": None}, "sign": {"kind": None}, "night": {}}


# ---- generated annotation sets -------------------------------------------------------------------

def _truth(rng: random.Random, n_images: int) -> list[dict]:
    images = []
    for k in range(n_images):
        objects = []
        for _ in range(rng.randint(0, 6)):
            cls = rng.choice(["vehicle", "pedestrian", "lane_line", "sign", "vehicle"])
            objects.append(_object(rng, cls))
        if rng.random() < 0.3:
            objects.append({"class": "night", "attributes": {}})
        images.append({"id": f"seq{k % 3}/{k:04d}.jpg", "width": 400, "height": 300,
                       "attributes": {"weather": rng.choice(["dry", "wet"])}, "objects": objects})
    return images


def _object(rng: random.Random, cls: str) -> dict:
    x, y = rng.uniform(0, 300), rng.uniform(0, 200)
    geometry = {"box": {"box": [x, y, rng.uniform(10, 60), rng.uniform(10, 60)]},
                "polyline": {"points": [[x, y], [x + rng.uniform(-40, 40), y + rng.uniform(30, 90)]]},
                "point": {"point": [x, y]}}[GEOMETRY[cls]]
    attributes = {"vehicle": {"blinker": rng.choice(["off", "left", "right"]), "parked": rng.random() < 0.3},
                  "pedestrian": {"child": rng.random() < 0.5} if rng.random() < 0.7 else {},
                  "lane_line": {"color": rng.choice(["white", "yellow"])},
                  "sign": {"kind": rng.choice(["stop", "yield"])} if rng.random() < 0.6 else {}}[cls]
    return {"class": cls, "attributes": attributes, **geometry}


def _labeler(rng: random.Random, truth: list[dict], name: str) -> dict:
    images = []
    for image in truth:
        if rng.random() < 0.08:
            continue  # this labeler never saw the image
        objects = []
        for obj in image["objects"]:
            if rng.random() < 0.12:
                continue
            objects.append(_perturbed(rng, obj))
        if rng.random() < 0.15:
            objects.append(_object(rng, rng.choice(["vehicle", "lane_line", "sign"])))
        for i, obj in enumerate(objects):
            obj["id"] = f"{name}{i}"
        attributes = dict(image["attributes"])
        if rng.random() < 0.1:
            attributes = {}  # the default (dry) applies
        images.append({**image, "attributes": attributes, "objects": objects})
    return {"spec": "roads", "images": images}


def _perturbed(rng: random.Random, obj: dict) -> dict:
    out = json.loads(json.dumps(obj))
    jitter = lambda: rng.gauss(0, 3)  # noqa: E731
    if "box" in out:
        out["box"] = [v + jitter() for v in out["box"][:2]] + [max(1.0, v + jitter()) for v in out["box"][2:]]
    if "points" in out:
        out["points"] = [[x + jitter(), y + jitter()] for x, y in out["points"]]
    if "point" in out:
        out["point"] = [v + jitter() for v in out["point"]]
    if out["class"] in ("vehicle", "pedestrian") and rng.random() < 0.1:
        out["class"] = "pedestrian" if out["class"] == "vehicle" else "vehicle"
        out["attributes"] = {}
    for key, value in list(out["attributes"].items()):
        if rng.random() < 0.15:
            out["attributes"][key] = {"off": "left", "left": "right", "right": "off", "white": "yellow",
                                      "yellow": "white", "stop": "yield", "yield": "stop"}.get(value, not value) \
                if not isinstance(value, bool) else not value
    if out["class"] == "vehicle":
        out["attributes"].setdefault("blinker", "off")
    if out["class"] == "lane_line":
        out["attributes"].setdefault("color", "white")
    return out


# ---- the reference implementation -------------------------------------------------------------------

def _shape(obj):
    if "box" in obj:
        x, y, w, h = obj["box"]
        return shapely.box(x, y, x + w, y + h)
    if "points" in obj:
        return shapely.LineString(obj["points"])
    return shapely.Point(obj["point"])


def _score(kind: str, a, b) -> float:
    sa, sb = _shape(a), _shape(b)
    if kind == "iou":
        union = sa.union(sb).area
        return sa.intersection(sb).area / union if union else 0.0
    if kind == "hausdorff":
        return sa.hausdorff_distance(sb)
    return sa.distance(sb)


def _passes(cls: str, a, b) -> tuple[bool, float]:
    kind, threshold = MATCH[cls]
    s = _score(kind, a, b)
    return (s >= threshold if kind == "iou" else s <= threshold), s


def _reference_pairs(objs_a: list, objs_b: list) -> list[tuple[int, int, float]]:
    """Brute force per geometry: every pair scored, one assignment over the full matrix."""
    pairs = []
    for geometry in ("box", "polyline", "point"):
        ia = [i for i, o in enumerate(objs_a) if GEOMETRY[o["class"]] == geometry]
        ib = [j for j, o in enumerate(objs_b) if GEOMETRY[o["class"]] == geometry]
        if not ia or not ib:
            continue
        weight = np.zeros((len(ia), len(ib)))
        ok = np.zeros((len(ia), len(ib)), bool)
        scores = np.zeros((len(ia), len(ib)))
        for r, i in enumerate(ia):
            for c, j in enumerate(ib):
                pa, sa = _passes(objs_a[i]["class"], objs_a[i], objs_b[j])
                pb, _ = _passes(objs_b[j]["class"], objs_b[j], objs_a[i])
                ok[r, c] = pa and pb
                scores[r, c] = sa
                weight[r, c] = sa if MATCH[objs_a[i]["class"]][0] == "iou" else -sa
        cost = np.where(ok, -weight, 1e6)
        rows, cols = linear_sum_assignment(cost)
        pairs += [(ia[r], ib[c], scores[r, c]) for r, c in zip(rows, cols) if ok[r, c]]
    for cls in ("night",):
        ta = [i for i, o in enumerate(objs_a) if o["class"] == cls]
        tb = [j for j, o in enumerate(objs_b) if o["class"] == cls]
        pairs += [(i, j, 1.0) for i, j in zip(ta, tb)]
    return pairs


def _value(obj, attribute):
    if obj is None:
        return None
    default = ATTRIBUTES[obj["class"]][attribute]
    return obj["attributes"].get(attribute, default)


def _kappa(pairs):
    n = len(pairs)
    if not n:
        return None
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[v] * cb[v] for v in ca) / n / n
    return None if pe == 1 else (po - pe) / (1 - pe)


def reference(exports: dict[str, dict]) -> tuple[set, dict]:
    names = list(exports)
    by_image = {name: {im["id"]: im for im in exports[name]["images"]} for name in names}
    findings, classes, values = set(), {}, {}
    for cls in GEOMETRY:
        classes[cls] = {"matched": 0, "objects": 0, "unmatched": Counter(), "scores": []}
    for a_name, b_name in combinations(names, 2):
        for image_id, ia in by_image[a_name].items():
            ib = by_image[b_name].get(image_id)
            if ib is None:
                continue
            oa, ob = ia["objects"], ib["objects"]
            for o in oa + ob:
                classes[o["class"]]["objects"] += 1
            pairs = _reference_pairs(oa, ob)
            done_a, done_b = {p[0] for p in pairs}, {p[1] for p in pairs}
            for owner, other, objs, done in ((a_name, b_name, oa, done_a), (b_name, a_name, ob, done_b)):
                for k, o in enumerate(objs):
                    if k not in done:
                        classes[o["class"]]["unmatched"][owner] += 1
                        findings.add((f"{o['class']}.missing", image_id, (f"{owner}:{o['id']}",), (owner, other)))
            for i, j, s in pairs:
                a, b = oa[i], ob[j]
                objects = (f"{a_name}:{a['id']}", f"{b_name}:{b['id']}")
                if a["class"] != b["class"]:
                    findings.add((f"{a['class']}.class", image_id, objects, (a_name, b_name)))
                    continue
                classes[a["class"]]["matched"] += 1
                classes[a["class"]]["scores"].append(s)
                for attribute in ATTRIBUTES[a["class"]]:
                    va, vb = _value(a, attribute), _value(b, attribute)
                    values.setdefault(f"{a['class']}.{attribute}", []).append((va, vb))
                    if va != vb:
                        findings.add((f"{a['class']}.{attribute}", image_id, objects, (a_name, b_name)))
            wa, wb = ia["attributes"].get("weather", "dry"), ib["attributes"].get("weather", "dry")
            values.setdefault("image.weather", []).append((wa, wb))
            if wa != wb:
                findings.add(("image.weather", image_id, (), (a_name, b_name)))
    return findings, {"classes": classes, "values": values}


# ---- the tests -----------------------------------------------------------------------------------------

def _write(tmp_path, exports: dict[str, dict]) -> list[str]:
    (tmp_path / "roads.spec").write_text(SPEC)
    paths = []
    for name, export in exports.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(export))
        paths.append(str(path))
    return paths


def _agree(tmp_path, exports, *extra):
    paths = _write(tmp_path, exports)
    result = run_specc("agree", str(tmp_path / "roads.spec"), *paths, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_labelers_match_the_reference(tmp_path, seed):
    rng = random.Random(seed)
    truth = _truth(rng, 60)
    exports = {"alice": _labeler(rng, truth, "a"), "bob": _labeler(rng, truth, "b")}
    out = _agree(tmp_path, exports)
    expected, ref = reference(exports)
    got = {(f["check"], f["image"], tuple(f["objects"]), tuple(f["labelers"])) for f in out["findings"]}
    assert got == expected
    assert all(f["kind"] == "agreement" and f["severity"] == "warning" for f in out["findings"])
    for cls, entry in out["summary"]["classes"].items():
        tally = ref["classes"][cls]
        assert entry["matched"] == tally["matched"]
        assert entry["unmatched"] == {n: tally["unmatched"][n] for n in ("alice", "bob")}
        expected_f1 = 2 * tally["matched"] / tally["objects"] if tally["objects"] else None
        assert entry["f1"] == pytest.approx(expected_f1)
        if cls in MATCH:
            key = "mean_iou" if MATCH[cls][0] == "iou" else "mean_distance"
            expected_mean = float(np.mean(tally["scores"])) if tally["scores"] else None
            assert entry[key] == pytest.approx(expected_mean)
    for key, pairs in ref["values"].items():
        entry = out["summary"]["attributes"][key]
        assert entry["pairs"] == len(pairs)
        assert entry["agreement"] == pytest.approx(sum(a == b for a, b in pairs) / len(pairs))
        assert entry["kappa"] == pytest.approx(_kappa(pairs))


def test_three_labelers_compare_every_pair_and_report_alpha(tmp_path):
    rng = random.Random(7)
    truth = _truth(rng, 40)
    exports = {name: _labeler(rng, truth, name[0]) for name in ("ann", "ben", "cat")}
    out = _agree(tmp_path, exports)
    expected, ref = reference(exports)
    got = {(f["check"], f["image"], tuple(f["objects"]), tuple(f["labelers"])) for f in out["findings"]}
    assert got == expected
    assert out["labelers"] == ["ann", "ben", "cat"]
    blinker = out["summary"]["attributes"]["vehicle.blinker"]
    assert "kappa" not in blinker
    pairs = ref["values"]["vehicle.blinker"]
    assert blinker["alpha"] == pytest.approx(_alpha_of_pairs(pairs))


def _alpha_of_pairs(pairs):
    """Nominal alpha where every unit is one pair of values: 1 - D_o / D_e over the pooled values."""
    pooled = Counter(v for p in pairs for v in p)
    n = sum(pooled.values())
    d_o = sum(a != b for a, b in pairs) * 2 / n  # each disagreeing pair is two ordered mismatches
    d_e = (n * n - sum(c * c for c in pooled.values())) / (n * (n - 1))
    return 1 - d_o / d_e


def test_images_held_by_one_labeler_are_skipped_and_counted(tmp_path):
    one = {"spec": "roads", "images": [{"id": "x", "width": 10, "height": 10, "objects": []},
                                       {"id": "only_a", "width": 10, "height": 10, "objects": []}]}
    two = {"spec": "roads", "images": [{"id": "x", "width": 10, "height": 10, "objects": []},
                                       {"id": "only_b", "width": 10, "height": 10, "objects": []}]}
    out = _agree(tmp_path, {"a": one, "b": two})
    assert out["summary"]["images"] == 1
    assert out["summary"]["skipped"] == 2


def test_thresholds_and_fail_on_set_the_exit_code(tmp_path):
    rng = random.Random(5)
    truth = _truth(rng, 30)
    paths = _write(tmp_path, {"a": _labeler(rng, truth, "a"), "b": _labeler(rng, truth, "b")})
    spec = str(tmp_path / "roads.spec")
    assert run_specc("agree", spec, *paths).returncode == 0  # agreement reports; it fails only when asked
    assert run_specc("agree", spec, *paths, "--fail-on", "warning").returncode == 1
    low = run_specc("agree", spec, *paths, "--min-kappa", "0.99")
    assert low.returncode == 1
    assert "below --min-kappa" in low.stderr
    assert run_specc("agree", spec, *paths, "--min-kappa", "-1").returncode == 0
    assert run_specc("agree", spec, *paths, "--min-f1", "1.01").returncode == 1
    assert run_specc("agree", spec, *paths, "--min-f1", "0").returncode == 0


@pytest.mark.parametrize("fmt", ["text", "jsonl", "sarif", "github", "junit"])
def test_every_renderer_shows_agreement_findings(tmp_path, fmt):
    rng = random.Random(9)
    truth = _truth(rng, 10)
    paths = _write(tmp_path, {"a": _labeler(rng, truth, "a"), "b": _labeler(rng, truth, "b")})
    result = run_specc("agree", str(tmp_path / "roads.spec"), *paths, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert ".missing" in result.stdout or "missing" in result.stdout
    if fmt == "jsonl":
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert records
        assert all(r["kind"] == "agreement" and len(r["labelers"]) == 2 for r in records)
    if fmt == "sarif":
        assert json.loads(result.stdout)["runs"][0]["results"]


def test_exports_of_another_spec_or_without_common_images_are_refused(tmp_path):
    a = {"spec": "roads", "images": [{"id": "x", "width": 10, "height": 10, "objects": []}]}
    other = {"spec": "signs", "images": [{"id": "x", "width": 10, "height": 10, "objects": []}]}
    paths = _write(tmp_path, {"a": a, "b": other})
    result = run_specc("agree", str(tmp_path / "roads.spec"), *paths)
    assert result.returncode == 2
    assert "signs" in result.stderr
    disjoint = {"spec": "roads", "images": [{"id": "y", "width": 10, "height": 10, "objects": []}]}
    paths = _write(tmp_path, {"a": a, "c": disjoint})
    result = run_specc("agree", str(tmp_path / "roads.spec"), *paths)
    assert result.returncode == 2
    assert "no image in common" in result.stderr


def test_schema_problems_are_reported_and_the_rest_compared(tmp_path):
    a = {"spec": "roads", "images": [{"id": "x", "width": 100, "height": 100, "objects": [
        {"id": "u", "class": "unicorn", "box": [0, 0, 5, 5]},
        {"id": "v", "class": "vehicle", "attributes": {"blinker": "off"}},
        {"id": "w", "class": "vehicle", "box": [10, 10, 20, 20], "attributes": {"blinker": "off"}}]}]}
    b = {"spec": "roads", "images": [{"id": "x", "width": 100, "height": 100, "objects": [
        {"id": "w2", "class": "vehicle", "box": [11, 10, 20, 20], "attributes": {"blinker": "left"}}]}]}
    out = _agree(tmp_path, {"a": a, "b": b})
    checks = [f["check"] for f in out["findings"]]
    assert checks.count("schema") == 2  # the unknown class and the box-less vehicle
    assert "vehicle.blinker" in checks
    assert out["summary"]["classes"]["vehicle"]["matched"] == 1


def _ls_task(task_id: int, annotations: list[tuple[int, list[tuple[float, str]]]]) -> dict:
    """A Label Studio task annotated by several people: (completed_by, [(x, blinker), ...]) each."""
    def result(k, x, blinker):
        common = {"from_name": "label", "to_name": "image", "original_width": 200, "original_height": 100}
        return [{"id": f"r{k}", "type": "rectanglelabels", **common,
                 "value": {"x": x, "y": 10, "width": 10, "height": 20, "rectanglelabels": ["vehicle"]}},
                {"id": f"r{k}", "type": "choices", **common, "from_name": "blinker",
                 "value": {"choices": [blinker]}}]
    return {"id": task_id, "data": {"image": f"/data/{task_id}.jpg"},
            "annotations": [{"id": 10 * task_id + a, "completed_by": who,
                             "result": [r for k, (x, b) in enumerate(boxes) for r in result(k, x, b)]}
                            for a, (who, boxes) in enumerate(annotations)]}


def test_one_label_studio_export_with_several_annotators_is_split(tmp_path):
    tasks = [_ls_task(1, [(7, [(10, "off"), (60, "left")]), (9, [(11, "off"), (61, "right")])]),
             _ls_task(2, [(7, [(30, "off")]), (9, [])])]
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "project.json").write_text(json.dumps(tasks))
    result = run_specc("agree", str(tmp_path / "roads.spec"), str(tmp_path / "project.json"), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["labelers"] == ["7", "9"]
    assert out["summary"]["images"] == 2
    vehicle = out["summary"]["classes"]["vehicle"]
    assert vehicle["matched"] == 2
    assert vehicle["unmatched"] == {"7": 1, "9": 0}
    assert {f["check"] for f in out["findings"]} == {"vehicle.blinker", "vehicle.missing"}
    named = run_specc("agree", str(tmp_path / "roads.spec"), str(tmp_path / "project.json"), "--names", "ann,bob",
                      "--format", "json")
    assert json.loads(named.stdout)["labelers"] == ["ann", "bob"]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_queue_build_takes_agreement_as_one_review_item_per_image(tmp_path, fmt):
    rng = random.Random(21)
    truth = _truth(rng, 25)
    paths = _write(tmp_path, {"a": _labeler(rng, truth, "a"), "b": _labeler(rng, truth, "b")})
    result = run_specc("agree", str(tmp_path / "roads.spec"), *paths, "--format", fmt)
    assert result.returncode == 0, result.stderr
    (tmp_path / f"agree.{fmt}").write_text(result.stdout)
    records = [json.loads(line) for line in result.stdout.splitlines()] if fmt == "jsonl" else \
        json.loads(result.stdout)["findings"]
    expected = {}
    for record in records:
        expected.setdefault(record["image"], set()).add(record["check"])
    queue = tmp_path / "q.db"
    built = run_specc("queue", "build", "--queue", str(queue), str(tmp_path / f"agree.{fmt}"))
    assert built.returncode == 0, built.stderr
    listed = json.loads(run_specc("queue", "list", "--queue", str(queue), "--format", "json").stdout)
    assert {item["image"] for item in listed} == set(expected)
    for item in listed:
        assert item["action"] == "review"
        assert item["objects"] == []
        assert set(item["reasons"]) == expected[item["image"]]


def test_html_gallery_draws_both_labelers_and_outlines_the_objects_in_question(tmp_path):
    import html5lib

    rng = random.Random(31)
    truth = _truth(rng, 12)
    paths = _write(tmp_path, {"ann": _labeler(rng, truth, "a"), "bob": _labeler(rng, truth, "b")})
    spec = str(tmp_path / "roads.spec")
    findings = json.loads(run_specc("agree", spec, *paths, "--format", "json").stdout)["findings"]
    page = tmp_path / "agree.html"
    result = run_specc("agree", spec, *paths, "--format", "html", "-o", str(page), "--max-figures", "1000")
    assert result.returncode == 0, result.stderr
    tree = html5lib.parse(page.read_text(), namespaceHTMLElements=False)
    svg = "{http://www.w3.org/2000/svg}"
    figures = [f for f in tree.iter("figure") if "finding" in f.get("class", "").split()]
    drawn = [f for f in findings if f["objects"]]
    assert len(figures) == len(findings)
    outlines = [sorted(g.get("data-object") for g in f.iter(svg + "g")
                       if {"obj", "flagged"} <= set(g.get("class", "").split())) for f in figures]
    assert sorted(sorted(f["objects"]) for f in drawn) == sorted(o for o in outlines if o)
    every = {g.get("data-object") for f in figures for g in f.iter(svg + "g") if g.get("data-object")}
    assert {o.split(":")[0] for o in every} == {"ann", "bob"}  # both labelers' objects are drawn
    assert "<script" not in page.read_text()
