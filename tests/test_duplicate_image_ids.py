"""Duplicate image ids (SCALE.md "What stays exact"): a later image whose id an earlier image of the same export
argument has is a located ``schema`` error naming the first one, whether the two share a file, a chunk, or
neither (shards of a folder), in every format, and the output does not depend on --jobs, chunks or Dask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, run_specc

SPEC = ROOT / "specs" / "lanes.spec"


def _image(image_id: str | None, color: str = "white") -> dict:
    image = {"width": 100, "height": 100, "objects": [
        {"id": "o1", "class": "lane_line", "points": [[10, 90], [60, 10]], "attributes": {"color": color}}]}
    if image_id is not None:
        image["id"] = image_id
    return image


def _jsonl(path: Path, images: list[dict], blank_before: int | None = None) -> Path:
    lines = [json.dumps(image) for image in images]
    if blank_before is not None:
        lines[blank_before] = "\n  " + lines[blank_before]  # a blank line, then an indented record
    path.write_text("\n".join(lines) + "\n")
    return path


def _check(*args) -> tuple[dict, str]:
    proc = run_specc("check", SPEC, *args, "--format", "json", "-q")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.stdout


def _duplicates(doc: dict) -> list[dict]:
    return [f for f in doc["findings"] if f["message"].startswith("duplicate image id")]


def test_a_repeated_id_in_one_json_lines_file_is_a_located_schema_error_on_the_later_image(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [_image("x"), _image("y"), _image("x", color="purple")], blank_before=2)
    doc, _ = _check(path)
    [found] = _duplicates(doc)
    assert found["kind"] == found["check"] == "schema"
    assert found["severity"] == "error"
    assert found["image"] == "x"
    assert found["objects"] == []
    assert found["source"] == str(path)
    assert found["pointer"] == "/images/2"
    assert (found["line"], found["column"]) == (4, 3)  # after the blank line, at the indented record
    assert found["message"] == f"duplicate image id 'x' (first at {path} /images/0)"
    # the duplicate is still labels: its objects are checked as any other image's
    assert any(f["kind"] == "attribute" and f["pointer"].startswith("/images/2/") for f in doc["findings"])
    assert doc["summary"]["images"] == 3


def test_a_repeated_id_in_a_json_document_is_located_in_the_document(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"spec": "lanes", "images": [_image("x"), _image("x"), _image("x")]}, indent=1))
    doc, _ = _check(path)
    found = _duplicates(doc)
    assert [f["pointer"] for f in found] == ["/images/1", "/images/2"]
    assert {f["message"] for f in found} == {f"duplicate image id 'x' (first at {path} /images/0)"}
    text = path.read_text().split("\n")
    for finding in found:  # the line where the image's object opens
        assert text[finding["line"] - 1].strip() == "{"


def test_chunks_of_one_image_find_the_same_duplicates_with_the_same_lines(tmp_path):
    images = [_image(f"i{k % 5}") for k in range(12)]
    for name, path in (("jsonl", _jsonl(tmp_path / "a.jsonl", images, blank_before=7)),
                       ("json", tmp_path / "a.json")):
        if name == "json":
            path.write_text(json.dumps({"images": images}, indent=2))
        whole, whole_text = _check(path, "--jobs", "1")
        for extra in (("--chunk-images", "1"), ("--chunk-images", "4", "--jobs", "2")):
            _, text = _check(path, *extra)
            assert text == whole_text, (name, extra)
        found = {f["pointer"]: f for f in _duplicates(whole)}  # the report orders them by image id
        assert sorted(found) == sorted(f"/images/{k}" for k in range(5, 12))
        assert all(f["line"] is not None for f in found.values())
        assert found["/images/11"]["message"] == f"duplicate image id 'i1' (first at {path} /images/1)"


def test_an_id_repeated_in_a_later_shard_of_a_folder_names_the_first_shard(tmp_path):
    folder = tmp_path / "shards"
    folder.mkdir()
    first = _jsonl(folder / "part-0.jsonl", [_image("a"), _image("b")])
    second = _jsonl(folder / "part-1.jsonl", [_image("c"), _image("b"), _image("a")])
    doc, text = _check(folder, "--chunk-images", "1", "--jobs", "2")
    found = _duplicates(doc)
    assert [(f["source"], f["pointer"], f["line"], f["image"]) for f in found] == [
        (str(second), "/images/2", 3, "a"), (str(second), "/images/1", 2, "b")]
    assert found[0]["message"] == f"duplicate image id 'a' (first at {first} /images/0)"
    assert found[1]["message"] == f"duplicate image id 'b' (first at {first} /images/1)"
    assert _check(f"{folder}/part-*.jsonl", "--jobs", "1")[1].replace(f"{folder}/part-*.jsonl", str(folder)) == text


def test_separate_export_arguments_do_not_share_ids(tmp_path):
    one = _jsonl(tmp_path / "one.jsonl", [_image("a")])
    two = _jsonl(tmp_path / "two.jsonl", [_image("a")])
    doc, _ = _check(one, two)
    assert _duplicates(doc) == []


def test_images_without_an_id_are_not_duplicates_of_each_other(tmp_path):
    folder = tmp_path / "shards"
    folder.mkdir()
    _jsonl(folder / "part-0.jsonl", [_image(None)])
    _jsonl(folder / "part-1.jsonl", [_image(None)])  # both are named <image 0> in their shard
    doc, _ = _check(folder, "--input-format", "native")
    assert _duplicates(doc) == []
    assert sum("image has no string 'id'" in f["message"] for f in doc["findings"]) == 2


def _coco(path: Path, file_names: list[str]) -> Path:
    images = [{"id": k + 1, "file_name": name, "width": 100, "height": 100} for k, name in enumerate(file_names)]
    annotations = [{"id": 10 + k, "image_id": k + 1, "category_id": 1, "bbox": [1, 1, 20, 20]}
                   for k in range(len(file_names))]
    path.write_text(json.dumps({"images": images, "annotations": annotations,
                                "categories": [{"id": 1, "name": "vehicle"}]}))
    return path


def test_coco_images_of_one_file_name_are_duplicates(tmp_path):
    """COCO's image id is its file_name: two image entries for one file label the same image twice."""
    path = _coco(tmp_path / "coco.json", ["a.jpg", "b.jpg", "a.jpg"])
    doc, text = _check(path)
    [found] = _duplicates(doc)
    assert (found["image"], found["pointer"], found["source"]) == ("a.jpg", "/images/2", str(path))
    assert found["message"] == f"duplicate image id 'a.jpg' (first at {path} /images/0)"
    assert found["line"] == 1  # located in the one-line document like every other finding
    assert _check(path, "--chunk-images", "1", "--jobs", "2")[1] == text


