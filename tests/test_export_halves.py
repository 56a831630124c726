"""``specc suspect`` reads a large native export in two halves (one in a forked process): the same dataset."""

from __future__ import annotations

import argparse
import json

import pytest
from compare import differences
from test_suspect import generate


def _args(**given) -> argparse.Namespace:
    return argparse.Namespace(**{"mapping": None, "input_format": None, "class_file": None, "image_size": None,
                                 **given})


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_halves_equal_the_one_pass_reader(tmp_path, monkeypatch, suffix) -> None:
    from specdsl.cli import export_halves
    from specdsl.data import load_export
    from specdsl.data.readers import ReadOptions

    export, _, _ = generate(3, n_images=150)
    export["images"][7]["objects"].append({"id": "bad", "class": "vehicle", "box": [0, 0, -1, 2]})  # a read issue
    path = tmp_path / f"labels{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(export))
    else:
        path.write_text("".join(json.dumps(image) + "\n" for image in export["images"]))
    monkeypatch.setattr(export_halves, "MIN_BYTES", 64)  # chunks of 4 bytes: one per image
    plan = export_halves._halves(str(path), _args())
    assert plan is not None
    one = load_export(path, None, ReadOptions())
    read_in_halves = export_halves._read_halves(str(path), _args(), *plan)  # no fallback can hide a broken path
    assert differences(read_in_halves, one) == []
    calls = []
    halves = export_halves.load(str(path), _args(), export_halves.plan(str(path), _args(), jobs=2),
                                lambda: calls.append("meanwhile"))
    assert differences(halves, one) == []
    assert len(halves.problems) == 1
    assert calls == ["meanwhile"]
    assert export_halves.plan(str(path), _args(), jobs=1) is None  # one process: the one-pass reader


def test_meanwhile_runs_once_whichever_way_the_export_is_read(tmp_path, monkeypatch) -> None:
    """Before the one-pass reader, beside a second half, or before the one-pass reader that takes over when
    the halves fail: ``meanwhile`` runs once, before this process reads."""
    from specdsl.cli import export_halves

    export, _, _ = generate(3, n_images=40)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(export))
    monkeypatch.setattr(export_halves, "MIN_BYTES", 64)
    plan = export_halves.plan(str(path), _args(), jobs=2)
    for halves in (None, plan):
        calls = []
        export_halves.load(str(path), _args(), halves, lambda calls=calls: calls.append(1))
        assert calls == [1]

    def broken(*args):
        args[-1]()  # the child had started and meanwhile ran, then a half failed
        raise ValueError("a half that does not read")

    monkeypatch.setattr(export_halves, "_read_halves", broken)
    calls = []
    dataset = export_halves.load(str(path), _args(), plan, lambda: calls.append(1))
    assert calls == [1]
    assert len(dataset.images.ids) == len(export["images"])


def test_other_inputs_take_the_one_pass_reader(tmp_path, monkeypatch) -> None:
    from specdsl.cli import export_halves

    export, _, _ = generate(3, n_images=20)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(export))
    monkeypatch.setattr(export_halves, "MIN_BYTES", 64)
    assert export_halves._halves(str(path), _args(mapping="m.yaml")) is None
    assert export_halves._halves(str(path), _args(input_format="coco")) is None
    assert export_halves._halves(str(tmp_path), _args()) is None
    monkeypatch.setattr(export_halves, "MIN_BYTES", 1 << 40)
    assert export_halves._halves(str(path), _args()) is None


@pytest.mark.parametrize("share", [0.25, 0.5, 0.6])
def test_the_first_half_takes_about_its_share_and_the_whole_is_read(tmp_path, monkeypatch, share) -> None:
    from specdsl.cli import export_halves
    from specdsl.data import load_export
    from specdsl.data.readers import ReadOptions

    export, _, _ = generate(5, n_images=200)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(export))
    monkeypatch.setattr(export_halves, "MIN_BYTES", 16 * 64)  # chunks of 64 bytes: about one per image
    first, second = export_halves.plan(str(path), _args(), jobs=2, first_share=share)
    here = sum(chunk.images for chunk in first)
    assert abs(here / len(export["images"]) - share) < 0.03
    assert here + sum(chunk.images for chunk in second) == len(export["images"])
    halves = export_halves.load(str(path), _args(), (first, second))
    assert differences(halves, load_export(path, None, ReadOptions())) == []
