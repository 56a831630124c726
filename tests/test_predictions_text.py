"""Prediction text decoded a batch of lines at a time where it lies: line numbers and errors as line by line."""

from __future__ import annotations

import json

import numpy as np
import pytest

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet } = dry
}
class vehicle: box {
  blinker: enum { off, left, right }
}
class lane_line: polyline {}
"""


def _line(k: int) -> dict:
    return {"image": f"{k}.jpg", "attributes": {"weather": {"dry": 0.25, "wet": 0.75}},
            "objects": [{"class": {"vehicle": 0.75, "lane_line": 0.25}, "box": [k, 2, 30, 40],
                         "attributes": {"blinker": {"off": 0.5, "left": 0.5}}},
                        {"class": {"lane_line": 1.0}, "points": [[0, k], [10, 50]]}]}


@pytest.fixture()
def spec():
    from specdsl.compiler import compile_source
    from specdsl.source import Source

    return compile_source(Source("roads.spec", SPEC)).spec


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    from specdsl.engine import predictions_fast

    monkeypatch.setattr(predictions_fast, "BATCH", 4)  # many batches, a short last one (lines with white space)
    monkeypatch.setattr(predictions_fast, "BATCH_BYTES", 300)  # and so for plain text (a line is ~250 bytes)


def _read(tmp_path, spec, text: str):
    from specdsl.engine.predictions import read_predictions

    path = tmp_path / "p.jsonl"
    path.write_bytes(text.encode())
    return read_predictions(path, spec, jobs=1)


def _lines(n: int) -> list[str]:
    return [json.dumps(_line(k)) for k in range(n)]


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_plain_text_reads_as_line_by_line(tmp_path, spec, monkeypatch, end: str) -> None:
    from specdsl.engine import predictions_fast

    whole = _read(tmp_path, spec, end.join(_lines(11)))  # no line end after the last line
    monkeypatch.setattr(predictions_fast, "_batch_cuts", lambda data, begin: None)  # the line-by-line way
    by_line = _read(tmp_path, spec, end.join(_lines(11)))
    assert whole.image_lines.tolist() == list(range(1, 12))
    assert whole.image_ids == by_line.image_ids
    assert np.array_equal(whole.objects.classes.probs, by_line.objects.classes.probs)
    assert np.array_equal(whole.dataset.tables["vehicle"].geometry.box, by_line.dataset.tables["vehicle"].geometry.box)


def test_blank_and_indented_lines_keep_the_numbers(tmp_path, spec) -> None:
    lines = _lines(9)
    text = "\n".join(lines[:3]) + "\n\n   \n" + "\n".join(lines[3:6]) + "\n  " + "\n".join(lines[6:]) + "\n\n"
    read = _read(tmp_path, spec, text)
    assert read.image_lines.tolist() == [1, 2, 3, 6, 7, 8, 9, 10, 11]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("\n".join(_lines(6)) + "\n" + json.dumps(_line(6)) + " " + json.dumps(_line(7)) + "\n" + "\n".join(_lines(3)),
     7, "not JSON"),
    ("\n".join(_lines(6)) + '\n{"image": "x.jpg", "objects": [{"class": {"vehicle": 0.5}, "box": [0, 0, 1, 1]}]}\n'
     + "\n".join(_lines(3)), 7, "object 0 class: the probabilities add up to 0.5"),
    ("\n".join(_lines(6)) + "\n{\"image\": \n" + "\n".join(_lines(3)), 7, "not JSON"),
])
def test_a_bad_line_in_a_batch_is_named(tmp_path, spec, text: str, line: int, message: str) -> None:
    from specdsl.engine.predictions import PredictionError

    with pytest.raises(PredictionError) as caught:
        _read(tmp_path, spec, text)
    assert caught.value.line == line
    assert message in str(caught.value)


@pytest.mark.parametrize("text", [
    "\n".join(_lines(10)),  # no line end after the last line
    "\r\n".join(_lines(10)) + "\r\n",
    "\n".join(_lines(4)) + "\n\n  \n" + "\n".join(json.dumps(_line(k)) for k in range(4, 10)) + "\n",  # blank lines
])
def test_ranges_read_apart_keep_the_numbers(tmp_path, spec, monkeypatch, text: str) -> None:
    from specdsl.engine import predictions_parts
    from specdsl.engine.predictions import read_predictions

    path = tmp_path / "p.jsonl"
    path.write_bytes(text.encode())
    one = read_predictions(path, spec, jobs=1)
    monkeypatch.setattr(predictions_parts, "MIN_BYTES", 0)
    apart = read_predictions(path, spec, jobs=3)
    assert apart.image_lines.tolist() == one.image_lines.tolist()
    assert apart.image_ids == one.image_ids
    assert len(one.image_ids) == 10


@pytest.mark.parametrize(("renormalize", "bad", "message"), [
    (False, {"vehicle": 0.5, "lane_line": 0.25}, "object 0 class: the probabilities add up to 0.75"),
    (True, {"vehicle": 0.0}, "object 0 class: the scores add up to 0"),
])
def test_sums_settled_in_a_worker_name_their_line(tmp_path, spec, monkeypatch, renormalize, bad, message) -> None:
    from specdsl.engine import predictions_parts
    from specdsl.engine.predictions import PredictionError, read_predictions

    lines = [_line(k) for k in range(12)]
    lines[10]["objects"][0]["class"] = bad  # in the last worker's range
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    monkeypatch.setattr(predictions_parts, "MIN_BYTES", 0)
    with pytest.raises(PredictionError) as caught:
        read_predictions(path, spec, renormalize, jobs=3)
    assert caught.value.line == 11
    assert message in str(caught.value)
