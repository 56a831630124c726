"""PredictionWriter: a model's logits and geometry -> prediction lines that `specc select` and `suspect` read."""

from __future__ import annotations

import json

import pytest
from conftest import run_specc

torch = pytest.importorskip("torch")

SPEC = """spec roads version 1
image {
  weather: enum { dry, wet } = dry
}
class vehicle: box {
  blinker: enum { off, left, right }
  parked: bool = false
}
class pedestrian: box {}
class lane_line: polyline {}
"""


def _write(path, **extra):
    from specdsl.torch import PredictionWriter

    with PredictionWriter(path, classes=["vehicle", "pedestrian"], attributes={"blinker": ["off", "left", "right"],
                                                                               "parked": [False, True]},
                          image_attributes={"weather": ["dry", "wet"]}, **extra) as writer:
        logits = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
        writer.add("a.jpg", class_logits=logits, boxes=torch.tensor([[0, 0, 10, 10], [50, 50, 5, 8]]),
                   attribute_logits={"blinker": torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
                                     "parked": torch.tensor([[0.0, 1.0], [0.0, 0.0]])},
                   image_attribute_logits={"weather": torch.tensor([0.0, 1.0])}, width=100, height=80)
        writer.add("b.jpg")  # nothing detected
    return writer


def test_lines_hold_softmax_probabilities_and_geometry(tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    writer = _write(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert writer.lines == 2
    assert [line["image"] for line in lines] == ["a.jpg", "b.jpg"]
    first = lines[0]
    assert first["width"] == 100.0
    assert first["attributes"]["weather"]["wet"] == pytest.approx(torch.softmax(torch.tensor([0.0, 1.0]), 0)[1].item())
    vehicle = first["objects"][0]
    assert vehicle["class"]["vehicle"] == pytest.approx(1 / (1 + torch.exp(torch.tensor(-2.0)).item()))
    assert vehicle["box"] == [0.0, 0.0, 10.0, 10.0]
    assert set(vehicle["attributes"]["parked"]) == {"false", "true"}
    assert lines[1]["objects"] == []
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_specc_reads_what_the_writer_writes(tmp_path) -> None:
    _write(tmp_path / "p.jsonl")
    (tmp_path / "roads.spec").write_text(SPEC)
    proc = run_specc("select", tmp_path / "roads.spec", "--predictions", tmp_path / "p.jsonl", "--budget", "2",
                     "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [p["image"] for p in json.loads(proc.stdout)["selected"]] == ["a.jpg", "b.jpg"]


def test_a_failed_run_leaves_no_file(tmp_path) -> None:
    from specdsl.torch import PredictionWriter

    path = tmp_path / "p.jsonl"
    with pytest.raises(ValueError, match="3 columns, expected 2"), PredictionWriter(path, classes=["a", "b"]) as w:
        w.add("x.jpg", class_logits=torch.zeros(1, 3))
    assert not path.exists()
    assert not list(tmp_path.iterdir())


def test_already_normalised_outputs_and_shape_errors(tmp_path) -> None:
    from specdsl.torch import PredictionWriter

    path = tmp_path / "p.jsonl"
    with PredictionWriter(path, classes=["a", "b"], probabilities=True) as writer:
        writer.add("x.jpg", class_logits=torch.tensor([[0.25, 0.75]]), points=torch.tensor([[3.0, 4.0]]))
        with pytest.raises(ValueError, match="one geometry"):
            writer.add("y.jpg", class_logits=torch.tensor([[0.5, 0.5]]), points=[[1, 1]], boxes=[[0, 0, 1, 1]])
        with pytest.raises(KeyError, match="not declared"):
            writer.add("y.jpg", class_logits=torch.tensor([[0.5, 0.5]]), attribute_logits={"color": [[1.0]]})
    line = json.loads(path.read_text())
    assert line["objects"] == [{"class": {"a": 0.25, "b": 0.75}, "point": [3.0, 4.0]}]