def test_coco_shards_repeat_file_names_across_files(tmp_path):
    folder = tmp_path / "coco"
    folder.mkdir()
    first = _coco(folder / "a.json", ["a.jpg", "b.jpg"])
    second = _coco(folder / "b.json", ["c.jpg", "a.jpg"])
    doc, _ = _check(folder, "--input-format", "coco")
    [found] = _duplicates(doc)
    assert (found["source"], found["pointer"]) == (str(second), "/images/1")
    assert found["message"] == f"duplicate image id 'a.jpg' (first at {first} /images/0)"


def _label_studio(path: Path, annotation_ids: list[list[int]]) -> Path:
    region = {"id": "r1", "type": "rectanglelabels", "from_name": "label", "to_name": "image",
              "original_width": 100, "original_height": 100,
              "value": {"x": 1, "y": 1, "width": 20, "height": 20, "rectanglelabels": ["vehicle"]}}
    tasks = [{"id": t, "data": {"image": f"img{t}.jpg"},
              "annotations": [{"id": a, "completed_by": a, "result": [region]} for a in ids]}
             for t, ids in enumerate(annotation_ids)]
    path.write_text(json.dumps(tasks))
    return path


def test_label_studio_annotations_of_one_task_are_not_duplicates_but_a_repeated_annotation_is(tmp_path):
    folder = tmp_path / "ls"
    folder.mkdir()
    first = _label_studio(folder / "a.json", [[1, 2], [3]])  # two labelers on task 0
    doc, _ = _check(first, "--input-format", "label-studio")
    assert doc["summary"]["images"] == 3
    assert _duplicates(doc) == []
    second = _label_studio(folder / "b.json", [[1]])  # task 0's first annotation exported again
    doc, _ = _check(folder, "--input-format", "label-studio")
    [found] = _duplicates(doc)
    assert (found["source"], found["pointer"], found["image"]) == (str(second), "/0/annotations/0", "img0.jpg")
    assert found["message"] == f"duplicate image id 'img0.jpg' annotation '1' (first at {first} /0/annotations/0)"


