"""The TuSimple reader's numpy path reads a batch exactly as the frame-by-frame path reads each line."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.data.readers import ReadOptions
from specdsl.data.readers.native import numbered_lines as non_blank_lines
from specdsl.data.readers.tusimple import Frames
from specdsl.data.records import ImageRecord

X = st.one_of(st.just(-2), st.integers(-50, 2000), st.floats(-50, 2000, allow_nan=False))
Y = st.one_of(st.integers(0, 720), st.floats(0, 720, allow_nan=False))


@st.composite
def frames(draw):
    """Lines of frames with their own h_samples (lengths differ between frames), some lanes all -2."""
    lines = []
    for index in range(draw(st.integers(1, 6))):
        h_samples = draw(st.lists(Y, max_size=6))
        lanes = draw(st.lists(st.lists(X, min_size=len(h_samples), max_size=len(h_samples)), max_size=4))
        frame = {"lanes": lanes, "h_samples": h_samples}
        if draw(st.booleans()):
            frame["raw_file"] = f"clips/{index}/20.jpg"
        lines.append(orjson.dumps(frame))
    return b"\n".join(lines) + b"\n"


def as_tuple(record: ImageRecord) -> tuple:
    return (record.data, record.source, record.pointer, record.object_pointers, record.position,
            record.object_positions)


@settings(max_examples=200, deadline=None)
@given(data=frames(), with_classes=st.booleans())
def test_the_fast_path_equals_reading_each_line_alone(tmp_path_factory, data: bytes, with_classes: bool) -> None:
    folder = tmp_path_factory.mktemp("t")
    lines = non_blank_lines(data)
    options = ReadOptions()
    if with_classes:  # a class id per lane; one frame gets a wrong count, which is an issue either way
        counts = [len(orjson.loads(line)["lanes"]) for _, line in lines]
        text = "\n".join(" ".join("1" for _ in range(n + (k == 0))) for k, n in enumerate(counts)) + "\n"
        (folder / "classes.txt").write_text(text, encoding="utf-8")
        options = ReadOptions(class_file=folder / "classes.txt")
    fast = Frames("t.json", options).fast_batch(lines)
    assert fast is not None
    slow_frames = Frames("t.json", options)
    slow = [item for line in lines for item in slow_frames.one(line)]
    assert [as_tuple(r) if isinstance(r, ImageRecord) else r for r in fast] == \
        [as_tuple(r) if isinstance(r, ImageRecord) else r for r in slow]


def test_a_batch_with_one_malformed_frame_is_left_to_the_one_by_one_path() -> None:
    good = b'{"lanes": [[1, 2]], "h_samples": [10, 20]}'
    for bad in (b'{"lanes": [[1]], "h_samples": [10, 20]}', b'{"lanes": [[true, 2]], "h_samples": [10, 20]}',
                b'{"lanes": [[1, 2]], "h_samples": [10, "x"]}', b'[1, 2]', b'{"lanes": [[1, 2]]',
                b'{"lanes": [[1, 2]], "h_samples": [10, 20]}, {"lanes": [], "h_samples": []}'):
        assert Frames("t.json", ReadOptions()).fast_batch(non_blank_lines(good + b"\n" + bad)) is None, bad
