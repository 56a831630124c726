"""Reliability of the data side (issue 8): hostile values, deep JSON, far coordinates, dense images,
a damaged relabel queue and an interrupted ``specc migrate`` each end in a located finding or a clear
refusal, and the rest of the data is still checked."""

from __future__ import annotations

import json

from conftest import SPECS, run_specc

LANES = str(SPECS / "lanes.spec")
EXAMPLE = SPECS / "examples" / "lanes.json"

MULTI_SELECT_SPEC = """spec cars version 1

class car: box {
  color: enum { red, blue }
}

example "Two colours ticked" invalid car.color {
  image 200 x 100
  car { color: [red, blue], box: [10, 10, 50, 40] }
}

example "One colour" valid {
  image 200 x 100
  car { color: red, box: [10, 10, 50, 40] }
}
"""


def _lanes_export() -> dict:
    return json.loads(EXAMPLE.read_text())


def _check_json(path, *extra, spec=LANES):
    proc = run_specc("check", spec, str(path), "--format", "json", *extra)
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def _by_check(doc) -> dict:
    out: dict = {}
    for finding in doc["findings"]:
        out.setdefault(finding["check"], []).append(finding)
    return out


# --- list and object attribute values -------------------------------------------------------------

def test_list_and_object_attribute_values_are_located_findings_and_the_rest_is_checked(tmp_path):
    export = _lanes_export()
    export["images"][0]["objects"][0]["attributes"]["color"] = ["white", "yellow"]
    export["images"][0]["attributes"]["country"] = {"code": "US"}
    path = tmp_path / "multi.json"
    path.write_text(json.dumps(export))
    proc, doc = _check_json(path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    found = _by_check(doc)
    (color,) = found["lane_line.color"]
    assert color["kind"] == "attribute"
    assert color["objects"] == ["a1"]
    assert color["pointer"] == "/images/0/objects/0"
    assert "value must be one of white, yellow, orange, got a list" in color["message"]
    (country,) = found["image.country"]
    assert "value must be a string, got an object" in country["message"]
    assert len(found["dashed_is_one_line"]) == 1  # the rest of the export is still checked (one unordered pair)
    assert doc["summary"]["objects"] == 9  # the object with the list value is still counted


def _label_studio_multi_select(tmp_path):
    size = {"original_width": 200, "original_height": 100}

    def region(rid, x, choices):
        return [{"id": rid, "type": "rectanglelabels", "from_name": "label", **size,
                 "value": {"x": x, "y": 10, "width": 10, "height": 20, "rectanglelabels": ["car"]}},
                {"id": rid, "type": "choices", "from_name": "color", "value": {"choices": choices}}]

    result = region("r1", 5, ["red", "blue"]) + region("r2", 40, ["red"]) + region("r3", 70, ["green"])
    tasks = [{"id": 1, "data": {"image": "a.jpg"}, "annotations": [{"id": 1, "result": result}]}]
    spec = tmp_path / "cars.spec"
    spec.write_text(MULTI_SELECT_SPEC)
    export = tmp_path / "ls.json"
    export.write_text(json.dumps(tasks))
    return spec, export


def test_label_studio_multi_select_is_an_attribute_finding(tmp_path):
    spec, export = _label_studio_multi_select(tmp_path)
    proc, doc = _check_json(export, spec=str(spec))
    assert proc.returncode == 1, proc.stderr
    messages = {f["objects"][0]: f["message"] for f in doc["findings"] if f["check"] == "car.color"}
    assert messages == {"r1": "attribute 'color': value must be one of red, blue, got a list",
                        "r3": "attribute 'color': 'green' is not one of red, blue"}


def test_specc_test_runs_an_example_with_a_list_value(tmp_path):
    spec = tmp_path / "cars.spec"
    spec.write_text(MULTI_SELECT_SPEC)
    proc = run_specc("test", str(spec))
    assert proc.returncode == 0, proc.stderr
    assert "2 passed, 0 failed" in proc.stdout


# --- deep JSON --------------------------------------------------------------------------------------

def test_attribute_nested_600_deep_is_an_attribute_finding(tmp_path):
    export = _lanes_export()
    text = json.dumps(export).replace('"country": "US"', '"country": ' + "[" * 600 + "1" + "]" * 600, 1)
    path = tmp_path / "deep.json"
    path.write_text(text)
    proc, doc = _check_json(path)
    assert proc.returncode == 1, proc.stderr
    (country,) = _by_check(doc)["image.country"]
    assert country["message"] == "attribute 'country': value must be a string, got a list"


def test_points_nested_900_deep_are_a_short_schema_finding(tmp_path):
    export = _lanes_export()
    deep = "[" * 900 + "1" + "]" * 900
    text = json.dumps(export).replace('"points": [[812.5, 1079], [901, 640]]', f'"points": [{deep}, [1, 2]]', 1)
    path = tmp_path / "deep.json"
    path.write_text(text)
    proc, doc = _check_json(path)
    (schema,) = _by_check(doc)["schema"]
    assert schema["pointer"] == "/images/0/objects/0"
    assert schema["message"].startswith("'points' vertex 0 must be a pair of numbers [x, y], not [[")
    assert len(schema["message"]) < 120


def test_document_nested_1100_deep_is_a_located_read_error(tmp_path):
    path = tmp_path / "deeper.json"
    path.write_text('{"spec": "lanes",\n "images": [{"id": "a", "attributes": {"x": '
                    + "[" * 1100 + "]" * 1100 + "}}]}")
    proc = run_specc("check", LANES, str(path))
    assert proc.returncode == 2
    assert f"{path}:2:" in proc.stderr
    assert "depth limit exceeded" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr


# --- a number out of range is located in the file ----------------------------------------------------

def test_number_out_of_range_is_located_at_its_line_and_column_in_the_file(tmp_path):
    images = [f'{{"id": "i{k}", "width": 100, "height": 100, "objects": []}}' for k in range(700)]
    images[610] = '{"id": "i610", "width": 1e400, "height": 100, "objects": []}'  # second decode batch
    path = tmp_path / "big.json"
    path.write_text('{"spec": "lanes", "images": [\n' + ",\n".join(images) + "\n]}\n")
    proc = run_specc("check", LANES, str(path))
    assert proc.returncode == 2
    assert f"{path}:612:25: number is infinity" in proc.stderr, proc.stderr


def test_number_out_of_range_is_located_in_a_later_chunk_of_a_document(tmp_path):
    images = [f'{{"id": "i{k}", "objects": []}}' for k in range(20)]
    images[15] = '{"id": "i15", "objects": [], "x": -1e999}'
    path = tmp_path / "split.json"
    path.write_text('{"images": [\n' + ",\n".join(images) + "]}")
    proc = run_specc("check", LANES, str(path), "--jobs", "2", "--chunk-images", "4")
    assert proc.returncode == 2
    assert f"{path}:17:35:" in proc.stderr, proc.stderr


# --- coordinates far out of range ---------------------------------------------------------------------

def test_one_far_coordinate_is_a_schema_finding_and_pair_rules_still_fire(tmp_path):
    export = _lanes_export()
    export["images"][0]["objects"].append({"id": "far", "class": "vehicle", "box": [1e308, 10, 5, 5],
                                           "attributes": {"blinker": "off", "parked": True}})
    export["images"][1]["width"] = 1e300
    path = tmp_path / "far.json"
    path.write_text(json.dumps(export))
    proc, doc = _check_json(path, "--fail-on", "warning")
    assert proc.returncode == 1, proc.stderr
    found = _by_check(doc)
    messages = sorted(f["message"] for f in found["schema"])
    assert messages == ["'box' has a coordinate out of range (at most 10,000,000 px from 0)",
                        "image 'width' is out of range: 1e+300 (at most 10,000,000 px)"]
    assert sorted(tuple(f["objects"]) for f in found["dashed_is_one_line"]) == [("c1", "c2")]  # symmetric: once
    assert "vehicle.require.1" not in found  # the far box is left out of geometry checks



MASK_SPEC = """spec m version 1
class blob: mask {
  require area >= 10
}
rule no_overlap: warning {
  for a in blob
  for b in blob where a != b and intersects(a, b)
  require false
}
"""


def test_a_mask_of_absurd_size_is_a_schema_finding(tmp_path):
    spec = tmp_path / "m.spec"
    spec.write_text(MASK_SPEC)
    square = {"size": [4, 4], "counts": [0, 16]}
    export = {"images": [{"id": "i", "width": 100, "height": 100, "objects": [
        {"id": "m1", "class": "blob", "mask": {"size": [1e308, 1e308], "counts": [0, 5]}},
        {"id": "m2", "class": "blob", "mask": square}, {"id": "m3", "class": "blob", "mask": square}]}]}
    path = tmp_path / "masks.json"
    path.write_text(json.dumps(export))
    proc, doc = _check_json(path, spec=str(spec))
    assert proc.returncode == 1, proc.stderr
    found = _by_check(doc)
    assert [(f["objects"], f["message"]) for f in found["schema"]] == [
        (["m1"], "'mask' 'size' out of range (at most 10,000,000 px from 0)")]
    assert sorted(f["objects"] for f in found["no_overlap"]) == [["m2", "m3"]]  # symmetric: once

# --- a damaged, full or read-only relabel queue ---------------------------------------------------------

def _queue(tmp_path, name="relabel.db", n=3):
    from specdsl.queue import open_queue
    from specdsl.queue.item import NewItem

    path = tmp_path / name
    with open_queue(path) as queue:
        queue.add_items(NewItem(image=f"img{k}.jpg", action="relabel", reasons=("lane_line.color",),
                                severity="error") for k in range(n))
    return path


def _refused(proc, path, words):
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert str(path) in proc.stderr, proc.stderr
    assert words in proc.stderr, proc.stderr


def _items_root_page(path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items'").fetchone()[0]
    finally:
        conn.close()


def test_a_corrupted_queue_page_is_a_clear_refusal(tmp_path):
    path = _queue(tmp_path)
    page = _items_root_page(path)
    with path.open("r+b") as handle:
        handle.seek(4096 * (page - 1))
        handle.write(b"\x0d\xff\xff\xff" * 8)  # a b-tree page header no reader can follow
    for action in (("list",), ("claim", "--labeler", "ann"), ("stats",)):
        _refused(run_specc("queue", *action, "--queue", str(path)), path, "is damaged (database disk image")


def test_a_dropped_items_table_is_a_clear_refusal(tmp_path):
    import sqlite3

    path = _queue(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE items")
    conn.commit()
    conn.close()
    _refused(run_specc("queue", "list", "--queue", str(path)), path, "its 'items' table is missing")


def test_unreadable_json_in_an_item_is_a_clear_refusal(tmp_path):
    import sqlite3

    path = _queue(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE items SET objects = '[oops' WHERE id = 2")
    conn.commit()
    conn.close()
    _refused(run_specc("queue", "list", "--queue", str(path)), path, "an item holds unreadable JSON")


def test_a_full_disk_refuses_and_loses_nothing(tmp_path):
    from specdsl.queue import QueueError, open_queue
    from specdsl.queue.item import NewItem

    path = _queue(tmp_path)
    with open_queue(path) as queue:
        pages = queue._conn.execute("PRAGMA page_count").fetchone()[0]
        queue._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, as on a full disk
        many = [NewItem(image=f"more{k}.jpg", action="review", reasons=("x" * 200,), severity="warning")
                for k in range(2000)]
        try:
            queue.add_items(many)
        except QueueError as error:
            assert str(error) == f"{path}: the disk is full; the queue was left as it was before this command"
        else:
            raise AssertionError("the build fitted in the page limit")
    with open_queue(path) as queue:
        assert [item.image for item in queue.items()] == ["img0.jpg", "img1.jpg", "img2.jpg"]
        first, second = queue.claim("a", 2), queue.claim("b", 2)
        assert len(first) == 2
        assert len(second) == 1
        assert not {i.id for i in first} & {i.id for i in second}  # never handed out twice


def _make_unwritable(directory):
    """Make ``directory`` refuse new files, even to root (chattr +i); None when this machine cannot."""
    import os
    import subprocess

    directory.chmod(0o555)
    probe = directory / ".probe"
    try:
        probe.touch()
    except OSError:
        return lambda: directory.chmod(0o755)
    probe.unlink()
    if os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(directory)], capture_output=True).returncode == 0:
        return lambda: (subprocess.run(["chattr", "-i", str(directory)]), directory.chmod(0o755))
    directory.chmod(0o755)
    return None


def test_a_queue_in_a_read_only_directory_can_be_listed_but_not_claimed(tmp_path):
    import pytest

    folder = tmp_path / "shared"
    folder.mkdir()
    path = _queue(folder)
    restore = _make_unwritable(folder)
    if restore is None:
        pytest.skip("cannot make a directory read-only here")
    try:
        listed = run_specc("queue", "list", "--queue", str(path), "--format", "json")
        assert listed.returncode == 0, listed.stderr
        assert [item["image"] for item in json.loads(listed.stdout)] == ["img0.jpg", "img1.jpg", "img2.jpg"]
        stats = run_specc("queue", "stats", "--queue", str(path), "--format", "json")
        assert json.loads(stats.stdout)["status"]["pending"] == 3
        _refused(run_specc("queue", "claim", "--labeler", "ann", "--queue", str(path)), path,
                 "is its directory writable?")
    finally:
        restore()


def test_read_only_listing_shows_a_lapsed_claim_as_pending_without_writing(tmp_path):
    from specdsl.queue import open_queue

    path = _queue(tmp_path)
    with open_queue(path, clock=lambda: 1000.0) as queue:
        (claimed,) = queue.claim("ann", 1, lease_seconds=10)
    with open_queue(path, readonly=True, clock=lambda: 1005.0) as queue:
        assert [i.status for i in queue.items()] == ["claimed", "pending", "pending"]
    with open_queue(path, readonly=True, clock=lambda: 2000.0) as queue:
        assert [i.id for i in queue.items("pending")] == [1, 2, 3]
        assert queue.items()[claimed.id - 1].labeler is None
        assert queue.stats()["status"] == {"pending": 3, "claimed": 0, "done": 0}
    with open_queue(path, clock=lambda: 1005.0) as queue:
        assert queue.items("claimed")[0].labeler == "ann"  # the read-only reader wrote nothing


# --- an interrupted specc migrate ---------------------------------------------------------------------

MIGRATE_CASES = SPECS.parent / "tests" / "diff_cases"
RENAMED_SPEC = str(MIGRATE_CASES / "ATTRIBUTE_RENAMED" / "new.spec")


def _stale_temporary(out):
    """A temporary of ``out`` as a SIGKILLed ``specc`` leaves it: named after this host and a dead pid."""
    import subprocess
    import sys

    from specdsl.atomic import TEMP_MARK, _host

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = out.with_name(f".{out.name}{TEMP_MARK}{_host()}-{gone.pid}")
    stale.write_bytes(b'{"images": [')
    return stale


def test_migrate_output_keeps_the_input_permissions_less_the_umask(tmp_path):
    import os

    source = tmp_path / "labels.json"
    source.write_bytes((MIGRATE_CASES / "labels.json").read_bytes())
    umask = os.umask(0)
    os.umask(umask)
    for mode in (0o644, 0o640, 0o600):
        source.chmod(mode)
        out = tmp_path / f"out{mode:o}.json"
        proc = run_specc("migrate", RENAMED_SPEC, str(source), "-o", str(out), "-q")
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_mode & 0o777 == mode & ~umask


def test_migrate_removes_temporaries_of_killed_runs_and_keeps_live_ones(tmp_path):
    import os

    from specdsl.atomic import TEMP_MARK, _host

    out = tmp_path / "out.json"
    stale = _stale_temporary(out)
    live = out.with_name(f".{out.name}{TEMP_MARK}{_host()}-{os.getpid()}")  # this test process still runs
    live.write_bytes(b"")
    assert stale.exists()
    proc = run_specc("migrate", RENAMED_SPEC, str(MIGRATE_CASES / "labels.json"), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, live.name])
    assert json.loads(out.read_bytes())["images"]


_WRITER = """
import os, signal, sys
from pathlib import Path
from specdsl import atomic

def interrupted_fsync(fd, real=os.fsync):
    real(fd)
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))  # the signal arrives mid-write

os.fsync = interrupted_fsync
atomic.write_atomically(Path(sys.argv[1]), b"x" * 100000)
"""


def test_sigterm_mid_write_leaves_neither_a_temporary_nor_a_half_file(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT, default_signals

    out = tmp_path / "out.json"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    for name, code in (("SIGTERM", 143), ("SIGINT", -2)):  # -2: Python re-raises an uncaught Ctrl-C
        proc = subprocess.run([sys.executable, "-c", _WRITER, str(out), name], env=env, capture_output=True,
                              text=True, timeout=60, preexec_fn=default_signals)
        assert proc.returncode == code, proc.stderr
        assert list(tmp_path.iterdir()) == [], name
    killed = subprocess.run([sys.executable, "-c", _WRITER, str(out), "SIGKILL"], env=env, timeout=60)
    assert killed.returncode == -9
    (left,) = tmp_path.iterdir()  # only SIGKILL leaves a temporary, never the final name
    assert left.name.startswith(".out.json.specc-tmp-")
    from specdsl.atomic import write_atomically

    write_atomically(out, b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# --- pair rules on dense images --------------------------------------------------------------------------

CARTESIAN_SPEC = """spec pairs version 1

class lane_line: polyline {
  color: enum { white, yellow }
  style: enum { solid, dashed } = solid
}

rule same_colour_triples: info {
  for a in lane_line where a.style == dashed
  for b in lane_line where b.color == a.color and a != b
  for c in lane_line where c.color != b.color
  require false
}
"""


def _dash(k, x, y, color="white"):
    return {"id": f"d{k}", "class": "lane_line", "points": [[x, y], [x, y + 30]],
            "attributes": {"color": color, "style": "dashed"}}


def _dataset(images):
    from specdsl.data.build import build_dataset
    from specdsl.data.records import ImageRecord

    return build_dataset([ImageRecord(image, "mem", f"/images/{k}") for k, image in enumerate(images)], "mem")


def _random_images(seed, n_images=40):
    import random

    rng = random.Random(seed)
    images = []
    for i in range(n_images):
        objects = []
        for k in range(rng.choice([0, 1, 2, 5, 12, 30])):
            x, y = rng.uniform(0, 300), rng.uniform(0, 300)
            obj = _dash(k, x, y, rng.choice(["white", "yellow", "orange"]))
            obj["points"][1] = [x + rng.uniform(-3, 3), y + rng.uniform(5, 60)]
            obj["attributes"]["overridden"] = rng.random() < 0.3
            objects.append(obj)
        images.append({"id": f"img{i}", "width": 400, "height": 400, "objects": objects})
    return images


def _rule_findings(spec, dataset, limits):
    from specdsl.validate import run_checks

    found = [(f.check, f.image, f.objects) for f in run_checks(spec, dataset, limits=limits) if f.kind == "rule"]
    return sorted(found)  # reports sort findings; the order of evaluation is not a contract


def test_pair_rules_give_the_same_findings_whatever_the_chunk(tmp_path):
    from specdsl.compiler import compile_file
    from specdsl.validate.rules import PairLimits

    cartesian = tmp_path / "pairs.spec"
    cartesian.write_text(CARTESIAN_SPEC)
    for spec in (compile_file(LANES), compile_file(cartesian)):
        for seed in range(2):
            dataset = _dataset(_random_images(seed, n_images=25))
            whole = _rule_findings(spec, dataset, PairLimits(chunk=10**12, budget=10**12))
            assert len(whole) > 20
            for chunk in (1, 40, 5000):  # one row at a time, slices of an image, groups of images
                assert _rule_findings(spec, dataset, PairLimits(chunk=chunk, budget=10**12)) == whole


def test_an_image_over_the_pair_budget_is_one_finding_and_the_rest_is_checked():
    from specdsl.compiler import compile_file
    from specdsl.validate import run_checks
    from specdsl.validate.rules import PairLimits

    dense = {"id": "dense", "objects": [_dash(k, 100 + k * 0.1, 500) for k in range(40)]}
    normal = {"id": "normal", "objects": [_dash(0, 10, 10), _dash(1, 10, 45)]}
    findings = run_checks(compile_file(LANES), _dataset([normal, dense, normal]), limits=PairLimits(budget=1000))
    pairs = [(f.check, f.image) for f in findings if f.check in ("dashed_is_one_line", "schema")]
    assert pairs.count(("dashed_is_one_line", "normal")) == 2  # each unordered pair once
    (over,) = [f for f in findings if f.check == "schema"]
    assert over.image == "dense"
    assert over.kind == "schema"
    assert over.severity == "error"
    assert over.pointer == "/images/1"
    assert over.spec_location.endswith("lanes.spec:48:1")
    assert over.message == ("rule 'dashed_is_one_line' was not checked on this image: its objects make 6,400 "
                            "candidate pairs, over the budget of 1,000 per image")


_DENSE = """
import resource, sys
from specdsl.compiler import compile_file
from specdsl.data.build import build_dataset
from specdsl.data.records import ImageRecord
from specdsl.validate import run_checks

def dash(k, x, y):
    return {"id": f"d{k}", "class": "lane_line", "points": [[x, y], [x, y + 30]],
            "attributes": {"color": "white", "style": "dashed"}}

n = int(sys.argv[2])
dense = {"id": "dense", "objects": [dash(k, 100 + (k % 50) * 0.1, 500) for k in range(n)]}
normal = {"id": "normal", "objects": [dash(0, 10, 10), dash(1, 10, 45)]}
records = [ImageRecord(image, "mem", f"/images/{k}") for k, image in enumerate([normal, dense, normal])]
dataset = build_dataset(records, "mem")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
findings = run_checks(compile_file(sys.argv[1]), dataset)
growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
print(growth_mb, sorted({(f.check, f.image) for f in findings if f.check in ("schema", "dashed_is_one_line")}))
"""


def test_twenty_thousand_stacked_dashes_stay_in_bounded_memory():
    """Before the budget, this image's 400 million pairs took tens of GB; now its join is only counted."""
    import subprocess
    import sys

    from conftest import ROOT

    proc = subprocess.run([sys.executable, "-c", _DENSE, LANES, "20000"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    growth, found = proc.stdout.split(" ", 1)
    assert found.strip() == "[('dashed_is_one_line', 'normal'), ('schema', 'dense')]"
    assert int(growth) < 200, f"the check grew the process by {growth} MB"


def test_a_really_full_disk_refuses_the_build_and_keeps_the_queue(tmp_path):
    """On a 200 KB tmpfs (root only: elsewhere SQLite's page limit above stands in for the disk)."""
    import os
    import subprocess

    import pytest

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        queue = disk / "relabel.db"
        one = tmp_path / "one.json"
        one.write_text(json.dumps({"findings": [{"check": "c", "kind": "rule", "severity": "error",
                                                 "image": "first.jpg", "objects": ["o"]}]}))
        assert run_specc("queue", "build", "--queue", str(queue), str(one)).returncode == 0
        many = tmp_path / "many.json"
        many.write_text(json.dumps({"findings": [{"check": "c", "kind": "rule", "severity": "error",
                                                  "image": f"img{k}.jpg" * 8, "objects": [f"o{k}"]}
                                                 for k in range(5000)]}))
        _refused(run_specc("queue", "build", "--queue", str(queue), str(many)), queue, "the disk is full")
        listed = run_specc("queue", "list", "--queue", str(queue), "--format", "json")
        assert [item["image"] for item in json.loads(listed.stdout)] == ["first.jpg"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)