def test_baseline_sarif_and_github_carry_the_duplicate_with_its_line(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [_image("x"), _image("y"), _image("x")])
    sarif = json.loads(run_specc("check", SPEC, path, "--format", "sarif", "-q", "--chunk-images", "1").stdout)
    [result] = [r for r in sarif["runs"][0]["results"] if "duplicate image id" in r["message"]["text"]]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 1)
    github = run_specc("check", SPEC, path, "--format", "github", "-q", "--chunk-images", "1").stdout
    assert any(line.startswith("::error ") and "line=3," in line and "duplicate image id" in line
               for line in github.splitlines())
    baseline = tmp_path / "known.json"
    assert run_specc("check", SPEC, path, "--write-baseline", baseline, "-q").returncode == 0
    path.write_text(path.read_text() + json.dumps(_image("y")) + "\n")  # a new duplicate, of y
    doc, _ = _check(path, "--baseline", baseline, "--jobs", "2", "--chunk-images", "1")
    assert [(f["pointer"], f["image"]) for f in _duplicates(doc)] == [("/images/3", "y")]


def test_jobs_chunks_and_a_local_dask_cluster_print_the_same_bytes(tmp_path):
    pytest.importorskip("distributed")
    folder = tmp_path / "shards"
    folder.mkdir()
    for shard in range(3):
        _jsonl(folder / f"part-{shard}.jsonl", [_image(f"i{(shard * 4 + k) % 7}") for k in range(4)],
               blank_before=1)
    runs = {name: run_specc("check", SPEC, folder, "--format", "sarif", "-q", *extra) for name, extra in (
        ("one", ("--jobs", "1")), ("two", ("--jobs", "2")), ("chunks", ("--jobs", "2", "--chunk-images", "1")),
        ("dask", ("--dask", "local", "--jobs", "2", "--chunk-images", "3")))}
    assert {run.returncode for run in runs.values()} == {1}, runs["dask"].stderr
    assert len({run.stdout for run in runs.values()}) == 1
    results = json.loads(runs["one"].stdout)["runs"][0]["results"]
    assert sum("duplicate image id" in r["message"]["text"] for r in results) == 5  # 12 images, 7 ids


def test_cvat_images_of_one_name_are_duplicates_located_by_the_reader(tmp_path):
    path = tmp_path / "annotations.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n'
                    '  <image id="0" name="a.jpg" width="100" height="100">\n  </image>\n'
                    '  <image id="1" name="a.jpg" width="100" height="100">\n  </image>\n</annotations>\n')
    doc, _ = _check(path)
    [found] = _duplicates(doc)
    assert (found["pointer"], found["line"], found["column"]) == ("/annotations/image[2]", 6, 3)
    assert found["message"] == f"duplicate image id 'a.jpg' (first at {path} /annotations/image[1])"
