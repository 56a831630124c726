"""Reading prediction lines: columns out, and a located error (file:line) for every kind of bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_specc

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet } = dry
  country: string ?
}
class vehicle: box {
  blinker: enum { off, left, right }
  parked: bool = false
  speed: float ?
}
class pedestrian: box {}
class lane_line: polyline {}
class night: tag {}
"""

GOOD = {"image": "a.jpg", "width": 100, "height": 80, "attributes": {"weather": {"dry": 0.25, "wet": 0.75}},
        "objects": [{"class": {"vehicle": 0.6, "pedestrian": 0.4}, "box": [1, 2, 30, 40],
                     "attributes": {"blinker": {"off": 0.5, "left": 0.5}, "parked": {"true": 0.1, "false": 0.9}}},
                    {"class": {"lane_line": 1.0}, "points": [[0, 0], [10, 50]]},
                    {"class": {"night": 0.9, "vehicle": 0.1}}]}


@pytest.fixture()
def spec():
    from specdsl.compiler import compile_source
    from specdsl.source import Source

    return compile_source(Source("roads.spec", SPEC)).spec


def _read(tmp_path, spec, lines: list, renormalize: bool = False, jobs: int | None = None):
    from specdsl.engine.predictions import read_predictions

    path = tmp_path / "p.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return read_predictions(path, spec, renormalize, jobs)


def test_columns(tmp_path, spec) -> None:
    second = {"image": "b.jpg", "objects": [{"class": {"pedestrian": 0.7, "vehicle": 0.3}, "box": [5, 5, 5, 5]}]}
    p = _read(tmp_path, spec, [GOOD, "", second])
    objects = p.objects
    assert p.image_ids == ["a.jpg", "b.jpg"]
    assert p.image_lines.tolist() == [1, 3]
    assert objects.image.tolist() == [0, 0, 0, 1]
    assert objects.index.tolist() == [0, 1, 2, 0]
    assert objects.classes.values == ("vehicle", "pedestrian", "lane_line", "night")
    assert objects.classes.probs[:, 0].tolist() == [0.6, 0.0, 0.1, 0.3]
    assert objects.classes.k.tolist() == [2, 1, 2, 2]
    assert objects.top_class.tolist() == [0, 2, 3, 1]
    blinker = objects.attributes[("vehicle", "blinker")]
    assert blinker.given.tolist() == [True, False, False, False]
    assert blinker.k.tolist() == [2, 0, 0, 0]
    assert objects.attributes[("vehicle", "parked")].column(True).tolist() == [0.1, 0, 0, 0]
    assert p.image_attributes["weather"].column("wet").tolist() == [0.75, 0.0]
    # geometry under the most probable class: the views measure it as the checker would
    assert p.views["vehicle"].prop("area").tolist() == [1200.0]
    assert p.views["pedestrian"].prop("area").tolist() == [25.0]
    assert p.objects_of("pedestrian").tolist() == [3]
    assert np.isclose(p.views["lane_line"].prop("length")[0], np.hypot(10, 50))


def test_renormalize_divides_by_the_sum(tmp_path, spec) -> None:
    line = {"image": "a.jpg", "objects": [{"class": {"vehicle": 3, "pedestrian": 1}, "box": [0, 0, 2, 2]}]}
    p = _read(tmp_path, spec, [line], renormalize=True)
    assert p.objects.classes.probs[0, :2].tolist() == [0.75, 0.25]


BAD = [
    ("{not json", 1, "not JSON"),
    ('["a list"]', 1, "must be a JSON object"),
    ({"objects": []}, 1, "needs \"image\""),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 0.5, "pedestrian": 0.4}, "box": [0, 0, 1, 1]}]}, 1,
     "add up to 0.9, not 1"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.2, "pedestrian": -0.2}, "box": [0, 0, 1, 1]}]}, 1,
     "a probability must be a number >= 0"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": "high"}, "box": [0, 0, 1, 1]}]}, 1,
     "a probability must be a number >= 0, not \"high\""),
    ({"image": "a.jpg", "objects": [{"class": {"truck": 1.0}, "box": [0, 0, 1, 1]}]}, 1, "unknown class 'truck'"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.0}, "box": [0, 0, 1, 1],
                                     "attributes": {"blinker": {"hazard": 1.0}}}]}, 1, "unknown value 'hazard'"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.0}, "box": [0, 0, 1, 1],
                                     "attributes": {"colour": {"red": 1.0}}}]}, 1,
     "attribute colour is not an enum or bool attribute of vehicle"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.0}, "box": [0, 0, 1, 1],
                                     "attributes": {"speed": {"1": 1.0}}}]}, 1, "attribute speed is not an enum"),
    ({"image": "a.jpg", "attributes": {"weather": {"fog": 1.0}}}, 1, "unknown value 'fog'"),
    ({"image": "a.jpg", "attributes": {"country": {"de": 1.0}}}, 1, "image.country is a string attribute"),
    ({"image": "a.jpg", "attributes": {"season": {"x": 1.0}}}, 1, "image.season is not an image attribute"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.0}}]}, 1, "has no valid box"),
    ({"image": "a.jpg", "objects": [{"class": {"vehicle": 1.0}, "box": [0, 0, "w", 1]}]}, 1, "box"),
    ({"image": "a.jpg", "objects": [{"class": "vehicle", "box": [0, 0, 1, 1]}]}, 1, "\"class\" must map"),
    ({"image": "a.jpg", "objects": {"class": {}}}, 1, "\"objects\" must be a list"),
]


