"""Native masks: COCO RLE codecs, area/bbox, CVAT conversion — against numpy and real masks."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from specdsl.data.mask import (
    cvat_rle_to_native,
    decode,
    decode_compressed_counts,
    encode,
    encode_compressed_counts,
    mask_area,
    mask_bbox,
    mask_problem,
)

BOUNDARY = DATA / "scalabel/tests/eval/testcases/boundary/boundary_gts.json"

bitmaps = st.tuples(st.integers(1, 12), st.integers(1, 12)).flatmap(
    lambda shape: arrays(np.bool_, shape, elements=st.booleans()))


def bbox_by_numpy(array: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(array)
    if ys.size == 0:
        return (0, 0, 0, 0)
    return (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))


@given(bitmaps, st.booleans())
def test_decode_inverts_encode(array, compressed):
    assert np.array_equal(decode(encode(array, compressed)), array)


@given(bitmaps, st.booleans())
def test_encode_inverts_decode_on_canonical_masks(array, compressed):
    mask = encode(array, compressed)
    assert encode(decode(mask), compressed) == mask


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=40))
def test_compressed_string_round_trips_any_counts(counts):
    text = encode_compressed_counts(counts)
    assert decode_compressed_counts(text).tolist() == counts
    assert encode_compressed_counts(decode_compressed_counts(text)) == text


@given(bitmaps, st.booleans())
def test_area_and_bbox_agree_with_numpy(array, compressed):
    mask = encode(array, compressed)
    assert mask_area(mask) == int(array.sum())
    assert mask_bbox(mask) == bbox_by_numpy(array)


def test_uncompressed_counts_are_column_major_like_pycocotools():
    array = np.array([[1, 0, 0], [1, 1, 0]], dtype=bool)  # column 0 full, (1, 1) set
    assert encode(array) == {"size": [2, 3], "counts": [0, 2, 1, 1, 2]}
    assert mask_bbox(encode(array)) == (0, 0, 2, 2)


def test_real_scalabel_lane_masks_round_trip_and_measure():
    frames = orjson.loads(BOUNDARY.read_bytes())
    rles = [label["rle"] for frame in frames for label in frame["labels"]]
    assert len(rles) == 15
    for rle in rles:
        array = decode(rle)
        assert array.shape == (720, 1280)
        assert encode(array, compressed=True)["counts"] == rle["counts"]
        assert mask_area(rle) == int(array.sum())
        assert mask_bbox(rle) == bbox_by_numpy(array)
    assert mask_area(rles[0]) == 11034
    assert mask_bbox(rles[0]) == (0, 383, 1280, 327)


def cvat_runs(local: np.ndarray) -> list[int]:
    """CVAT's in-box RLE: row-major runs, background first."""
    flat = local.ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate(([0], changes, [flat.size]))).tolist()
    return [0, *runs] if flat[0] else runs


@settings(max_examples=150)
@given(bitmaps, st.integers(0, 4), st.integers(0, 4), st.integers(0, 4), st.integers(0, 4))
def test_cvat_rle_matches_the_mask_painted_into_the_image(local, left, top, pad_right, pad_bottom):
    height, width = local.shape
    img_h, img_w = top + height + pad_bottom, left + width + pad_right
    full = np.zeros((img_h, img_w), dtype=bool)
    full[top:top + height, left:left + width] = local
    native = cvat_rle_to_native(cvat_runs(local), left, top, width, height, img_h, img_w)
    assert native == encode(full)


def test_cvat_rle_rejects_wrong_totals_and_boxes_outside_the_image():
    with pytest.raises(ValueError, match="covers 3 pixels"):
        cvat_rle_to_native([1, 2], 0, 0, 2, 2, 4, 4)
    with pytest.raises(ValueError, match="outside"):
        cvat_rle_to_native([0, 4], 3, 0, 2, 2, 4, 4)


@pytest.mark.parametrize("mask, problem", [
    ({"size": [2, 2], "counts": [1, 3]}, None),
    ({"size": [2, 2], "counts": "13"}, None),
    ({"size": [2, 2], "counts": [1, 2]}, "cover 3 pixels"),
    ({"size": [2], "counts": [4]}, "size"),
    ({"size": [2, 2], "counts": [1, -1, 4]}, "non-negative"),
    ({"size": [2, 2], "counts": "\x7f"}, "compressed"),
])
def test_mask_problem_names_what_is_wrong(mask, problem):
    found = mask_problem(mask)
    assert (found is None) if problem is None else (problem in found)
