"""The native reader's fast path (msgspec structs straight into columns) builds exactly the dataset of the
dict path (orjson dicts, then the record builder), whatever the images hold: a batch the fast path cannot
take exactly falls back, and its problems are named as before."""

from __future__ import annotations

import dataclasses
import json
import math

import compare
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.data.build import build_dataset
from specdsl.data.native_batch import NativeBatch, decode_batch
from specdsl.data.readers import ReaderError, native
from specdsl.data.readers.base import ReadOptions

# Mostly well-formed values (drawn 9 times in 10), so that most batches take the fast path; the rest is
# every kind of value the dict path reports or reads differently.
_NUMBERS = st.one_of(st.integers(-5000, 5000), st.floats(-5000, 5000, allow_nan=False), st.sampled_from([-0.0, 0.0]))
_ODD_NUMBERS = st.sampled_from([0, -1, 2**70, -(2**64), 10**19, 1e12, 3.0, True, "7", None, [1]])
_SCALARS = st.one_of(st.sampled_from(["white", "dashed", "", "é"]), st.booleans(), st.integers(-3, 3),
                     st.floats(-2, 2, allow_nan=False), st.none())
_ODD_SCALARS = st.sampled_from([2**64, -(2**63) - 1, 12345678901234567890123, [1, 2], {"a": 1}, [], 1e300])


