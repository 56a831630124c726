"""``specc select`` against an independent brute-force implementation of ENGINE.md, plus the CLI contract.

The reference reads the prediction lines with ``json``, scores every distribution with ``math``, turns each
quota's ``where`` into a probability by hand (the conditions of SPEC written out in Python) and runs the
two-step selection with plain lists. The engine must agree on every pick, in order, with its reason.
"""

from __future__ import annotations

import json
import math
import random
import re

import pytest
from conftest import run_specc

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet, snow } = dry
  country: string ?
}
class vehicle: box {
  blinker: enum { off, left, right }
  parked: bool = false
}
class pedestrian: box {
  child: bool ?
}
class lane_line: polyline {
  color: enum { white, yellow }
}
class sign: point {}
quota blinking: warning {
  share(vehicle where blinker != off and area >= 900) >= 25%
}
quota parked_or_kids: info {
  share(pedestrian where child or image.weather in { wet, snow }) >= 40%
}
quota wet: info {
  share(image where weather == wet and not (width < 300)) >= 30%
}
"""

CLASSES = ("vehicle", "pedestrian", "lane_line", "sign")
GEOMETRY = {"vehicle": "box", "pedestrian": "box", "lane_line": "polyline", "sign": "point"}
ATTRIBUTES = {"vehicle": {"blinker": ("off", "left", "right"), "parked": ("true", "false")},
              "pedestrian": {"child": ("true", "false")}, "lane_line": {"color": ("white", "yellow")}}
QUOTAS = ("blinking", "parked_or_kids", "wet")
TARGETS = {"blinking": 0.25, "parked_or_kids": 0.40, "wet": 0.30}


# ---- generated predictions and labels ----------------------------------------------------------------

def _distribution(rng: random.Random, values, peaked: bool = False) -> dict:
    named = list(values) if rng.random() < 0.8 else rng.sample(list(values), max(1, len(values) - 1))
    weights = [rng.random() ** (4 if peaked else 1) for _ in named]
    total = sum(weights) or 1.0
    probs = [round(w / total, 6) for w in weights]
    probs[0] = round(1.0 - sum(probs[1:]), 6)
    return dict(zip(named, [max(p, 0.0) for p in probs]))


def _object(rng: random.Random) -> dict:
    geometry = rng.choice(["box", "box", "polyline", "point"])
    classes = [c for c in CLASSES if GEOMETRY[c] == geometry]
    obj = {"class": _distribution(rng, classes)}
    x, y = rng.uniform(0, 500), rng.uniform(0, 300)
    if geometry == "box":
        obj["box"] = [x, y, rng.uniform(10, 60), rng.uniform(10, 60)]
    elif geometry == "polyline":
        obj["points"] = [[x, y], [x + rng.uniform(-30, 30), y + rng.uniform(20, 80)]]
    else:
        obj["point"] = [x, y]
    attributes = {}
    for cls in obj["class"]:
        for name, values in ATTRIBUTES.get(cls, {}).items():
            if rng.random() < 0.8:
                attributes[name] = _distribution(rng, values, peaked=rng.random() < 0.5)
    if attributes:
        obj["attributes"] = attributes
    return obj


def predictions(rng: random.Random, n_images: int) -> list[dict]:
    lines = []
    for k in range(n_images):
        line = {"image": f"drive{k % 4}/{k:04d}.jpg", "width": rng.choice([200, 640]), "height": 480}
        if rng.random() < 0.85:
            line["attributes"] = {"weather": _distribution(rng, ("dry", "wet", "snow"))}
        line["objects"] = [_object(rng) for _ in range(rng.randint(0, 5))]
        lines.append(line)
    rng.shuffle(lines)
    return lines


def labeled_export(rng: random.Random, ids: list[str], n_extra: int) -> dict:
    """Labels for some of the predicted images and for other images; quota shares below their targets."""
    images = []
    for image_id in ids + [f"old/{k:04d}.jpg" for k in range(n_extra)]:
        objects = []
        for j in range(rng.randint(0, 4)):
            cls = rng.choice(["vehicle", "vehicle", "pedestrian"])
            attributes = ({"blinker": rng.choice(["off", "off", "off", "left"])} if cls == "vehicle"
                          else ({"child": rng.random() < 0.2} if rng.random() < 0.7 else {}))
            objects.append({"id": f"o{j}", "class": cls, "box": [10, 10, rng.choice([20, 40]), 30],
                            "attributes": attributes})
        images.append({"id": image_id, "width": 640, "height": 480,
                       "attributes": {"weather": rng.choice(["dry", "dry", "dry", "wet"])}, "objects": objects})
    return {"spec": "roads", "images": images}


# ---- the reference implementation -----------------------------------------------------------------------

def _score(distribution: dict, strategy: str) -> float:
    p = sorted(distribution.values(), reverse=True)
    k = len(p)
    if k <= 1:
        return 0.0
    if strategy == "entropy":
        return -sum(x * math.log(x) for x in p if x > 0) / math.log(k)
    if strategy == "margin":
        return 1.0 - (p[0] - p[1])
    return 1.0 - p[0]


def _image_score(line: dict, strategy: str) -> float:
    scores = [0.0]
    for obj in line["objects"]:
        scores.append(_score(obj["class"], strategy))
        scores += [_score(d, strategy) for d in obj.get("attributes", {}).values()]
    scores += [_score(d, strategy) for d in line.get("attributes", {}).values()]
    return max(scores)


def _p(distribution: dict | None, value: str) -> float:
    return 0.0 if distribution is None else distribution.get(value, 0.0)


def _area(obj: dict) -> float:
    return obj["box"][2] * obj["box"][3] if "box" in obj else 0.0


def _top_geometry(obj: dict) -> str:
    ranked = sorted(obj["class"], key=lambda c: (-obj["class"][c], CLASSES.index(c)))
    return GEOMETRY[ranked[0]]


def _object_probability(quota: str, obj: dict, line: dict) -> float:
    attributes = obj.get("attributes", {})
    weather = line.get("attributes", {}).get("weather")
    if quota == "blinking":
        big = _top_geometry(obj) == "box" and _area(obj) >= 900
        return _p(obj["class"], "vehicle") * (1 - _p(attributes.get("blinker") if "vehicle" in obj["class"] else None,
                                                     "off")) * big
    child = _p(attributes.get("child") if "pedestrian" in obj["class"] else None, "true")
    bad_weather = _p(weather, "wet") + _p(weather, "snow")
    return _p(obj["class"], "pedestrian") * (child + bad_weather - child * bad_weather)


def _quota_probabilities(quota: str, line: dict) -> tuple[float, float]:
    if quota == "wet":
        p = _p(line.get("attributes", {}).get("weather"), "wet") * (line["width"] >= 300)
        return p, p
    ps = [_object_probability(quota, obj, line) for obj in line["objects"]]
    none = 1.0
    for p in ps:
        none *= 1 - p
    return 1 - none, sum(ps)


def _labeled_counts(quota: str, export: dict | None) -> tuple[int, int]:
    q = n = 0
    for image in (export or {"images": []})["images"]:
        weather = image["attributes"].get("weather", "dry")
        if quota == "wet":
            n += 1
            q += weather == "wet" and image["width"] >= 300
            continue
        for obj in image["objects"]:
            if quota == "blinking" and obj["class"] == "vehicle":
                n += 1
                q += obj["attributes"]["blinker"] != "off" and _area(obj) >= 900
            if quota == "parked_or_kids" and obj["class"] == "pedestrian":
                n += 1
                q += obj["attributes"].get("child") is True or weather in ("wet", "snow")
    return q, n


def _need(q: int, n: int, t: float) -> int:
    if n and q / n >= t:
        return 0
    if n == 0:
        return 1
    return math.ceil((t * n - q) / (1 - t) - 1e-9)


def reference(lines: list[dict], budget: int, strategy: str, export: dict | None = None,
              per_group: int | None = None, group_by: str | None = None) -> list[tuple[str, str]]:
    labeled = {image["id"] for image in (export or {"images": []})["images"]}
    open_lines = {line["image"]: line for line in lines if line["image"] not in labeled}
    picks: list[tuple[str, str]] = []
    groups: dict[str, int] = {}

    def take(image: str, reason: str) -> bool:
        if per_group is not None:
            found = re.search(group_by, image)
            group = found.group(0) if found else "\0" + image
            if groups.get(group, 0) >= per_group:
                return False
            groups[group] = groups.get(group, 0) + 1
        del open_lines[image]
        picks.append((image, reason))
        return True

    for quota in QUOTAS:
        need = _need(*_labeled_counts(quota, export), TARGETS[quota])
        expected = 0.0
        ranked = sorted(open_lines, key=lambda i: (-_quota_probabilities(quota, open_lines[i])[0], i))
        for image in ranked:
            probability, contribution = _quota_probabilities(quota, open_lines[image])
            if expected >= need or len(picks) >= budget or probability <= 0:
                break
            if take(image, f"quota:{quota}"):
                expected += contribution
    for image in sorted(open_lines, key=lambda i: (-_image_score(open_lines[i], strategy), i)):
        if len(picks) >= budget:
            break
        take(image, "uncertainty")
    return picks


# ---- engine vs reference ----------------------------------------------------------------------------------

def _write(tmp_path, lines: list[dict], export: dict | None = None):
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    if export is not None:
        (tmp_path / "labels.json").write_text(json.dumps(export))


def _engine(tmp_path, budget: int, strategy: str, with_labels: bool, group: tuple | None = None) -> dict:
    from specdsl.compiler import compile_source
    from specdsl.data import load_export
    from specdsl.engine.labels import LabelSet
    from specdsl.engine.predictions import read_predictions
    from specdsl.engine.select import Grouping, select
    from specdsl.gitrev import read_source

    spec = compile_source(read_source(str(tmp_path / "roads.spec"))).spec
    predicted = read_predictions(tmp_path / "p.jsonl", spec)
    labels = [LabelSet.of("labels", spec, load_export(str(tmp_path / "labels.json")))] if with_labels else []
    grouping = Grouping(group[0], re.compile(group[1])) if group else None
    return select(spec, predicted, budget, strategy, labels, grouping).to_dict()


@pytest.mark.parametrize("seed", range(8))
def test_select_matches_the_reference(tmp_path, seed: int) -> None:
    rng = random.Random(seed)
    lines = predictions(rng, rng.randint(20, 70))
    ids = sorted(line["image"] for line in lines)
    export = labeled_export(rng, rng.sample(ids, len(ids) // 5), rng.randint(0, 30)) if seed % 4 else None
    _write(tmp_path, lines, export)
    strategy = ("entropy", "margin", "least-confidence")[seed % 3]
    budget = rng.randint(3, 25)
    group = (2, r"^[^/]+") if seed % 2 else None
    got = _engine(tmp_path, budget, strategy, export is not None, group)
    expected = reference(lines, budget, strategy, export, *(group or (None, None)))
    assert [(p["image"], p["reason"]) for p in got["selected"]] == expected
    by_image = {line["image"]: line for line in lines}
    for pick in got["selected"]:
        assert pick["score"] == pytest.approx(_image_score(by_image[pick["image"]], strategy), abs=1e-9)


def test_quotas_come_first_then_uncertainty(tmp_path) -> None:
    rng = random.Random(11)
    lines = predictions(rng, 60)
    _write(tmp_path, lines)
    got = _engine(tmp_path, 12, "entropy", False)
    reasons = [p["reason"] for p in got["selected"]]
    first_uncertain = reasons.index("uncertainty")
    assert all(r.startswith("quota:") for r in reasons[:first_uncertain])
    assert all(r == "uncertainty" for r in reasons[first_uncertain:])
    scores = [p["score"] for p in got["selected"][first_uncertain:]]
    assert scores == sorted(scores, reverse=True)
    assert {q["name"]: q["need"] for q in got["summary"]["quotas"]} == {q: 1 for q in QUOTAS}


def test_scores_of_single_distributions() -> None:
    import numpy as np

    from specdsl.engine.predictions import Distribution
    from specdsl.engine.uncertainty import distribution_scores

    probs = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.7, 0.2, 0.1], [0.6, 0.4, 0.0]])
    d = Distribution(("a", "b", "c"), probs, np.array([True, True, True, False]), np.array([2, 1, 3, 2]))
    assert distribution_scores(d, "entropy").tolist() == pytest.approx([1.0, 0.0, _score(
        {"a": 0.7, "b": 0.2, "c": 0.1}, "entropy"), 0.0])
    assert distribution_scores(d, "margin").tolist() == pytest.approx([1.0, 0.0, 0.5, 0.0])
    assert distribution_scores(d, "least-confidence").tolist() == pytest.approx([0.5, 0.0, 0.3, 0.0])


# ---- the command line ------------------------------------------------------------------------------------

def test_cli_json_text_and_skips_labeled_images(tmp_path) -> None:
    rng = random.Random(5)
    lines = predictions(rng, 30)
    ids = sorted(line["image"] for line in lines)
    export = labeled_export(rng, ids[:10], 5)
    _write(tmp_path, lines, export)
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "8",
                     "--labels", tmp_path / "labels.json", "--format", "json", "--strategy", "margin")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    picked = [p["image"] for p in document["selected"]]
    assert len(picked) == 8
    assert not set(picked) & set(ids[:10])
    assert document["summary"]["labeled_skipped"] == 10
    assert document["summary"]["candidates"] == 20
    assert [(p["image"], p["reason"]) for p in document["selected"]] == reference(lines, 8, "margin", export)
    text = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "8",
                     "--labels", tmp_path / "labels.json", "--strategy", "margin")
    assert text.returncode == 0, text.stderr
    assert all(image in text.stdout for image in picked)


def test_cli_label_studio_task_list_imports(tmp_path) -> None:
    rng = random.Random(6)
    _write(tmp_path, predictions(rng, 15))
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "5",
                     "--format", "label-studio")
    assert proc.returncode == 0, proc.stderr
    tasks = json.loads(proc.stdout)
    assert len(tasks) == 5
    assert all(t["data"]["image"] for t in tasks)
    sdk = pytest.importorskip("label_studio_sdk.label_interface")
    objects = pytest.importorskip("label_studio_sdk.label_interface.objects")
    config = run_specc("export-config", tmp_path / "roads.spec", "--target", "label-studio")
    assert config.returncode == 0, config.stderr
    interface = sdk.LabelInterface(config.stdout)
    for task in tasks:
        objects.TaskValue(**task)  # the SDK's own model of an importable task
        assert interface.validate_task(task)


def test_cli_queue_gets_label_items(tmp_path) -> None:
    rng = random.Random(7)
    _write(tmp_path, predictions(rng, 20))
    queue = tmp_path / "q.db"
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "4",
                     "--format", "json", "--queue", queue)
    assert proc.returncode == 0, proc.stderr
    picks = json.loads(proc.stdout)["selected"]
    listed = json.loads(run_specc("queue", "list", "--queue", queue, "--format", "json").stdout)
    assert [(i["image"], i["action"], i["reasons"], i["score"]) for i in listed] == \
        [(p["image"], "label", [p["reason"]], p["score"]) for p in picks]


@pytest.mark.parametrize(("args", "message"), [
    (("--per-group", "2"), "--per-group and --group-by go together"),
    (("--per-group", "0", "--group-by", "x"), "--per-group must be 1 or more"),
    (("--per-group", "1", "--group-by", "("), "is not a regular expression"),
    (("--budget", "-1"), "--budget must be 0 or more"),
])
def test_cli_usage_errors(tmp_path, args, message) -> None:
    _write(tmp_path, predictions(random.Random(1), 3))
    budget = () if "--budget" in args else ("--budget", "2")
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", *budget, *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_a_where_that_is_no_probability_names_the_quota(tmp_path) -> None:
    (tmp_path / "odd.spec").write_text("""spec roads version 1
class vehicle: box {
  blinker: enum { off, left, right }
  parked: bool = false
}
quota odd: warning {
  share(vehicle where parked == (blinker == off)) >= 20%
}
""")
    (tmp_path / "p.jsonl").write_text(json.dumps({"image": "x.jpg", "objects": [
        {"class": {"vehicle": 1.0}, "box": [0, 0, 5, 5], "attributes": {"parked": {"true": 0.5, "false": 0.5}}}]}))
    proc = run_specc("select", tmp_path / "odd.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "1")
    assert proc.returncode == 2
    assert "quota odd (" in proc.stderr
    assert "odd.spec:6:1): cannot turn" in proc.stderr


def test_cli_labels_of_another_spec_are_refused(tmp_path) -> None:
    _write(tmp_path, predictions(random.Random(2), 4), {"spec": "lanes", "images": []})
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "2",
                     "--labels", tmp_path / "labels.json")
    assert proc.returncode == 2
    assert "is an export of spec 'lanes', not 'roads'" in proc.stderr
