"""``specc diff --labels`` reads exports chunk by chunk, like ``specc check``: the impact of every chunking,
``--jobs`` and ``--dask`` equals that of the export read whole, byte for byte."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest
from conftest import ROOT, run_specc
from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.compiler import compile_file, compile_text
from specdsl.data import load_export
from specdsl.data.readers import ReadOptions
from specdsl.diff.chunked import ImpactTask
from specdsl.diff.impact import analyze_impact, join_parts
from specdsl.diff.render import diff_document, render_json
from specdsl.scale.plan import ChunkSize, plan_chunks

LANES = ROOT / "specs/lanes.spec"


def version_4(text: str) -> str:
    """lanes.spec v4: a new colour, a dropped style and a required vehicle attribute (fill items)."""
    text = text.replace("spec lanes version 3", "spec lanes version 4", 1)
    text = text.replace('  orange  "Temporary', '  blue  "Bus lane."\n  orange  "Temporary', 1)
    text = text.replace("style: enum { solid, dashed, double } = solid", "style: enum { solid, dashed } = solid", 1)
    return text.replace("  parked: bool\n", "  parked: bool\n  indicator_checked: bool\n", 1)


def export_images(count: int, seed: int = 7) -> list[dict]:
    """The example's images over and over, under versions 2, 3 and none, ids out of order, one id twice."""
    rng = random.Random(seed)
    examples = orjson.loads((ROOT / "specs/examples/lanes.json").read_bytes())["images"]
    vehicle = {"id": "v1", "class": "vehicle", "box": [10, 10, 80, 60],
               "attributes": {"blinker": "off", "parked": False}}
    images = []
    for k in range(count):
        image = orjson.loads(orjson.dumps(examples[k % len(examples)]))
        image["id"] = f"seq{rng.randrange(5)}/{rng.randrange(10**6):06d}.jpg"
        version = rng.choice([2, 3, None])
        if version is None:
            image.pop("spec_version", None)
        else:
            image["spec_version"] = version
        if k % 3 == 0:
            image["objects"].append(dict(vehicle))
        images.append(image)
    if count > 2:
        images[-1]["id"] = images[1]["id"]  # one image id twice, far apart: items of both stay in source order
    return images


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path, Path, Path]:
    folder = tmp_path_factory.mktemp("diffchunks")
    new = folder / "lanes_v4.spec"
    new.write_text(version_4(LANES.read_text()))
    images = export_images(40)
    document = folder / "labels.json"
    document.write_bytes(orjson.dumps({"spec": "lanes", "images": images}))
    lines = folder / "labels.jsonl"
    lines.write_bytes(b"".join(orjson.dumps(image) + b"\n" for image in images))
    return LANES, new, document, lines


def _diff(files, export, *extra: str):
    old, new, *_ = files
    return run_specc("diff", old, new, "--labels", export, "--format", "json", "--labeled-under", "2", *extra)


@pytest.mark.parametrize("which", [2, 3])
def test_every_chunking_and_job_count_gives_the_whole_read_impact(files, which) -> None:
    export = files[which]
    whole = _diff(files, export, "--jobs", "1")
    assert whole.returncode == 0, whole.stderr
    document = orjson.loads(whole.stdout)
    assert {"fill", "review"} <= {item["action"] for item in document["impact"]}
    for extra in (["--jobs", "1", "--chunk-images", "1"], ["--jobs", "2", "--chunk-images", "3"],
                  ["--jobs", "2", "--chunk-images", "7"]):
        chunked = _diff(files, export, *extra)
        assert chunked.returncode == 0, chunked.stderr
        assert chunked.stdout == whole.stdout, extra
        assert chunked.stderr == whole.stderr, extra


def test_a_dask_local_cluster_gives_the_whole_read_impact(files) -> None:
    pytest.importorskip("distributed")
    whole = _diff(files, files[3], "--jobs", "1")
    cluster = _diff(files, files[3], "--dask", "local", "--jobs", "2", "--chunk-images", "4")
    assert cluster.returncode == 0, cluster.stderr
    assert cluster.stdout == whole.stdout


def test_a_broken_record_in_a_later_chunk_is_located_as_in_a_whole_read(files, tmp_path) -> None:
    lines = files[3].read_bytes().splitlines(keepends=True)
    lines[30] = b'{"id": "broken", "objects": [\n'
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(lines))
    whole = _diff(files, broken, "--jobs", "1")
    chunked = _diff(files, broken, "--jobs", "2", "--chunk-images", "4")
    assert whole.returncode == chunked.returncode == 2
    assert chunked.stderr == whole.stderr
    assert "broken.jsonl:31" in whole.stderr


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 40), count=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_joining_chunk_impacts_is_the_impact_of_the_whole_export(files, tmp_path_factory, size, count, seed):
    """The law behind the chunked diff: for any split of an export into runs of images, joining the runs'
    impacts gives the impact of the export read whole (items, order, counts, notes)."""
    old_path, new_path, *_ = files
    path = tmp_path_factory.mktemp("law") / "labels.jsonl"
    path.write_bytes(b"".join(orjson.dumps(image) + b"\n" for image in export_images(count, seed)))
    old, new = compile_file(old_path), compile_text(new_path.read_text(), str(new_path))
    known = {3: old, 4: new}
    whole = analyze_impact(load_export(path), new, known, 3, None)
    task = ImpactTask(new, known, 3, None, ReadOptions())
    joined = join_parts([task(chunk).impact for chunk in plan_chunks(str(path), None, ChunkSize(images=size))])
    assert render_json(diff_document(old, new, [], joined)) == render_json(diff_document(old, new, [], whole))
    assert joined.counts == whole.counts
    assert joined.notes == whole.notes
