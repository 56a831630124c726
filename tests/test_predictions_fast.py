"""The columnar fast path of reading predictions equals the general reader, and hands it what it cannot read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import compare
import pytest
from conftest import run_specc

SPEC = """spec shared version 1
image {
  weather: enum { dry, wet } = dry
}
class car: box {
  color: enum { red, blue }
  parked: bool = false
}
class bike: box {
  color: enum { red, green }
}
class lane: polyline {}
class sign: point {}
class night: tag {}
"""

LINES = [
    {"image": "a.jpg", "width": 640, "height": 480.5, "attributes": {"weather": {"dry": 0.3, "wet": 0.7}},
     "objects": [
         # both classes named: the color distribution goes to both (values of both)
         {"class": {"car": 0.5, "bike": 0.5}, "box": [1, 2, 30, 40], "attributes": {"color": {"red": 1.0}}},
         {"class": {"car": 0.9, "night": 0.1}, "box": [5.5, 6, 7, 8],
          "attributes": {"color": {"blue": 0.8, "red": 0.2}, "parked": {"true": 0.4, "false": 0.6}}},
         {"class": {"lane": 1}, "points": [[0, 0], [10, 50], [20, 60]]},
         {"class": {"sign": 0.7, "car": 0.3}, "point": [3, 4]},
         {"class": {"night": 1.0}},
         {"class": {"bike": 1.0}, "box": [0, 0, 0, 0], "attributes": {"color": {"green": 1.0}}}]},
    {"image": "b.jpg", "objects": []},
    {"image": "c.jpg", "attributes": None, "objects": [{"class": {"lane": 1.0}, "points": [], "attributes": None}]},
]


@pytest.fixture()
def spec():
    from specdsl.compiler import compile_source
    from specdsl.source import Source

    return compile_source(Source("shared.spec", SPEC)).spec


def _write(tmp_path, lines: list) -> str:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def _general(path: str, spec, renormalize: bool = False):
    from specdsl.engine.predictions import _Reader

    lines = [(k, line) for k, line in enumerate(Path(path).read_bytes().split(b"\n"), 1) if line.strip()]
    return _Reader(path, spec, renormalize).read(lines)


def _same(fast, general) -> list[str]:
    differences = []
    for name in ("source", "image_ids", "image_lines", "image_attributes", "objects", "dataset"):
        differences += compare.differences(getattr(fast, name), getattr(general, name), name)
    return differences


def test_fast_columns_equal_the_general_reader(tmp_path, spec, monkeypatch) -> None:
    from specdsl.engine import predictions

    path = _write(tmp_path, LINES)
    general = _general(path, spec)

    def refuse(*args):
        raise AssertionError("lines of the common shape must not need the general reader")

    monkeypatch.setattr(predictions, "read_lines", refuse)
    fast = predictions.read_predictions(path, spec, jobs=1)
    assert _same(fast, general) == []
    assert fast.objects.attributes[("bike", "color")].given.tolist() == [True, False, False, False, False, True, False]
    assert fast.objects.attributes[("car", "color")].column("red").tolist()[:2] == [1.0, 0.2]


def test_renormalized_scores_equal_the_general_reader(tmp_path, spec) -> None:
    from specdsl.engine.predictions import read_predictions

    lines = json.loads(json.dumps(LINES))
    for obj in lines[0]["objects"]:
        obj["class"] = {name: 3 * p + 1 for name, p in obj["class"].items()}
    lines[0]["attributes"]["weather"] = {"dry": 7, "wet": 0}
    path = _write(tmp_path, lines)
    fast = read_predictions(path, spec, renormalize=True, jobs=1)
    assert _same(fast, _general(path, spec, renormalize=True)) == []
    assert fast.image_attributes["weather"].column("dry").tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(("change", "general"), [
    (lambda line: line["objects"][0].update(score=0.9), True),  # a key the fast path does not know
    (lambda line: line["objects"][0].update(mask={"size": [4, 4], "counts": "04"}), True),
    (lambda line: line["objects"][1].update(box=[5, 6, 7, 8.0], attributes={"parked": {"true": 1}}), False),
    (lambda line: line.update(width=None, extra={"any": ["thing"]}), False),  # other line keys are ignored
])
def test_other_shapes_read_the_same(tmp_path, spec, monkeypatch, change, general) -> None:
    from specdsl.engine import predictions

    lines = json.loads(json.dumps(LINES))
    change(lines[0])
    path = _write(tmp_path, lines)
    expected = _general(path, spec)
    used = []
    monkeypatch.setattr(predictions, "read_lines", lambda *args: used.append(1) or _general(path, spec))
    assert _same(predictions.read_predictions(path, spec, jobs=1), expected) == []
    assert bool(used) == general


@pytest.mark.parametrize(("widths", "general"), [
    ([640, 1920, 7], False),
    ([640.5, None, 7], False),
    ([None, None, None], False),
    ([10_000_000, 1, 2], False),  # MAX_EXTENT itself
    ([640, True, 7], True),  # a bool is no size
    ([640, 10_000_001, 7], True),
    ([640, 10**400, 7], True),  # beyond any float
    ([640, 0, 7], True),
    ([640, -3.5, 7], True),
])
def test_image_sizes_read_as_the_general_reader_reads_them(tmp_path, spec, monkeypatch, widths, general) -> None:
    from specdsl.engine import predictions

    lines = json.loads(json.dumps(LINES))
    for line, width in zip(lines, widths):
        line["width"] = width
    path = _write(tmp_path, lines)
    used = []
    real = predictions.read_lines
    monkeypatch.setattr(predictions, "read_lines", lambda *args: used.append(1) or real(*args))
    try:
        expected = _general(path, spec)
    except predictions.PredictionError as problem:
        with pytest.raises(predictions.PredictionError, match=re.escape(str(problem))):
            predictions.read_predictions(path, spec, jobs=1)
    else:
        assert _same(predictions.read_predictions(path, spec, jobs=1), expected) == []
    assert bool(used) == general


def test_the_first_problem_in_file_order_is_named(tmp_path, spec) -> None:
    from specdsl.engine.predictions import PredictionError, read_predictions

    lines = json.loads(json.dumps(LINES))
    lines[0]["attributes"]["weather"]["wet"] = 0.5  # line 1: an image attribute that does not add up
    lines[2]["objects"][0]["class"] = {"lane": 0.5}  # line 3: a class that does not add up
    with pytest.raises(PredictionError, match=r":1: image.weather: the probabilities add up to 0.8, not 1"):
        read_predictions(_write(tmp_path, lines), spec, jobs=1)
    lines[2]["objects"][0]["class"] = {"truck": 1.0}  # an unknown class after the sum problem: still line 1
    with pytest.raises(PredictionError, match=r":1: image.weather: the probabilities add up to 0.8"):
        read_predictions(_write(tmp_path, lines), spec, jobs=1)


@pytest.mark.parametrize(("bad", "message"), [
    ({"image": "x.jpg", "objects": [{"class": {"bike": 1.0}, "box": [0, 0, 1, 1],
                                     "attributes": {"color": {"blue": 1.0}}}]},
     "object 0 bike.color: unknown value 'blue'"),
    ({"image": "x.jpg", "objects": [{"class": {"lane": 1.0}, "box": [0, 0, 1, 1],
                                     "attributes": {"color": {"red": 1.0}}}]},
     "object 0: attribute color is not an enum or bool attribute of lane"),
    ({"image": "x.jpg", "objects": [{"class": {"car": 1.0}, "box": [0, 0, -1, 1]}]},
     "box width and height must not be negative"),
    ({"image": "x.jpg", "width": 0, "objects": []}, "image 'width' must be a positive number"),
])
def test_problems_the_fast_path_leaves_are_located(tmp_path, spec, bad, message) -> None:
    from specdsl.engine.predictions import PredictionError, read_predictions

    with pytest.raises(PredictionError) as caught:
        read_predictions(_write(tmp_path, [LINES[1], bad]), spec, jobs=1)
    assert caught.value.line == 2
    assert message in str(caught.value)


def test_suspect_output_is_the_same_for_every_jobs(tmp_path) -> None:
    (tmp_path / "shared.spec").write_text(SPEC)
    labels = {"spec": "shared", "images": [
        {"id": "a.jpg", "width": 640, "height": 480, "objects": [
            {"id": "c1", "class": "car", "box": [1, 2, 30, 40], "attributes": {"color": "blue"}},
            {"id": "l1", "class": "lane", "points": [[0, 0], [10, 50], [20, 60]]}]},
        {"id": "c.jpg", "width": 640, "height": 480, "objects": []}]}
    (tmp_path / "labels.json").write_text(json.dumps(labels))
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(line) + "\n" for line in LINES))
    outputs = []
    for jobs in ("1", "2"):
        proc = run_specc("suspect", tmp_path / "shared.spec", tmp_path / "labels.json", "--predictions",
                         tmp_path / "p.jsonl", "--format", "json", "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["summary"]["matched"] == 2


def test_a_dead_worker_has_its_range_read_here(tmp_path, spec, monkeypatch) -> None:
    from specdsl.engine import forked, predictions_parts
    from specdsl.engine.predictions import read_predictions

    lines = [dict(LINES[0], image=f"{k}.jpg") for k in range(6)]
    path = _write(tmp_path, lines)
    monkeypatch.setattr(predictions_parts, "MIN_BYTES", 0)
    monkeypatch.setattr(forked, "_run", lambda send, work: send.close())  # every worker ends without a result
    fast = read_predictions(path, spec, jobs=3)
    assert _same(fast, _general(path, spec)) == []
    assert fast.image_lines.tolist() == [1, 2, 3, 4, 5, 6]


def test_a_range_that_cannot_be_mapped_is_read(tmp_path, spec, monkeypatch) -> None:
    """A file that got shorter after it was cut (mmap refuses a length past its end) is read as it is now."""
    from specdsl.engine import predictions_parts
    from specdsl.engine.predictions_fast import Schema

    path = _write(tmp_path, LINES)
    size = Path(path).stat().st_size
    whole = predictions_parts.read_range(Schema(spec), path, 0, size)
    with open(path, "ab") as grown:  # cut at the old size, then the file changes
        grown.truncate(size - 1)
    shorter = predictions_parts.read_range(Schema(spec), path, 0, size)
    assert shorter.n_objects == whole.n_objects
    assert shorter.image_ids == whole.image_ids
