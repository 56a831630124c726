"""The spatial joins behind pair rules agree with brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from specdsl.validate.joins import close_points

coords = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
points = st.integers(0, 40).flatmap(lambda n: arrays(np.float64, (n, 2), elements=coords))


@settings(max_examples=200, deadline=None)
@given(points, points, st.floats(min_value=0.0, max_value=5e3, allow_nan=False))
def test_close_points_is_exactly_the_pairs_within_the_radius(a, b, radius) -> None:
    i, j = close_points(a, b, radius)
    found = list(zip(i.tolist(), j.tolist()))
    assert len(found) == len(set(found))  # no pair twice
    if len(a) and len(b):
        distance = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
        expected = set(zip(*(x.tolist() for x in np.nonzero(distance <= radius))))
    else:
        expected = set()
    assert set(found) == expected
