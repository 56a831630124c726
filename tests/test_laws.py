"""Evaluator laws: properties every spec and every export must satisfy, whatever their content."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import pytest
from conftest import ROOT, SPECS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.compiler import compile_file
from specdsl.data.build import build_dataset
from specdsl.data.records import ImageRecord
from specdsl.validate import check_example, run_checks

ALL_SPECS = sorted(SPECS.rglob("*.spec"))
LANES = compile_file(SPECS / "lanes.spec")
EXAMPLE_IMAGES = json.loads((SPECS / "examples" / "lanes.json").read_text())["images"]


def _dataset(images: list[dict]):
    return build_dataset([ImageRecord(img, "mem.json", f"/images/{k}") for k, img in enumerate(images)], "mem.json")


def _keys(findings) -> list[tuple]:
    return sorted((f.check, f.image or "", f.objects, f.message) for f in findings)


@pytest.mark.parametrize("path", ALL_SPECS, ids=[p.stem for p in ALL_SPECS])
def test_valid_examples_fire_nothing_and_invalid_ones_fire_their_check(path) -> None:
    spec = compile_file(path)
    for example in spec.examples:
        fired = {f.check for f in check_example(spec, example)}
        if example.valid:
            assert not fired, f"{path.name}: example {example.title!r} fired {fired}"
        else:
            assert example.check in fired, f"{path.name}: example {example.title!r} did not fire {example.check}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_image_or_object_order(rnd: random.Random) -> None:
    images = [dict(img, objects=list(img["objects"])) for img in EXAMPLE_IMAGES * 3]
    images = [dict(img, id=f"{img['id']}#{k}") for k, img in enumerate(images)]
    shuffled = [dict(img, objects=rnd.sample(img["objects"], len(img["objects"]))) for img in images]
    rnd.shuffle(shuffled)
    assert _keys(run_checks(LANES, _dataset(images))) == _keys(run_checks(LANES, _dataset(shuffled)))


def test_a_subset_of_checks_is_a_filter_of_the_whole_run() -> None:
    images = json.loads(json.dumps(EXAMPLE_IMAGES))
    images[1]["objects"][1]["attributes"].pop("overridden")  # orange_overrides_white now fires
    full = run_checks(LANES, _dataset(images))
    for check in {f.check for f in full}:
        assert _keys(run_checks(LANES, _dataset(images), checks={check})) == _keys(f for f in full if f.check == check)


def test_rules_agree_with_a_brute_force_evaluation() -> None:
    """orange_overrides_white through the STRtree join equals a plain double loop over each image."""
    rnd = random.Random(3)
    images = []
    for i in range(40):
        objects = []
        for j in range(8):
            x = rnd.uniform(0, 300)
            color = rnd.choice(["white", "orange", "yellow"])
            objects.append({"id": f"l{j}", "class": "lane_line", "points": [[x, 99], [x + rnd.uniform(-20, 20), 1]],
                            "attributes": {"color": color, "overridden": rnd.random() < 0.3}})
        images.append({"id": f"img{i}", "width": 320, "height": 100, "objects": objects})
    fast = {(f.image, f.objects) for f in run_checks(LANES, _dataset(images), checks={"orange_overrides_white"})}
    import shapely

    slow = set()
    for img in images:
        for o in img["objects"]:
            for w in img["objects"]:
                if o is w or o["attributes"]["color"] != "orange" or w["attributes"]["color"] != "white":
                    continue
                near = shapely.LineString(o["points"]).distance(shapely.LineString(w["points"])) < 8
                if near and not w["attributes"]["overridden"]:
                    slow.add((img["id"], (o["id"], w["id"])))
    assert fast == slow
    assert fast


def test_non_finite_coordinates_and_empty_images() -> None:
    images = [{"id": "a", "width": 10, "height": 10, "objects": [
        {"id": "x", "class": "vehicle", "box": [math.inf, 0, 1, 1], "attributes": {"blinker": "off", "parked": False}},
        {"id": "y", "class": "lane_line", "points": [[0, 0], [math.nan, 1]], "attributes": {"color": "white"}}]},
        {"id": "b", "width": 10, "height": 10, "objects": []}]
    findings = run_checks(LANES, _dataset(images), checks={"schema"})
    assert sorted(f.message for f in findings) == ["'box' has a non-finite coordinate",
                                                    "'points' vertex 1 has a non-finite coordinate"]


def test_importing_specdsl_does_not_import_torch() -> None:
    code = "import sys, specdsl, specdsl.compiler, specdsl.validate, specdsl.queue; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_spec_text_is_never_executed(tmp_path) -> None:
    """Spec strings and names are data: nothing in the compiler evaluates them as Python."""
    marker = tmp_path / "pwned"
    hostile = f'spec s version 1\nclass a: box {{ n: string = "__import__(\'os\').system(\'touch {marker}\')" }}\n'
    spec_path = tmp_path / "h.spec"
    spec_path.write_text(hostile)
    compile_file(spec_path)
    assert not marker.exists()
    import re

    calls = re.compile(r"(?<![\w.])(eval|exec)\(")
    offenders = [p for p in (ROOT / "specdsl").rglob("*.py") if calls.search(p.read_text())]
    assert not offenders
