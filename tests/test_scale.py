"""Chunked checking (SCALE.md): any chunking, any number of worker processes, the one-process result.

The reference is ``run_checks`` on the whole export read as one dataset (what ``specc check`` did before
chunks); the chunked runs must give the same findings in the same order, the same summary and the same
quota findings, through the real command line for every renderer.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import orjson
import pytest
from conftest import ROOT, default_signals, run_specc
from hypothesis import given
from hypothesis import strategies as st

from specdsl.compiler import compile_source
from specdsl.data import load_export
from specdsl.data.readers import ReadOptions
from specdsl.report.locate import locate_findings
from specdsl.scale.plan import ChunkKind, ChunkSize, plan_chunks
from specdsl.scale.quotas import failing_quotas, share_terms
from specdsl.scale.run import check_export
from specdsl.source import Source
from specdsl.validate import run_checks

SPEC_TEXT = (ROOT / "specs" / "lanes.spec").read_text() + '''
quota mostly_parked: warning {
  "Most vehicles should be parked."
  share(vehicle where parked) >= 60% and share(image where weather == snow) < 50%
}

quota little_orange: info {
  "Orange markings are rare."
  share(lane_line where color == orange) <= 1% or share(image) > 200%
}
'''


def _image(i: int) -> dict:
    objects = [
        {"id": "a", "class": "lane_line", "points": [[10 + i % 7, 700], [12, 600 - i % 50]],
         "attributes": {"color": ["white", "orange", "yellow"][i % 3], "style": "solid"}},
        {"id": "b", "class": "lane_line", "points": [[14 + i % 7, 700], [16, 600]],
         "attributes": {"color": "white"}},
        {"id": "c", "class": "vehicle", "box": [100, 100, 3 if i % 5 == 0 else 40, 3 if i % 5 == 0 else 30],
         "attributes": {"blinker": "off", "parked": i % 4 == 0}},
    ]
    image = {"id": f"img{i:04d}", "width": 1920, "height": 1080,
             "attributes": {"weather": ["dry", "wet", "snow"][i % 3]}, "objects": objects}
    if i % 11 == 3:
        objects.append({"id": "a", "class": "vehicle", "box": [1, 1, 50, 50]})  # duplicate id, no attributes
    if i % 13 == 4:
        objects.append({"id": "d", "class": "lane_lines", "points": [[0, 0], [5, 5]]})  # unknown class
    if i % 17 == 5:
        del image["id"]  # named <image K> by its index in the whole export
    if i % 19 == 6:
        image["attributes"]["weather"] = 7
    if i % 23 == 7:
        image["id"] = "img0001"  # an image id seen in another chunk
    return image


def _export(tmp_path: Path, n: int, jsonl: bool, blank_every: int = 0) -> Path:
    images = [_image(i) for i in range(n)]
    path = tmp_path / ("export.jsonl" if jsonl else "export.json")
    if jsonl:
        lines = [orjson.dumps(image) for image in images]
        if blank_every:
            lines = [line + (b"\n" if k % blank_every else b"\n  \n") for k, line in enumerate(lines)]
            path.write_bytes(b"".join(lines))
        else:
            path.write_bytes(b"\n".join(lines))  # no newline after the last line
    else:
        path.write_bytes(json.dumps({"spec": "lanes", "images": images}, indent=1).encode())
    return path


@pytest.fixture(scope="module")
def spec():
    result = compile_source(Source("lanes.spec", SPEC_TEXT))
    assert result.ok, result.diagnostics
    return result.spec


def _reference(spec, path: Path):
    dataset = load_export(path)
    findings = run_checks(spec, dataset) + _duplicate_image_ids(spec, dataset)
    findings = sorted(findings, key=lambda f: f.sort_key())
    return list(locate_findings(findings)), len(dataset.images), dataset.n_objects


def _duplicate_image_ids(spec, dataset) -> list:
    """What the chunked check adds to ``run_checks``: an image whose id an earlier image has is a schema error."""
    from specdsl.check_id import CheckId
    from specdsl.validate.findings import FindingFactory

    make, first, found = FindingFactory(spec, dataset), {}, []
    for k, image_id in enumerate(dataset.images.ids):
        if image_id in first and not image_id.startswith("<image "):
            message = f"duplicate image id '{image_id}' (first at {dataset.source} /images/{first[image_id]})"
            found.append(make.image_finding(CheckId.schema(), "error", k, message, None))
        first.setdefault(image_id, k)
    return found


def _chunked(spec, path: Path, chunk_images: int, jobs: int = 1):
    from specdsl.cli.scale import _quota_findings

    chunks = plan_chunks(str(path), None, ChunkSize(images=chunk_images))
    result = check_export(spec, str(path), chunks, ReadOptions(), jobs)
    findings = result.findings + _quota_findings(spec, str(path), result.shares, result.first_record)
    return list(locate_findings(sorted(findings, key=lambda f: f.sort_key()))), result.images, result.objects


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale")
    return {"jsonl": _export(folder, 90, jsonl=True, blank_every=9),
            "document": _export(folder, 90, jsonl=False)}


@pytest.mark.parametrize("kind", ["jsonl", "document"])
@given(chunk_images=st.integers(1, 100))
def test_any_chunking_gives_the_one_dataset_findings_in_order(spec, exports, kind, chunk_images):
    path = exports[kind]
    expected = _reference(spec, path)
    chunked = _chunked(spec, path, chunk_images)
    assert chunked == expected
    assert [f.to_dict() for f in chunked[0]] == [f.to_dict() for f in expected[0]]  # lines and columns too
    kinds = {f.kind for f in expected[0]}
    assert {"schema", "attribute", "constraint", "rule", "quota"} <= kinds
    assert all(f.line is not None for f in expected[0])


def test_the_fixture_exercises_what_chunks_could_break(spec, exports):
    findings, images, _ = _reference(spec, exports["jsonl"])
    messages = " ".join(f.message for f in findings)
    assert images == 90
    assert "duplicate object id 'a'" in messages
    assert "unknown class 'lane_lines'" in messages
    assert "duplicate image id 'img0001'" in messages  # ids repeated in later chunks
    assert any(f.image == "<image 73>" for f in findings)  # index in the export, not in its chunk
    assert {f.check for f in findings if f.kind == "quota"} == {"mostly_parked", "little_orange"}
    assert any(f.kind == "rule" and len(f.objects) == 2 for f in findings)  # a pair rule fired


def test_quota_counters_merge_to_the_one_dataset_share(spec):
    import numpy as np

    terms = share_terms(spec)
    assert [t.class_name for t in terms] == ["vehicle", None, "vehicle", None, "lane_line", None]
    counts = np.zeros((len(terms), 2), dtype=np.int64)
    counts[3] = (0, 10)  # no snow
    # 70 of 100 vehicles parked in one chunk, none of 100 in the other: 35% overall, the quota fails
    counts[2] = np.array([70, 100]) + np.array([0, 100])
    assert "mostly_parked" in [q.name for q in failing_quotas(spec, terms, counts)]
    counts[2] = (130, 200)
    assert "mostly_parked" not in [q.name for q in failing_quotas(spec, terms, counts)]
    counts[3] = (9, 10)  # the other side of the and
    assert "mostly_parked" in [q.name for q in failing_quotas(spec, terms, counts)]


def test_json_lines_chunks_keep_line_numbers_and_pointers(tmp_path):
    path = _export(tmp_path, 12, jsonl=True, blank_every=4)
    chunks = plan_chunks(str(path), None, ChunkSize(images=5))
    assert [c.kind for c in chunks] == [ChunkKind.LINES] * 3
    assert [(c.first_image, c.images) for c in chunks] == [(0, 5), (5, 5), (10, 2)]
    text = path.read_bytes()
    for chunk in chunks:
        assert text.count(b"\n", 0, chunk.start) + 1 == chunk.first_line
        assert chunk.start == 0 or text[chunk.start - 1:chunk.start] == b"\n"
    assert chunks[-1].stop == len(text)


def test_a_bad_line_in_a_later_chunk_is_located_in_the_file(tmp_path):
    path = _export(tmp_path, 30, jsonl=True)
    lines = path.read_bytes().split(b"\n")
    lines[21] = b'{"id": "x", "objects": [}'
    path.write_bytes(b"\n".join(lines))
    for jobs in ("1", "2"):
        proc = run_specc("check", ROOT / "specs" / "lanes.spec", path, "--jobs", jobs, "--chunk-images", "4")
        assert proc.returncode == 2, proc.stderr
        assert f"{path}:22:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_an_out_of_range_number_in_a_document_chunk_is_located_in_the_file(tmp_path):
    images = [f'{{"id": "i{k}", "width": 100, "height": 100, "objects": []}}' for k in range(40)]
    images[31] = '{"id": "i31", "width": 1e400, "height": 100, "objects": []}'
    path = tmp_path / "big.json"
    path.write_text('{"spec": "lanes", "images": [\n' + ",\n".join(images) + "\n]}\n")
    proc = run_specc("check", ROOT / "specs" / "lanes.spec", path, "--jobs", "2", "--chunk-images", "3")
    assert proc.returncode == 2
    assert f"{path}:33:24: number is infinity" in proc.stderr, proc.stderr


FORMATS = ("json", "sarif", "text", "jsonl", "junit")


@pytest.mark.parametrize("kind", ["jsonl", "document"])
def test_command_line_output_is_byte_identical_for_every_job_count(tmp_path, exports, kind):
    spec_path = tmp_path / "lanes.spec"
    spec_path.write_text(SPEC_TEXT)
    path = exports[kind]
    for fmt in FORMATS:
        runs = [run_specc("check", spec_path, path, "--format", fmt, "--jobs", jobs, "--chunk-images", size)
                for jobs, size in (("1", "1000"), ("1", "7"), ("2", "7"), ("2", "1"))]
        assert {r.returncode for r in runs} == {1}, runs[0].stderr
        assert len({r.stdout for r in runs}) == 1, fmt
        assert runs[0].stdout.strip()


def test_baseline_and_exit_codes_are_those_of_one_process(tmp_path, exports):
    spec_path = tmp_path / "lanes.spec"
    spec_path.write_text(SPEC_TEXT)
    baseline = tmp_path / "known.json"
    path = exports["jsonl"]
    wrote = run_specc("check", spec_path, path, "--write-baseline", baseline, "--jobs", "2", "--chunk-images", "9")
    assert wrote.returncode == 0, wrote.stderr
    clean = run_specc("check", spec_path, path, "--baseline", baseline, "--jobs", "2", "--chunk-images", "5",
                      "--format", "json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["findings"] == []


def _peak_rss_mb(*args) -> float:
    import resource
    import subprocess
    import sys

    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "specdsl.cli.main", *map(str, args)],  # own process: its peak memory alone
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert resource  # the child measures itself: ru_maxrss of its one child, in KiB on Linux
    return int(out) / 1024


def test_peak_memory_does_not_grow_with_the_number_of_images(tmp_path):
    import subprocess
    import sys

    sizes = {}
    for n in (40_000, 160_000):
        path = tmp_path / f"lanes_{n}.jsonl"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(path), "--jsonl"],
                       check=True)
        sizes[n] = _peak_rss_mb("check", ROOT / "specs" / "lanes.spec", path, "--jobs", "1",
                                "--chunk-images", "200", "--format", "concise", "-q")
    assert sizes[160_000] < 1.3 * sizes[40_000], sizes


def test_copies_of_one_export_are_checked_alike(spec, tmp_path):
    """Two exports in one run: quotas per export, as before chunks."""
    first = _export(tmp_path, 20, jsonl=True)
    second = tmp_path / "second.json"
    second.write_bytes(json.dumps({"images": copy.deepcopy([_image(i) for i in range(20)])}).encode())
    spec_path = tmp_path / "lanes.spec"
    spec_path.write_text(SPEC_TEXT)
    proc = run_specc("check", spec_path, first, second, "--format", "json", "--jobs", "2", "--chunk-images", "3")
    quotas = [f["source"] for f in json.loads(proc.stdout)["findings"] if f["kind"] == "quota"]
    assert quotas == [str(first)] * 2 + [str(second)] * 2  # mostly_parked and little_orange, per export


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _start_with_workers(tmp_path, n_objects: int = 160_000):
    """``specc check --jobs 2`` started on a large export, once its two workers run."""
    import subprocess
    import sys
    import time

    path = tmp_path / "lanes.jsonl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n_objects), str(path), "--jsonl"],
                   check=True)
    proc = subprocess.Popen([sys.executable, "-m", "specdsl.cli.main", "check", str(ROOT / "specs" / "lanes.spec"),
                             str(path), "--jobs", "2", "--chunk-images", "40", "-q", "--format", "concise"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, preexec_fn=default_signals)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the workers did not start"
    return proc, workers


def test_a_killed_worker_fails_the_run_naming_its_chunk(tmp_path):
    import signal

    proc, workers = _start_with_workers(tmp_path)
    os.kill(workers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "a worker process died while checking chunk" in err
    assert "lanes.jsonl" in err
    assert out == ""  # no partial result presented as complete
    assert "Traceback" not in err


def test_ctrl_c_stops_the_workers_and_exits_130(tmp_path):
    import signal
    import time

    proc, workers = _start_with_workers(tmp_path)
    os.kill(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text()]


def _shards(tmp_path: Path, n: int = 60, per_shard: int = 25) -> tuple[Path, Path]:
    """A folder of JSON Lines shards and the one file they were cut from."""
    whole = _export(tmp_path, n, jsonl=True)
    folder = tmp_path / "shards"
    folder.mkdir()
    lines = whole.read_bytes().split(b"\n")
    for k in range(0, n, per_shard):
        (folder / f"part-{k // per_shard:03d}.jsonl").write_bytes(b"\n".join(lines[k:k + per_shard]) + b"\n")
    return folder, whole


def test_a_folder_and_a_glob_of_shards_are_one_export(tmp_path):
    folder, whole = _shards(tmp_path)
    spec_path = tmp_path / "lanes.spec"
    spec_path.write_text(SPEC_TEXT)
    runs = {name: run_specc("check", spec_path, argument, "--format", "json", "--jobs", "2", "--chunk-images", "4")
            for name, argument in (("folder", folder), ("glob", f"{folder}/part-*.jsonl"), ("whole", whole))}
    docs = {name: json.loads(run.stdout) for name, run in runs.items()}
    assert docs["folder"]["summary"] == docs["glob"]["summary"] == docs["whole"]["summary"]
    quotas = {name: [(f["check"], f["source"]) for f in doc["findings"] if f["kind"] == "quota"]
              for name, doc in docs.items()}
    assert quotas["folder"] == [("little_orange", str(folder)), ("mostly_parked", str(folder))]
    assert [check for check, _ in quotas["glob"]] == [check for check, _ in quotas["whole"]]
    shard_sources = {f["source"] for f in docs["folder"]["findings"] if f["kind"] != "quota"}
    assert shard_sources == {str(p) for p in sorted(folder.iterdir())}


def test_a_pattern_that_matches_nothing_is_a_usage_error(tmp_path):
    proc = run_specc("check", ROOT / "specs" / "lanes.spec", f"{tmp_path}/none-*.jsonl")
    assert proc.returncode == 2
    assert f"no export matches {tmp_path}/none-*.jsonl" in proc.stderr


def _die() -> None:
    os._exit(1)


def test_a_pool_broken_by_a_dead_worker_refuses_the_next_chunk_naming_the_first_without_a_result(tmp_path):
    """The race the killed-worker test can lose: the pool breaks before the next chunk is handed over, and
    ``submit`` (not the result) says so."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from specdsl.scale.plan import Chunk, ChunkKind
    from specdsl.scale.run import WorkerDied, _submit

    first, second = (Chunk(str(tmp_path / "a.jsonl"), None, ChunkKind.LINES, k) for k in (0, 1))
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as executor:
        broken = executor.submit(_die)
        with pytest.raises(BrokenProcessPool):
            broken.result(timeout=60)
        with pytest.raises(WorkerDied) as died:
            _submit(executor, second, deque([(first, broken)]), BrokenProcessPool)
    assert died.value.chunk == first
    assert "chunk 0 of" in str(died.value)