@pytest.mark.parametrize(("bad", "line", "message"), BAD)
def test_located_errors(tmp_path, spec, bad, line, message) -> None:
    from specdsl.engine.predictions import PredictionError

    good = {"image": "first.jpg", "objects": []}
    with pytest.raises(PredictionError) as caught:
        _read(tmp_path, spec, [good, bad])
    assert caught.value.line == line + 1
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{tmp_path / 'p.jsonl'}:{line + 1}: ")


def test_repeated_image_names_both_lines(tmp_path, spec) -> None:
    from specdsl.engine.predictions import PredictionError

    with pytest.raises(PredictionError, match=r":3: image a.jpg was already predicted on line 1"):
        _read(tmp_path, spec, [{"image": "a.jpg"}, {"image": "b.jpg"}, {"image": "a.jpg"}])


@pytest.mark.parametrize("command", ["select", "suspect"])
def test_cli_reports_the_line_without_a_traceback(tmp_path, command) -> None:
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "p.jsonl").write_text(json.dumps(GOOD) + "\n" + json.dumps(
        {"image": "b.jpg", "objects": [{"class": {"vehicle": 0.5}, "box": [0, 0, 1, 1]}]}) + "\n")
    (tmp_path / "labels.json").write_text(json.dumps({"spec": "roads", "images": []}))
    extra = ("--budget", "3") if command == "select" else (tmp_path / "labels.json",)
    proc = run_specc(command, tmp_path / "roads.spec", *extra, "--predictions", tmp_path / "p.jsonl")
    assert proc.returncode == 2
    assert "p.jsonl:2: object 0 class: the probabilities add up to 0.5, not 1" in proc.stderr
    assert "Traceback" not in proc.stderr
    renormalized = run_specc(command, tmp_path / "roads.spec", *extra, "--predictions", tmp_path / "p.jsonl",
                             "--renormalize")
    assert renormalized.returncode == 0, renormalized.stderr


def test_suspect_names_a_predictions_problem_before_an_export_problem(tmp_path) -> None:
    """The exports are read after the predictions: a broken predictions file is reported, not the missing
    export; with the predictions mended, the export is."""
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "p.jsonl").write_text(json.dumps(GOOD) + "\n" + "{not json\n")
    proc = run_specc("suspect", tmp_path / "roads.spec", tmp_path / "missing.json", "--predictions", tmp_path / "p.jsonl")
    assert proc.returncode == 2
    assert "p.jsonl:2" in proc.stderr
    assert "missing.json" not in proc.stderr
    (tmp_path / "p.jsonl").write_text(json.dumps(GOOD) + "\n")
    proc = run_specc("suspect", tmp_path / "roads.spec", tmp_path / "missing.json", "--predictions", tmp_path / "p.jsonl")
    assert proc.returncode == 2
    assert "missing.json" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "roads.spec").write_text(SPEC)
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "nope.jsonl", "--budget", "1")
    assert proc.returncode == 2
    assert "nope.jsonl: cannot read" in proc.stderr


def test_importing_specdsl_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = ("import sys, specdsl, specdsl.engine.predictions, specdsl.engine.select, specdsl.engine.suspect, "
            "specdsl.cli.select, specdsl.cli.suspect; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---- large files: two halves read on two cores give the same columns and the same first error ----------


def _lines(n: int) -> list:
    lines = []
    for k in range(n):
        line = json.loads(json.dumps(GOOD))
        line["image"] = f"img{k:03d}.jpg"
        line["objects"][0]["class"] = {"vehicle": 0.5 + k / (4 * n), "pedestrian": 0.5 - k / (4 * n)}
        lines.append(line)
    return lines


def _workers(monkeypatch) -> None:
    """Read even a small file in parts, one per worker process."""
    from specdsl.engine import predictions_parts

    monkeypatch.setattr(predictions_parts, "MIN_BYTES", 0)


def test_split_read_equals_one_process(tmp_path, spec, monkeypatch) -> None:
    _workers(monkeypatch)
    one = _read(tmp_path, spec, _lines(9), jobs=1)
    two = _read(tmp_path, spec, _lines(9), jobs=3)
    assert two.image_ids == one.image_ids
    assert two.image_lines.tolist() == one.image_lines.tolist()
    for name in ("image", "index", "line", "top_class", "table_row"):
        assert getattr(two.objects, name).tolist() == getattr(one.objects, name).tolist(), name
    assert np.array_equal(two.objects.classes.probs, one.objects.classes.probs)
    for key, distribution in one.objects.attributes.items():
        assert np.array_equal(two.objects.attributes[key].probs, distribution.probs)
        assert two.objects.attributes[key].given.tolist() == distribution.given.tolist()
    assert np.array_equal(two.image_attributes["weather"].probs, one.image_attributes["weather"].probs)
    for name in ("vehicle", "pedestrian", "lane_line"):
        assert two.views[name].table.image_index.tolist() == one.views[name].table.image_index.tolist()
        assert np.array_equal(two.views[name].bounds_cached, one.views[name].bounds_cached)


def test_split_read_keeps_error_order(tmp_path, spec, monkeypatch) -> None:
    from specdsl.engine.predictions import PredictionError

    _workers(monkeypatch)
    lines = _lines(8)
    lines[6]["objects"][0]["class"] = {"truck": 1.0}  # second half
    with pytest.raises(PredictionError, match=r":7: object 0 class: unknown class 'truck'"):
        _read(tmp_path, spec, lines)
    lines[1]["objects"][0]["class"] = {"vehicle": 2.0}  # first half: reported first
    with pytest.raises(PredictionError, match=r":2: object 0 class: the probabilities add up to 2"):
        _read(tmp_path, spec, lines)
    repeated = _lines(8)
    repeated[6]["image"] = repeated[2]["image"]
    with pytest.raises(PredictionError, match=r":7: image img002.jpg was already predicted on line 3"):
        _read(tmp_path, spec, repeated)
