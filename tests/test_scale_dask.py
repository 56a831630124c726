"""``specc check --dask local``: the chunk tasks on a real Dask LocalCluster of two workers give the output
of ``--jobs 1`` byte for byte (quotas summed over every chunk, pointers and lines of the original file)."""

from __future__ import annotations

import pytest
from conftest import run_specc
from test_scale import SPEC_TEXT, _export

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    spec = folder / "lanes.spec"
    spec.write_text(SPEC_TEXT)
    jsonl = folder / "lines"
    jsonl.mkdir()
    document = folder / "document"
    document.mkdir()
    return spec, _export(jsonl, 60, jsonl=True, blank_every=7), _export(document, 60, jsonl=False)


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_a_local_cluster_of_two_workers_gives_the_one_process_output(setup, fmt):
    spec, jsonl, document = setup
    one = run_specc("check", spec, jsonl, document, "--format", fmt, "--jobs", "1")
    cluster = run_specc("check", spec, jsonl, document, "--format", fmt, "--dask", "local", "--jobs", "2",
                        "--chunk-images", "6")
    assert one.returncode == cluster.returncode == 1, cluster.stderr
    assert cluster.stdout == one.stdout
    assert "mostly_parked" in one.stdout  # a quota measured over every chunk fired


def test_an_unreachable_scheduler_is_a_clear_error(setup):
    spec, jsonl, _ = setup
    proc = run_specc("check", spec, jsonl, "--dask", "tcp://127.0.0.1:9", env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert proc.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_shards_on_the_cluster_share_quotas_and_repeat_image_ids_as_one_process(tmp_path):
    from test_scale import _shards

    folder, _ = _shards(tmp_path, n=60, per_shard=20)  # image img0001 is repeated in later shards
    spec = tmp_path / "lanes.spec"
    spec.write_text(SPEC_TEXT)
    one = run_specc("check", spec, folder, "--format", "json", "--jobs", "1")
    cluster = run_specc("check", spec, f"{folder}/*.jsonl", "--format", "json", "--dask", "local", "--jobs", "2",
                        "--chunk-images", "7")
    assert one.returncode == 1, one.stderr
    assert cluster.stdout.replace(f"{folder}/*.jsonl", str(folder)) == one.stdout
    import json

    repeated = {f["source"] for f in json.loads(one.stdout)["findings"] if f["image"] == "img0001"}
    assert len(repeated) >= 2  # the one id has findings in several shards, each located in its own
