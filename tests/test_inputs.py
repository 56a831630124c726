"""Export arguments (SCALE.md, "Inputs"): every command that reads exports takes a folder of shards or a glob
pattern as ONE export, and says the same about it as about the single file holding the same images; only
the findings' sources, pointers and lines differ, and those name each image's own shard file.

The exports are generated native JSON Lines (the generators of tests/test_agree.py and tests/test_suspect.py)
and the vendored TuSimple cut, cut into shards by lines.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA, ROOT, run_specc

CASES = Path(__file__).parent / "diff_cases"


@dataclass
class Sharded:
    """One file and the shards cut from it: where each shard starts, in images and in lines."""

    whole: Path
    folder: Path
    shards: list[Path]
    first_image: list[int]
    first_line: list[int]

    def as_whole(self, finding: dict) -> dict:
        """A finding of the sharded run with the source, pointer and line it has in the whole file."""
        if finding["source"] == str(self.folder) or finding["source"] not in map(str, self.shards):
            return finding
        k = [str(s) for s in self.shards].index(finding["source"])
        pointer = finding["pointer"]
        if pointer.startswith("/images/"):
            index, _, rest = pointer[len("/images/"):].partition("/")
            pointer = f"/images/{int(index) + self.first_image[k]}" + (f"/{rest}" if rest else "")
        line = finding["line"] + self.first_line[k] - 1 if finding.get("line") is not None else None
        return {**finding, "source": str(self.whole), "pointer": pointer, "line": line}


def shard_lines(whole: Path, folder: Path, sizes: list[int], suffix: str = ".jsonl") -> Sharded:
    """Cut a JSON Lines file into shards of ``sizes`` records (a blank-free file), named in sorted order."""
    lines = whole.read_bytes().splitlines(keepends=True)
    assert sum(sizes) == len(lines)
    folder.mkdir(parents=True)
    shards, firsts, start = [], [], 0
    for k, size in enumerate(sizes):
        shard = folder / f"part-{k:02d}{suffix}"
        shard.write_bytes(b"".join(lines[start:start + size]))
        shards.append(shard)
        firsts.append(start)
        start += size
    return Sharded(whole, folder, shards, firsts, [first + 1 for first in firsts])


def write_lines(path: Path, images: list[dict]) -> Path:
    path.write_text("".join(json.dumps(image) + "\n" for image in images))
    return path


def _json(proc) -> dict:
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _sorted(findings: list[dict]) -> list[dict]:
    return sorted(findings, key=lambda f: json.dumps(f, sort_keys=True))


def _same_findings(sharded: Sharded, from_shards: list[dict], from_whole: list[dict]) -> None:
    sources = {f["source"] for f in from_shards} - {str(sharded.folder)}
    assert sources <= {str(s) for s in sharded.shards}
    assert len(sources) >= 2  # the findings name the shard files they are in, not the folder
    assert _sorted([sharded.as_whole(f) for f in from_shards]) == _sorted(from_whole)


# ---- agree: one labeler's set of shards -----------------------------------------------------------------


@pytest.fixture(scope="module")
def labelers(tmp_path_factory) -> tuple[Path, dict[str, Sharded]]:
    from test_agree import SPEC, _labeler, _truth

    folder = tmp_path_factory.mktemp("agree")
    (folder / "roads.spec").write_text(SPEC)
    rng = random.Random(5)
    truth = _truth(rng, 50)
    sets = {}
    for name, sizes in (("alice", [10, 17, 0]), ("bob", [25])):
        images = _labeler(rng, truth, name[0])["images"]
        whole = write_lines(folder / f"{name}.jsonl", images)
        sizes = [*sizes[:-1], len(images) - sum(sizes[:-1])]
        sets[name] = shard_lines(whole, folder / "shards" / name, sizes)
    return folder / "roads.spec", sets


def test_agree_reads_each_labelers_folder_of_shards_as_their_one_set(labelers):
    spec, sets = labelers
    whole = _json(run_specc("agree", spec, sets["alice"].whole, sets["bob"].whole, "--format", "json"))
    shards = _json(run_specc("agree", spec, sets["alice"].folder, sets["bob"].folder, "--format", "json"))
    assert shards["summary"] == whole["summary"]
    assert whole["findings"]
    assert {f["source"] for f in shards["findings"]} <= {str(p) for s in sets.values() for p in s.shards}
    mapped = []
    for finding in shards["findings"]:
        owner = next(s for s in sets.values() if finding["source"] in map(str, s.shards))
        mapped.append(owner.as_whole(finding))
    assert _sorted(mapped) == _sorted(whole["findings"])


def test_agree_names_a_glob_patterns_labeler_by_its_folder(labelers):
    spec, sets = labelers
    patterns = [f"{sets[name].folder}/*.jsonl" for name in ("alice", "bob")]
    by_pattern = _json(run_specc("agree", spec, *patterns, "--format", "json"))
    by_folder = _json(run_specc("agree", spec, sets["alice"].folder, sets["bob"].folder, "--format", "json"))
    assert by_pattern == by_folder
    text = run_specc("agree", spec, *patterns).stdout
    assert "alice" in text
    assert "bob" in text


# ---- stats, check --format html, suspect, select: one label set of shards --------------------------------


@pytest.fixture(scope="module")
def labeled(tmp_path_factory) -> tuple[Path, Path, Sharded]:
    from test_suspect import SPEC, generate

    folder = tmp_path_factory.mktemp("labeled")
    (folder / "roads.spec").write_text(SPEC)
    export, lines, _ = generate(3, n_images=45)
    whole = write_lines(folder / "labels.jsonl", export["images"])
    predictions = write_lines(folder / "p.jsonl", lines)
    return folder / "roads.spec", predictions, shard_lines(whole, folder / "labels", [7, 20, 19])


def test_stats_of_a_folder_and_of_a_pattern_equal_the_stats_of_the_one_file(labeled):
    spec, _, sharded = labeled
    whole = run_specc("stats", spec, sharded.whole, "--format", "json")
    assert whole.returncode == 0, whole.stderr
    for argument in (sharded.folder, f"{sharded.folder}/part-*.jsonl", f"{sharded.folder.parent}/**/part-0[0-2].jsonl"):
        proc = run_specc("stats", spec, argument, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == whole.stdout


def test_stats_drift_against_a_folder_of_shards_is_none_from_the_same_images(labeled):
    spec, _, sharded = labeled
    proc = run_specc("stats", spec, sharded.whole, "--against", sharded.folder, "--max-drift", "0", "--format", "json")
    assert proc.returncode == 0, proc.stderr


def test_suspect_on_shards_finds_what_it_finds_in_the_one_file(labeled):
    spec, predictions, sharded = labeled
    args = ("--predictions", predictions, "--format", "json")
    whole = _json(run_specc("suspect", spec, sharded.whole, *args))
    shards = _json(run_specc("suspect", spec, sharded.folder, *args))
    assert whole["findings"]
    _same_findings(sharded, shards["findings"], whole["findings"])


def test_select_with_labels_in_shards_selects_what_it_selects_with_the_one_file(labeled):
    spec, predictions, sharded = labeled
    args = ("--predictions", predictions, "--budget", "6", "--format", "json")
    whole = run_specc("select", spec, *args, "--labels", sharded.whole)
    shards = run_specc("select", spec, *args, "--labels", f"{sharded.folder}/*.jsonl")
    assert whole.returncode == shards.returncode == 0, shards.stderr
    assert shards.stdout == whole.stdout
    assert json.loads(whole.stdout)


def test_check_html_reads_shards_whole_for_the_gallery(labeled, tmp_path):
    spec, _, sharded = labeled
    pages = {}
    for name, argument in (("whole", sharded.whole), ("shards", sharded.folder)):
        page = tmp_path / f"{name}.html"
        proc = run_specc("check", spec, argument, "--format", "html", "-o", page, "-q")
        assert proc.returncode in (0, 1), proc.stderr
        pages[name] = page.read_text()
    found = _json(run_specc("check", spec, sharded.folder, "--format", "json"))["findings"]
    assert found
    for finding in found:  # the gallery names each finding's shard, line and pointer in it
        where = f"{finding['source']}:{finding['line']}:{finding['column']}#{finding['pointer']}"
        assert where in pages["shards"]
        whole = sharded.as_whole(finding)
        assert f"{whole['source']}:{whole['line']}:{finding['column']}#{whole['pointer']}" in pages["whole"]


# ---- real data: the vendored TuSimple cut in three shards -------------------------------------------------


@pytest.fixture(scope="module")
def tusimple(tmp_path_factory) -> Sharded:
    folder = tmp_path_factory.mktemp("tusimple")
    whole = folder / "label_data.json"
    whole.write_bytes((DATA / "tusimple-benchmark" / "example" / "label_data.first50.json").read_bytes())
    return shard_lines(whole, folder / "shards", [20, 20, 10], suffix=".json")


REAL = ROOT / "specs" / "realdata"


def test_check_and_stats_of_tusimple_shards_equal_the_one_file(tusimple):
    reading = ("--mapping", REAL / "tusimple.toml")
    for command in ("check", "stats"):
        whole = _json(run_specc(command, REAL / "tusimple_lanes.spec", tusimple.whole, *reading, "--format", "json"))
        shards = _json(run_specc(command, REAL / "tusimple_lanes.spec", tusimple.folder, *reading, "--format", "json"))
        if command == "stats":
            assert shards == whole
            continue
        assert shards["summary"] == whole["summary"]
        quota = [f for f in shards["findings"] if f["kind"] == "quota"]
        assert [f["source"] for f in quota] == [str(tusimple.folder)]  # a quota is the export's, not a shard's
        _same_findings(tusimple, [f for f in shards["findings"] if f["kind"] != "quota"],
                       [f for f in whole["findings"] if f["kind"] != "quota"])


# ---- diff --labels and docs --labels: the impact on one export of shards ---------------------------------


@pytest.fixture(scope="module")
def roads(tmp_path_factory) -> Sharded:
    folder = tmp_path_factory.mktemp("roads")
    images = json.loads((CASES / "labels.json").read_text())["images"]
    return shard_lines(write_lines(folder / "labels.jsonl", images), folder / "shards", [1, 3])


@pytest.mark.parametrize("case", ["ATTRIBUTE_RENAMED", "ENUM_VALUE_REMOVED"])
def test_diff_labels_impact_of_shards_is_the_impact_of_the_one_file(roads, case):
    specs = (CASES / case / "old.spec", CASES / case / "new.spec")
    whole = run_specc("diff", *specs, "--labels", roads.whole, "--format", "json")
    shards = run_specc("diff", *specs, "--labels", roads.folder, "--format", "json")
    assert whole.returncode == shards.returncode
    assert shards.stdout == whole.stdout
    assert json.loads(whole.stdout)["impact"]
    assert f"note: {roads.folder}: images without spec_version" in shards.stderr


def test_docs_labels_of_shards_counts_the_images_of_the_one_file(roads):
    spec = CASES / "ATTRIBUTE_RENAMED" / "new.spec"
    whole = run_specc("docs", spec, "--since", "1", "--labels", roads.whole)
    shards = run_specc("docs", spec, "--since", "1", "--labels", f"{roads.folder}/part-*.jsonl")
    assert whole.returncode == shards.returncode == 0, shards.stderr
    assert shards.stdout == whole.stdout
    assert "affects 2 labeled objects in 2 images" in whole.stdout


# ---- arguments that stand for nothing --------------------------------------------------------------------


def _commands(spec: Path, predictions: Path, argument: str) -> list[tuple[str, ...]]:
    old_new = (CASES / "ATTRIBUTE_RENAMED" / "old.spec", CASES / "ATTRIBUTE_RENAMED" / "new.spec")
    return [("check", spec, argument), ("stats", spec, argument), ("agree", spec, argument, argument),
            ("diff", *old_new, "--labels", argument), ("docs", old_new[1], "--since", "1", "--labels", argument),
            ("migrate", old_new[1], argument, "-o", Path(predictions).parent / "out"),
            ("select", spec, "--predictions", predictions, "--budget", "2", "--labels", argument),
            ("suspect", spec, argument, "--predictions", predictions)]


@pytest.mark.parametrize("kind", ["missing", "empty folder", "pattern"])
def test_an_argument_that_names_no_export_is_a_usage_error_in_every_command(labeled, tmp_path, kind):
    spec, predictions, _ = labeled
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an export")
    argument, message = {
        "missing": (f"{tmp_path}/absent.jsonl", f"cannot read export {tmp_path}/absent.jsonl: no such file"),
        "empty folder": (str(tmp_path / "empty"), f"{tmp_path}/empty: the folder holds no export files"),
        "pattern": (f"{tmp_path}/2026-11-*/*.jsonl", f"no export matches {tmp_path}/2026-11-*/*.jsonl"),
    }[kind]
    for command in _commands(spec, predictions, argument):
        proc = run_specc(*command)
        assert proc.returncode == 2, (command, proc.stderr)
        assert message in proc.stderr, (command, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_shards_that_name_different_specs_are_refused(tmp_path):
    from test_suspect import SPEC

    (tmp_path / "roads.spec").write_text(SPEC)
    folder = tmp_path / "shards"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"spec": "roads", "images": [{"id": "x", "objects": []}]}))
    (folder / "b.json").write_text(json.dumps({"spec": "lanes", "images": [{"id": "y", "objects": []}]}))
    proc = run_specc("stats", tmp_path / "roads.spec", folder)
    assert proc.returncode == 2
    assert f"{folder}: the shards are exports of different specs: {folder}/a.json of 'roads', " \
           f"{folder}/b.json of 'lanes'" in proc.stderr
