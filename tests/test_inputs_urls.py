"""Exports named by fsspec URLs (SCALE.md): ``specc check file:///...`` plans and reads its chunks through fsspec,
in one process, in worker processes and on a Dask LocalCluster, and says exactly what it says of the plain
path, except that sources name the URL. Plain paths never go through fsspec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_specc
from test_scale import SPEC_TEXT, _export, _shards

pytest.importorskip("fsspec")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("urls")
    spec = folder / "lanes.spec"
    spec.write_text(SPEC_TEXT)
    (folder / "lines").mkdir()
    (folder / "document").mkdir()
    jsonl = _export(folder / "lines", 60, jsonl=True, blank_every=7)
    document = _export(folder / "document", 60, jsonl=False)
    shards, _ = _shards(folder)
    return spec, jsonl, document, shards


def _url(path: Path | str) -> str:
    return f"file://{path}"


def _check(spec, *exports, fmt: str = "json", scale: tuple = ("--jobs", "1")):
    return run_specc("check", spec, *exports, "--format", fmt, "--chunk-images", "6", *scale)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_file_urls_check_as_their_paths_in_one_and_in_several_processes(setup, jobs, fmt):
    spec, jsonl, document, _ = setup
    plain = _check(spec, jsonl, document, fmt=fmt, scale=("--jobs", jobs))
    urls = _check(spec, _url(jsonl), _url(document), fmt=fmt, scale=("--jobs", jobs))
    assert plain.returncode == urls.returncode == 1, urls.stderr
    assert urls.stdout.replace("file://", "") == plain.stdout.replace("file://", "")  # SARIF: file URIs already
    if fmt == "json":
        sources = {f["source"] for f in json.loads(urls.stdout)["findings"]}
        assert sources == {_url(jsonl), _url(document)}


def test_file_urls_on_a_local_dask_cluster_check_as_their_paths(setup):
    pytest.importorskip("distributed")
    spec, jsonl, document, shards = setup
    plain = _check(spec, jsonl, document, f"{shards}/*.jsonl")
    cluster = _check(spec, _url(jsonl), _url(document), _url(f"{shards}/*.jsonl"),
                     scale=("--dask", "local", "--jobs", "2"))
    assert cluster.returncode == 1, cluster.stderr
    assert cluster.stdout.replace("file://", "") == plain.stdout
    assert "mostly_parked" in plain.stdout  # a quota measured over every chunk of every shard


def test_a_url_folder_and_a_url_pattern_are_read_as_shards_in_sorted_order(setup):
    spec, _, _, shards = setup
    plain = _check(spec, shards)
    for argument in (_url(shards), _url(f"{shards}/part-*.jsonl")):
        proc = _check(spec, argument)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.replace(argument, str(shards)).replace("file://", "") == plain.stdout
        sources = {f["source"] for f in json.loads(proc.stdout)["findings"] if f["kind"] != "quota"}
        assert sources == {_url(p) for p in shards.iterdir()}


def test_commands_that_load_exports_whole_read_urls_too(setup):
    spec, jsonl, _, shards = setup
    for argument, plain in ((_url(jsonl), jsonl), (_url(shards), shards)):
        by_url = run_specc("stats", spec, argument, "--format", "json")
        assert by_url.returncode == 0, by_url.stderr
        assert by_url.stdout == run_specc("stats", spec, plain, "--format", "json").stdout


@pytest.mark.parametrize(("argument", "message"), [
    ("file://{tmp}/absent.jsonl", "cannot read export file://{tmp}/absent.jsonl: no such file"),
    ("file://{tmp}/2026-*/*.jsonl", "no export matches file://{tmp}/2026-*/*.jsonl"),
    ("file://{tmp}/empty", "file://{tmp}/empty: the folder holds no export files"),
    ("nosuchscheme://bucket/x.jsonl", "cannot read nosuchscheme://bucket/x.jsonl"),
    ("file://{tmp}/coco.json", "file://{tmp}/coco.json: a coco export: only native JSON and JSON Lines exports "
     "are read from URLs"),
])
def test_a_url_that_cannot_be_read_is_a_usage_error(setup, tmp_path, argument, message):
    spec = setup[0]
    (tmp_path / "empty").mkdir()
    (tmp_path / "coco.json").write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg"}],
                                                    "annotations": [], "categories": []}))
    for command in ("check", "stats"):
        proc = run_specc(command, spec, argument.format(tmp=tmp_path))
        assert proc.returncode == 2, proc.stderr
        assert message.format(tmp=tmp_path) in proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_url_without_fsspec_installed_says_what_to_install(setup, tmp_path):
    spec, jsonl, _, _ = setup
    hidden = tmp_path / "hidden" / "fsspec"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("No module named \'fsspec\'")\n')
    env = {"PYTHONPATH": str(hidden.parent)}
    proc = run_specc("check", spec, _url(jsonl), env=env)
    assert proc.returncode == 2
    assert f"reading {_url(jsonl)} needs fsspec: pip install 'specdsl[dask]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert run_specc("check", spec, jsonl, env=env).returncode == 1  # a plain path never imports fsspec


def test_a_url_export_of_another_spec_is_refused_as_a_file_is(setup, tmp_path):
    spec = setup[0]
    other = tmp_path / "signs.json"
    other.write_text(json.dumps({"spec": "signs", "images": [{"id": "x", "objects": []}]}))
    proc = run_specc("stats", spec, _url(other))
    assert proc.returncode == 2
    assert f"{_url(other)} is an export of spec 'signs', not 'lanes'" in proc.stderr
