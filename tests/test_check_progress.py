"""Progress of ``specc check`` (issue 12): chunks and images over their totals for chunked exports; the bytes of the
file(s) where the image total is unknown (a whole-file format that cannot be counted cheaply, shards of a folder)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import ROOT

from specdsl.compiler import compile_source
from specdsl.data.readers import ReadOptions
from specdsl.report.check_progress import CheckCounts, CheckProgress
from specdsl.scale.plan import ChunkSize, plan_chunks
from specdsl.scale.run import check_export
from specdsl.source import Source

SPEC = compile_source(Source("lanes.spec", (ROOT / "specs" / "lanes.spec").read_text())).spec


def _run(shards: list[Path], fmt: str | None = None, chunk_images: int | None = None, mode: str = "plain") -> str:
    """Check ``shards`` as one export argument the way ``specc check`` does, printing every progress line."""
    stream = io.StringIO()
    with CheckProgress(mode, [str(s) for s in shards], fmt, stream=stream, interval=0.0,
                       environ={"NO_COLOR": "1"}) as progress:
        for shard in map(str, shards):
            chunks = plan_chunks(shard, fmt, ChunkSize(images=chunk_images))
            progress.start_shard(shard, chunks)
            check_export(SPEC, shard, chunks, ReadOptions(), 1,
                         on_chunk=lambda done: progress.chunk_done(done.chunk, done.images))
            progress.end_shard(shard)
    return stream.getvalue()


def _jsonl(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"{path.stem}-{k}", "objects": []}) + "\n" for k in range(n)))
    return path


def test_a_chunked_export_counts_chunks_and_images_over_their_totals(tmp_path):
    lines = _run([_jsonl(tmp_path / "a.jsonl", 10)], chunk_images=3).splitlines()
    assert lines[:4] == ["checked 1/4 chunks, 3/10 images (30%)", "checked 2/4 chunks, 6/10 images (60%)",
                         "checked 3/4 chunks, 9/10 images (90%)", "checked 4/4 chunks, 10/10 images (100%)"]
    assert lines[-1].startswith("checked 4/4 chunks, 10/10 images (100%) in ")


def test_a_native_document_counts_its_chunks_too(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"images": [{"id": f"i{k}", "objects": []} for k in range(5)]}))
    assert _run([path], chunk_images=2).splitlines()[:3] == [
        "checked 1/3 chunks, 2/5 images (40%)", "checked 2/3 chunks, 4/5 images (80%)",
        "checked 3/3 chunks, 5/5 images (100%)"]


def test_a_whole_file_of_uncountable_records_counts_its_bytes(tmp_path):
    """Label Studio yields one record per annotation: the records are not counted ahead, the bytes are."""
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([{"id": t, "data": {"image": f"{t}.jpg"}, "annotations": [{"id": t, "result": []}]}
                                for t in range(3)]))
    size = path.stat().st_size
    assert _run([path], fmt="label-studio").splitlines()[0] == f"checked 1/1 chunks, 3 images, {size}/{size} bytes (100%)"


def test_a_whole_file_whose_records_count_cheaply_counts_images(tmp_path):
    path = tmp_path / "coco.json"
    path.write_text(json.dumps({"images": [{"id": k, "file_name": f"{k}.jpg", "width": 9, "height": 9}
                                           for k in range(4)], "annotations": [], "categories": []}))
    assert _run([path], fmt="coco").splitlines()[0] == "checked 1/1 chunks, 4/4 images (100%)"


def test_shards_of_a_folder_count_shards_chunks_images_and_bytes(tmp_path):
    shards = [_jsonl(tmp_path / "a.jsonl", 4), _jsonl(tmp_path / "b.jsonl", 2)]
    sizes = [s.stat().st_size for s in shards]
    total = sum(sizes)
    lines = _run(shards, chunk_images=2).splitlines()
    per_chunk = sizes[0] // 2  # the a-records have one length: each chunk of two is half the file
    assert lines[:2] == [f"checked 0/2 shards, 1 chunk, 2 images, {per_chunk}/{total} bytes ({per_chunk * 100 // total}%)",
                         f"checked 0/2 shards, 2 chunks, 4 images, {sizes[0]}/{total} bytes "
                         f"({sizes[0] * 100 // total}%)"]
    assert lines[-2] == f"checked 2/2 shards, 3 chunks, 6 images, {total}/{total} bytes (100%)"


def test_megabytes_once_the_total_is_a_megabyte_or_more():
    counts = CheckCounts(shard_total=3, shards=1, chunks=7, images=900, bytes=5 << 20, byte_total=20 << 20)
    assert counts.line() == "checked 1/3 shards, 7 chunks, 900 images, 5.0/20.0 MB (25%)"


def test_the_bar_shows_the_counts_and_clears_itself(tmp_path):
    output = _run([_jsonl(tmp_path / "a.jsonl", 10)], chunk_images=5, mode="bar")
    assert "checking" in output
    assert "2/2 chunks, 10/10 images" in output


def test_quiet_prints_nothing(tmp_path):
    assert _run([_jsonl(tmp_path / "a.jsonl", 10)], chunk_images=5, mode="none") == ""
