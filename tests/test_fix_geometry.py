"""The geometry of fixes: clipping to the image and joining dashes into one line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from specdsl.fix.geometry import clip_box, clip_points, join_chain


def test_a_box_stays_a_box() -> None:
    assert clip_box([-10, 20, 50, 200], 100, 80) == [0, 20, 40, 60]
    assert clip_box([10.5, 10, 20, 20], 100, 80) == [10.5, 10, 20, 20]
    assert clip_box([120, 10, 20, 20], 100, 80) is None  # nothing inside: the object is deleted


def test_a_polyline_keeps_its_longest_piece_inside() -> None:
    # leaves the image on the right, comes back, leaves again: three pieces inside, the longest kept
    line = [[10, 50], [90, 50], [120, 50], [120, 60], [95, 60], [95, 70], [130, 70]]
    assert clip_points(line, "polyline", 100, 100) == [[10, 50], [90, 50], [100, 50]]
    assert clip_points([[150, 10], [160, 20]], "polyline", 100, 100) is None


def test_a_polygon_keeps_its_area_inside() -> None:
    clipped = clip_points([[50, 50], [150, 50], [150, 90], [50, 90]], "polygon", 100, 100)
    assert sorted(map(tuple, clipped)) == [(50, 50), (50, 90), (100, 50), (100, 90)]


def test_a_chain_joins_in_lane_order_whatever_the_order_and_direction_of_its_dashes() -> None:
    dashes = [[[30, 30], [40, 40]], [[0, 0], [10, 10]], [[25, 25], [15, 15]]]
    assert join_chain(dashes) == [[0, 0], [10, 10], [15, 15], [25, 25], [30, 30], [40, 40]]


def test_a_shared_vertex_is_written_once() -> None:
    assert join_chain([[[0, 0], [5, 5]], [[5, 5], [9, 9]]]) == [[0, 0], [5, 5], [9, 9]]


@st.composite
def dashed_lanes(draw):
    """Dashes cut from one straight lane, shuffled, some reversed."""
    count = draw(st.integers(2, 6))
    step = draw(st.sampled_from([(10, 0), (0, 10), (7, 7), (-6, 8)]))
    dashes = [[[k * 3 * step[0], k * 3 * step[1]], [(k * 3 + 2) * step[0], (k * 3 + 2) * step[1]]]
              for k in range(count)]
    dashes = [d[::-1] if draw(st.booleans()) else d for d in dashes]
    return dashes, draw(st.permutations(dashes))


@given(dashed_lanes())
def test_joined_dashes_run_along_the_lane(lane) -> None:
    ordered, shuffled = lane
    joined = join_chain([list(map(list, d)) for d in shuffled])
    expected = [p for d in sorted(ordered, key=lambda d: min(map(tuple, d))) for p in sorted(d)]
    assert joined in (expected, expected[::-1])
