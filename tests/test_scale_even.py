"""Byte chunks are evened out between the workers: as many chunks as a multiple of ``--jobs``, of one size,
none larger than the chunk bound; the findings stay those of one dataset."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from specdsl.compiler import compile_source
from specdsl.data import load_export
from specdsl.data.readers import ReadOptions
from specdsl.report.locate import locate_findings
from specdsl.scale.plan import ChunkSize, forget_document, plan_chunks
from specdsl.scale.run import check_export
from specdsl.source import Source
from specdsl.validate import run_checks


def test_five_chunks_worth_on_two_workers_become_six_equal_ones():
    assert ChunkSize(bytes=100, workers=2).evened(450).bytes == 75
    assert ChunkSize(bytes=100, workers=3).evened(450).bytes == 75
    assert ChunkSize(bytes=100, workers=1).evened(450).bytes == 90


def test_one_chunk_and_chunks_by_images_are_left_alone():
    assert ChunkSize(bytes=100, workers=2).evened(100).bytes == 100
    assert ChunkSize(images=7, bytes=100, workers=2).evened(450) == ChunkSize(images=7, bytes=100, workers=2)


def _image(i: int) -> dict:
    return {"id": f"img{i}", "width": 1920, "height": 1080, "attributes": {"weather": "dry"},
            "objects": [{"id": "v", "class": "vehicle", "box": [1, 1, 3 if i % 3 else 40, 3],
                         "attributes": {"blinker": "off", "parked": False}}]}


@pytest.mark.parametrize("jsonl", [False, True])
def test_evened_chunks_give_the_one_dataset_findings(tmp_path, jsonl):
    images = [_image(i) for i in range(300)]
    path = tmp_path / ("export.jsonl" if jsonl else "export.json")
    text = "\n".join(map(json.dumps, images)) if jsonl else json.dumps({"images": images})
    path.write_text(text)
    spec = compile_source(Source("lanes.spec", (ROOT / "specs" / "lanes.spec").read_text())).spec
    chunks = plan_chunks(str(path), None, ChunkSize(bytes=len(text) // 5, workers=2))
    try:
        found = check_export(spec, str(path), chunks, ReadOptions(), 2).findings
    finally:
        forget_document(str(path))
    expected = [f for f in run_checks(spec, load_export(path)) if f.kind != "quota"]
    assert len(chunks) == 6
    sizes = [chunk.images for chunk in chunks]  # each chunk ends on the image that reaches the size: the last
    assert max(sizes) - min(sizes) <= len(chunks)  # one is short by at most an image per chunk before it
    assert [f.to_dict() for f in locate_findings(found)] == [f.to_dict() for f in locate_findings(expected)]
