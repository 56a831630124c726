"""CULane ``.lines.txt`` reader on the documented real example (opt-in: CULane is research-only)."""

from __future__ import annotations

from pathlib import Path

from specdsl.data.readers import ReadOptions, read_export, split_items

EXAMPLE = "culane/doc_example_CULANE_md.lines.txt"


def read(path: Path, **options):
    return split_items(read_export(path, "culane", ReadOptions(**options)))


def test_documented_example_keeps_points_outside_the_image(realdata):
    example = realdata / EXAMPLE
    records, issues = read(example)
    assert issues == []
    assert len(records) == 1
    image = records[0].data
    assert image["id"] == str(example)[: -len(".lines.txt")] + ".jpg"
    assert (image["width"], image["height"]) == (1640, 590)
    lanes = image["objects"]
    assert [len(o["points"]) for o in lanes] == [18, 19, 19, 16]
    assert lanes[0]["points"][0] == [-20.4835, 580.0]
    assert lanes[3]["points"][0] == [1679.87, 560.0]
    # y goes up the image
    assert all(a[1] > b[1] for o in lanes for a, b in zip(o["points"], o["points"][1:], strict=False))
    assert records[0].object_pointers == [f"{example}:{n}" for n in (1, 2, 3, 4)]


def test_directory_ids_are_relative_image_paths(tmp_path):
    folder = tmp_path / "driver_23_30frame" / "05151649_0422.MP4"
    folder.mkdir(parents=True)
    (folder / "00000.lines.txt").write_text("10.5 590 20.5 580 \n\nnot numbers \n30 570 40 \n1 2 3 4 \n")
    (folder / "00030.lines.txt").write_text("-20.5 580 12.25 570 \n1679.87 560 1600 550 \n")
    records, issues = read(tmp_path, lane_class="lane_line")
    assert [r.data["id"] for r in records] == ["driver_23_30frame/05151649_0422.MP4/00000.jpg",
                                               "driver_23_30frame/05151649_0422.MP4/00030.jpg"]
    # points left of and beyond the 1640-pixel-wide image are kept as written, for the checker to judge
    assert [o["points"][0] for o in records[1].data["objects"]] == [[-20.5, 580.0], [1679.87, 560.0]]
    first = records[0].data["objects"]
    assert [(o["id"], o["class"], o["points"]) for o in first] == [
        ("0", "lane_line", [[10.5, 590.0], [20.5, 580.0]]), ("3", "lane_line", [[1.0, 2.0], [3.0, 4.0]])]
    path = folder / "00000.lines.txt"
    assert [(i.pointer, i.objects) for i in issues] == [(f"{path}:3", ("1",)), (f"{path}:4", ("2",))]
