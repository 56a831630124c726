"""`specc migrate SPEC FOLDER|PATTERN -o OUT`: each shard migrated to its relative path under the folder OUT,
all or nothing, never over an input; the shards' migration is the migration of the one file they were cut from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_specc
from test_inputs import shard_lines, write_lines

CASES = Path(__file__).parent / "diff_cases"
NEW = CASES / "ATTRIBUTE_RENAMED" / "new.spec"


@pytest.fixture
def exports(tmp_path) -> tuple[Path, Path]:
    """The four images of diff_cases/labels.json as one JSON Lines file, and cut into shards in two folders."""
    images = json.loads((CASES / "labels.json").read_text())["images"]
    whole = write_lines(tmp_path / "labels.jsonl", images)
    sharded = shard_lines(whole, tmp_path / "flat", [1, 2, 1])
    root = tmp_path / "exports"
    for k, shard in enumerate(sharded.shards):  # exports/2026-11-0K/part.jsonl
        (root / f"2026-11-0{k + 1}").mkdir(parents=True)
        shard.rename(root / f"2026-11-0{k + 1}" / "part.jsonl")
    return whole, root


def _migrate(*args) -> dict:
    proc = run_specc("migrate", NEW, *args, "--labeled-under", "1", "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_each_shard_lands_at_its_relative_path_and_together_they_are_the_migrated_file(exports, tmp_path):
    whole, root = exports
    one = _migrate(whole, "-o", tmp_path / "one.jsonl")
    for argument, out in ((root, tmp_path / "by-folder"), (f"{root}/2026-11-*/*.jsonl", tmp_path / "by-pattern")):
        report = _migrate(argument, "-o", out)
        assert report == one  # counts and the images that need a person, summed over the shards
        written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        assert written == [Path(f"2026-11-0{k}/part.jsonl") for k in (1, 2, 3)]
        joined = b"".join((out / p).read_bytes() for p in written)
        assert joined == (tmp_path / "one.jsonl").read_bytes()
    assert one["migrated"] == 2


def test_a_second_run_replaces_the_outputs_and_leaves_other_files_alone(exports, tmp_path):
    _, root = exports
    out = tmp_path / "out"
    _migrate(root, "-o", out)
    first = (out / "2026-11-02" / "part.jsonl").read_bytes()
    (out / "README").write_text("kept")
    _migrate(root, "-o", out)
    assert (out / "2026-11-02" / "part.jsonl").read_bytes() == first
    assert (out / "README").read_text() == "kept"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_one_unreadable_shard_writes_nothing(exports, tmp_path):
    _, root = exports
    out = tmp_path / "out"
    out.mkdir()
    (out / "2026-11-01").mkdir()
    (out / "2026-11-01" / "part.jsonl").write_text("older output\n")
    (root / "2026-11-03" / "part.jsonl").write_text('{"id": "img9", "objects": [}\n')
    proc = run_specc("migrate", NEW, root, "-o", out, "--labeled-under", "1")
    assert proc.returncode == 2
    assert f"{root}/2026-11-03/part.jsonl" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "2026-11-01" / "part.jsonl").read_text() == "older output\n"  # the earlier shards were not written
    assert sorted(p.name for p in out.rglob("*")) == ["2026-11-01", "part.jsonl"]
    fresh = tmp_path / "fresh"
    assert run_specc("migrate", NEW, root, "-o", fresh, "--labeled-under", "1").returncode == 2
    assert not fresh.exists()  # the folder the failed run made is gone with it


@pytest.mark.parametrize("where", ["the input folder", "inside it", "a file"])
def test_an_output_over_or_inside_the_input_or_a_file_is_refused(exports, where):
    _, root = exports
    before = {p: p.read_bytes() for p in root.rglob("*.jsonl")}
    out = {"the input folder": root, "inside it": root / "migrated", "a file": root.parent / "labels.jsonl"}[where]
    proc = run_specc("migrate", NEW, root, "-o", out, "--labeled-under", "1")
    assert proc.returncode == 2
    message = {"the input folder": f"refusing to write into {root}", "inside it": f"refusing to write into {out}",
               "a file": f"-o {out} is a file"}[where]
    assert message in proc.stderr
    assert {p: p.read_bytes() for p in root.rglob("*.jsonl")} == before
    assert not (root / "migrated").exists()