def _mostly(good: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    return st.integers(0, 9).flatmap(lambda k: good if k else odd)


def _maybe_key(draw, target: dict, key: str, good: st.SearchStrategy, odd: st.SearchStrategy) -> None:
    """Set ``key`` (or not) to a mostly good value."""
    if draw(st.booleans()):
        target[key] = draw(_mostly(good, odd))


_PAIRS = st.lists(st.tuples(_NUMBERS, _NUMBERS).map(list), max_size=4)
_ODD_POINTS = st.sampled_from([[[1, 2, 3]], [[1]], [1, 2], "x", [[1e8, 0]], [[2**70, 1]], [[True, 1]], {}])
_BOXES = st.tuples(_NUMBERS, _NUMBERS, st.integers(0, 50), st.floats(0, 50)).map(list)
_ODD_BOXES = st.sampled_from([[1, 2, -3, 4], [1, 2, 3], [1, 2, 3, 4, 5], [1e9, 0, 1, 1], "box", [None, 1, 2, 3]])
_ATTRIBUTES = st.dictionaries(st.sampled_from(["color", "style", "occluded", "n"]), _mostly(_SCALARS, _ODD_SCALARS),
                              max_size=3)


@st.composite
def objects(draw) -> dict:
    obj: dict = {}
    obj["id"] = draw(_mostly(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from([1, None, ["a"]])))
    if draw(st.integers(0, 9)):
        obj["class"] = draw(st.sampled_from(["lane_line", "vehicle", "sign"]))
    elif draw(st.booleans()):
        obj["class"] = draw(st.sampled_from([3, None, ["lane_line"]]))
    geometry = draw(_mostly(st.sampled_from(["points", "points", "box", "point", "none", "two"]),
                            st.sampled_from(["mask", "polygons"])))
    if geometry in ("points", "two"):
        obj["points"] = draw(_mostly(_PAIRS, _ODD_POINTS))
    if geometry in ("box", "two"):
        obj["box"] = draw(_mostly(_BOXES, _ODD_BOXES))
    if geometry == "point":
        obj["point"] = draw(_mostly(st.tuples(_NUMBERS, _NUMBERS).map(list), _ODD_BOXES))
    if geometry == "mask":
        obj["mask"] = {"size": [4, 4], "counts": "04"}
    if geometry == "polygons":
        obj["polygons"] = [[[0, 0], [4, 0], [4, 4]], [[10, 10], [12, 10], [12, 12]]]
    _maybe_key(draw, obj, "attributes", _ATTRIBUTES, st.sampled_from([None, [], "x"]))
    _maybe_key(draw, obj, "occluded", st.booleans(), st.sampled_from([None, "yes", 2**70]))
    _maybe_key(draw, obj, "z_order", st.integers(-3, 3), st.sampled_from([1.5, None]))
    _maybe_key(draw, obj, "rotation", st.floats(-180, 180), st.sampled_from([None, "x"]))
    _maybe_key(draw, obj, "score", st.floats(0, 1), st.none())  # a key the builder does not keep
    return obj


@st.composite
def images(draw) -> dict:
    image: dict = {}
    image["id"] = draw(_mostly(st.sampled_from(["i1", "i2", "i3"]), st.sampled_from([7, None])))
    _maybe_key(draw, image, "width", st.integers(1, 4000), _ODD_NUMBERS)
    _maybe_key(draw, image, "height", st.floats(1, 4000), _ODD_NUMBERS)
    _maybe_key(draw, image, "spec_version", st.integers(1, 4), st.sampled_from([0, 2.0, None, 2**70, "2"]))
    _maybe_key(draw, image, "attributes", st.dictionaries(st.sampled_from(["weather", "country"]), _SCALARS,
                                                          max_size=2), st.sampled_from([None, [1], {"w": [1]}]))
    _maybe_key(draw, image, "objects", st.lists(objects(), max_size=4), st.sampled_from([None, {}, "x", [3]]))
    if not draw(st.integers(0, 9)):
        image[draw(st.sampled_from(["annotation", "file_name"]))] = "x"
    return image


def _lines(exported: list) -> bytes:
    return b"\n".join(json.dumps(image, ensure_ascii=False).encode() for image in exported) + b"\n"  # big ints too


def _dataset(path, data: bytes, columns: bool, options: ReadOptions | None = None):
    """The dataset read, its problems in a canonical order: the builder lists a batch's image problems
    before its object problems, so their order follows where batches start (reports sort findings)."""
    try:
        dataset = build_dataset(native.read_lines_of(path, data, options or ReadOptions(), columns=columns),
                                str(path))
    except ReaderError as error:
        return str(error)
    return dataclasses.replace(dataset, problems=sorted(dataset.problems, key=repr))


@settings(max_examples=300)  # about one batch in five takes the fast path
@given(st.lists(images(), max_size=8), st.sampled_from([None, 3]))
def test_the_fast_path_builds_the_dataset_of_the_dict_path(tmp_path_factory, monkeypatch, exported, stamp) -> None:
    monkeypatch.setattr(native, "DECODE_BATCH", 2)  # several batches, some fast and some not, in one dataset
    path = tmp_path_factory.mktemp("native") / "labels.jsonl"
    data = _lines(exported)
    options = ReadOptions(spec_version=stamp)
    assert compare.differences(_dataset(path, data, True, options), _dataset(path, data, False, options)) == []


def test_well_formed_batches_never_decode_dicts(tmp_path, monkeypatch) -> None:
    exported = [{"id": f"i{k}", "width": 1920, "height": 1080, "spec_version": 3, "attributes": {"weather": "wet"},
                 "objects": [{"id": "a", "class": "lane_line", "points": [[1, 2], [3.5, 4]], "occluded": False,
                              "attributes": {"color": "white"}},
                             {"id": "b", "class": "vehicle", "box": [1, 2, 3, 4], "attributes": {"parked": True}}]}
                for k in range(5)]
    path = tmp_path / "labels.jsonl"
    data = _lines(exported)
    expected = _dataset(path, data, False)

    def refuse(*args):
        raise AssertionError("well-formed images must not take the dict path")

    monkeypatch.setattr(native, "_record", refuse)  # every record of the dict path is made there
    fast = _dataset(path, data, True)
    assert compare.differences(fast, expected) == []
    assert fast.tables["vehicle"].geometry.box.tolist() == [[1.0, 2.0, 3.0, 4.0]] * 5
    assert fast.tables["lane_line"].flags["occluded"].categories == [False]


@pytest.mark.parametrize(("line", "why"), [
    (b'{"id": "x", "objects": [{"id": "a", "class": "lane", "points": [[1, 2, 3]]}]}', "a vertex of three numbers"),
    (b'{"id": "x", "objects": [{"id": "a", "class": "lane", "box": [1, 2, -3, 4]}]}', "a negative box size"),
    (b'{"id": "x", "width": 0}', "an image width of 0"),
    (b'{"id": "x", "spec_version": 0}', "spec_version 0"),
    (b'{"id": "x", "attributes": {"n": 123456789012345678901234}}', "an integer orjson reads as a float"),
    (b'{"id": "x", "objects": [{"id": "a", "class": "lane", "points": [[1e9, 2]]}]}', "a vertex out of the plane"),
    (b'{"id": "x", "annotation": 3}', "a Label Studio annotation id"),
    (b'{"id": "x"} {"id": "y"}', "two images on one line"),
])
def test_batches_the_fast_path_refuses(line: bytes, why: str) -> None:
    good = b'{"id": "g", "objects": [{"id": "a", "class": "lane", "points": [[1, 2], [3, 4]]}]}'
    assert isinstance(decode_batch([good], 0), NativeBatch)
    assert decode_batch([good, line], 0) is None, why


def test_a_line_holding_two_images_is_an_error_on_that_line(tmp_path) -> None:
    path = tmp_path / "labels.jsonl"
    data = b'{"id": "a"}\n{"id": "b"}, {"id": "c"}\n{"id": "d"}\n'
    for columns in (True, False):
        with pytest.raises(ReaderError) as error:
            build_dataset(native.read_lines_of(path, data, ReadOptions(), columns=columns), str(path))
        assert error.value.line == 2


def test_long_fractions_and_exponents_keep_the_fast_path() -> None:
    """Only an integer of 19 digits or more reads differently in orjson and msgspec; a float's fraction
    (a small coordinate printed in full) or exponent does not send its batch to the dict path."""
    line = b'{"id": "g", "objects": [{"id": "a", "class": "lane", "points": [[0.00012345678901234568, 2E+2]]}]}'
    batch = decode_batch([line], 0)
    assert isinstance(batch, NativeBatch)
    assert batch.geometry.coords.tolist() == [[0.00012345678901234568, 200.0]]


def test_negative_zeros_read_as_orjson_reads_them(tmp_path) -> None:
    """``-0`` is the integer 0 to orjson and ``-0.0`` a negative zero: the fast path keeps the difference."""
    path = tmp_path / "labels.jsonl"
    data = b'{"id": "g", "objects": [{"id": "a", "class": "lane", "points": [[-0, -0.0]], "box": [-0.0, -0, 1, 1]}]}\n'
    fast, expected = _dataset(path, data, True), _dataset(path, data, False)
    assert compare.differences(fast, expected) == []
    geometry = fast.tables["lane"].geometry
    assert [math.copysign(1, v) for v in geometry.points.coords[0]] == [1.0, -1.0]
    assert [math.copysign(1, v) for v in geometry.box[0, :2]] == [-1.0, 1.0]
