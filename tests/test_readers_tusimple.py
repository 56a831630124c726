"""TuSimple lane JSON lines reader, with the fabvio per-lane class file, on the real benchmark files.

The first 50 frames of the benchmark example are vendored (tests/data); the class file and the rescaled
copy have no licence, so their tests are in the opt-in ``realdata`` suite.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.data.readers import ReadOptions, read_export, split_items

LABELS = DATA / "tusimple-benchmark/example/label_data.first50.json"
PREDICTIONS = DATA / "tusimple-benchmark/example/pred.first20.json"
REAL_LABELS = "tusimple-benchmark/example/label_data.first500.json"
REAL_CLASSES = "tusimple-lane-classes/class_labels/label_data_0313_classes.first500.txt"
SMALL = "tusimple-sample-512x288/tusimple_sample_512x288/label_data.json"


def read(path: Path, **options):
    return split_items(read_export(path, "tusimple", ReadOptions(**options)))


def test_first_50_frames_skip_the_4_empty_lanes():
    records, issues = read(LABELS)
    assert issues == []
    assert len(records) == 50
    assert sum(len(r.data["objects"]) for r in records) == 200 - 4  # 4 lanes per frame, 4 all -2
    first = records[0].data
    assert (first["id"], first["width"], first["height"]) == ("clips/0313-1/6040/20.jpg", 1280, 720)
    assert first["objects"][0]["points"][:2] == [[632, 280], [625, 290]]
    assert all(240 <= y <= 710 for r in records for o in r.data["objects"] for _, y in o["points"])


def test_empty_lanes_keep_their_number_in_ids_and_pointers():
    records, _ = read(LABELS)
    fourth = records[3]
    assert fourth.data["id"] == "clips/0313-1/51660/20.jpg"
    assert [o["id"] for o in fourth.data["objects"]] == ["0", "1", "2"]  # lane 3 is all -2
    assert fourth.pointer == f"{LABELS}:4"
    assert fourth.object_pointers[2] == f"{LABELS}:4#/lanes/2"


def test_predictions_without_run_time_are_read():
    records, issues = read(PREDICTIONS)
    assert issues == []
    assert len(records) == 20


def test_class_file_adds_class_ids_aligned_line_by_line(realdata):
    records, issues = read(realdata / REAL_LABELS, class_file=realdata / REAL_CLASSES)
    assert issues == []
    assert len(records) == 500
    ids = Counter(o["attributes"]["class_id"] for r in records for o in r.data["objects"])
    # SOURCES: over all 2000 lanes 5:813 3:638 1:214 2:99 6:96 7:82 4:58; the 81 empty lanes are all 7
    assert ids == {5: 813, 3: 638, 1: 214, 2: 99, 6: 96, 4: 58, 7: 1}
    assert [o["attributes"]["class_id"] for o in records[2].data["objects"]] == [6, 3, 1, 3]


def test_rescaled_copy_takes_its_image_size_from_the_option(realdata):
    small, issues = read(realdata / SMALL, image_size=(512, 288))
    assert issues == []
    assert len(small) == 10
    assert (small[0].data["width"], small[0].data["height"]) == (512, 288)
    assert all(x <= 508 and 96 <= y <= 284 for r in small for o in r.data["objects"] for x, y in o["points"])


def test_broken_lines_are_issues_and_the_rest_is_read(tmp_path):
    lines = [b'{"lanes": [[-2, 5, 6], [1, -2, -2]], "h_samples": [10, 20, 30], "raw_file": "a.jpg"}',
             b'{"lanes": [[1, 2]], "h_samples": [10, 20, 30], "raw_file": "b.jpg"}',
             b'{"lanes": [[1, 2, 3]], "h_sam',
             b'[1, 2]',
             b'',
             b'{"lanes": [[7, 8, 9]], "h_samples": [10, 20, 30], "raw_file": "c.jpg"}']
    path = tmp_path / "t.json"
    path.write_bytes(b"\n".join(lines) + b"\n")
    classes = tmp_path / "c.txt"
    classes.write_text("2 3\n1\n1\n1\n\n5 6\n")
    records, issues = read(path, class_file=classes)
    assert [r.data["id"] for r in records] == ["a.jpg", "b.jpg", "c.jpg"]
    a = records[0].data["objects"]
    assert [(o["id"], o["points"], o["attributes"]) for o in a] == [
        ("0", [[5, 20], [6, 30]], {"class_id": 2}), ("1", [[1, 10]], {"class_id": 3})]  # one point is kept
    assert records[1].data["objects"] == []
    assert [(i.pointer, i.objects) for i in issues] == [
        (f"{path}:2#/lanes/0", ("0",)), (f"{path}:3", ()), (f"{path}:4", ()), (f"{path}:6", ())]
    assert "3 numbers" in issues[0].message
    assert "column" in issues[1].message
    assert "2 class ids for 1 lanes" in issues[3].message


# --- round trip: native lanes -> TuSimple -> reader ----------------------------------------------

H_SAMPLES = list(range(160, 720, 10))
runs = st.tuples(st.integers(0, len(H_SAMPLES) - 1), st.integers(1, len(H_SAMPLES)))
lanes = st.lists(st.tuples(runs, st.lists(st.integers(0, 1279), min_size=len(H_SAMPLES),
                                          max_size=len(H_SAMPLES))), max_size=5)
frames = st.lists(lanes, min_size=1, max_size=5)


def tusimple_line(frame: list, index: int) -> bytes:
    """A TuSimple line where each lane covers one contiguous run of h_samples, -2 elsewhere."""
    rows = []
    for (start, length), xs in frame:
        stop = min(start + length, len(H_SAMPLES))
        rows.append([x if start <= k < stop else -2 for k, x in enumerate(xs)])
    return orjson.dumps({"lanes": rows, "h_samples": H_SAMPLES, "raw_file": f"clips/{index}/20.jpg"})


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames)
def test_tusimple_round_trip(tmp_path, frames):
    path = tmp_path / "round.json"
    path.write_bytes(b"\n".join(tusimple_line(f, i) for i, f in enumerate(frames)))
    records, issues = split_items(read_export(path))
    assert issues == []
    assert [r.data["id"] for r in records] == [f"clips/{i}/20.jpg" for i in range(len(frames))]
    for record, frame in zip(records, frames, strict=True):
        expected = {}
        for k, ((start, length), xs) in enumerate(frame):
            stop = min(start + length, len(H_SAMPLES))
            expected[str(k)] = [[xs[j], H_SAMPLES[j]] for j in range(start, stop)]
        assert {o["id"]: o["points"] for o in record.data["objects"]} == expected
