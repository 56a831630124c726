"""The per-image assignment picks what one scipy assignment per image, set up with ``np.unique``, picks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from specdsl.engine.pairing import _local_ranks, assign


def _reference(image: np.ndarray, ia: np.ndarray, ib: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """One cost matrix per image over its distinct objects (the candidates' order does not matter)."""
    picked = []
    for number in np.unique(image):
        group = np.flatnonzero(image == number)
        rows, row_of = np.unique(ia[group], return_inverse=True)
        cols, col_of = np.unique(ib[group], return_inverse=True)
        w = weight[group]
        cost = np.full((len(rows), len(cols)), (np.abs(w).max() + 1.0) * (min(len(rows), len(cols)) + 1))
        cost[row_of, col_of] = -w
        lookup = {(x, y): k for k, x, y in zip(group.tolist(), row_of.tolist(), col_of.tolist())}
        picked += [lookup[(x, y)] for x, y in zip(*(v.tolist() for v in linear_sum_assignment(cost)))
                   if (x, y) in lookup]
    return np.sort(np.array(picked, dtype=np.int64))


@st.composite
def candidates(draw):
    """Candidate pairs of a few images: each object belongs to one image; weights with ties."""
    n_images = draw(st.integers(1, 6))
    pairs = []
    for number in range(n_images):
        a_objects = [(number, k) for k in range(draw(st.integers(1, 5)))]
        b_objects = [(number, k) for k in range(draw(st.integers(1, 5)))]
        chosen = draw(st.lists(st.tuples(st.sampled_from(a_objects), st.sampled_from(b_objects)), unique=True,
                               max_size=12))
        pairs += chosen
    order = draw(st.permutations(range(len(pairs))))
    pairs = [pairs[k] for k in order]
    a_ids = {obj: k for k, obj in enumerate(sorted({a for a, _ in pairs}, key=lambda o: draw(st.integers(0, 99))))}
    b_ids = {obj: k for k, obj in enumerate(sorted({b for _, b in pairs}))}
    weights = draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, -2.0]), min_size=len(pairs), max_size=len(pairs)))
    image = np.array([a[0] for a, _ in pairs], dtype=np.int64)
    return (image, np.array([a_ids[a] for a, _ in pairs], dtype=np.int64),
            np.array([b_ids[b] for _, b in pairs], dtype=np.int64), np.array(weights, dtype=float))


@settings(max_examples=300, deadline=None)
@given(candidates())
def test_assign_equals_one_unique_setup_per_image(case) -> None:
    image, ia, ib, weight = case
    assert assign(image, ia, ib, weight).tolist() == _reference(image, ia, ib, weight).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 30)), max_size=60))
def test_local_ranks_are_unique_inverses_per_image(rows) -> None:
    images = np.array(sorted(r[0] for r in rows), dtype=np.int64)
    objects = np.array([r[1] for r in rows], dtype=np.int64)
    expected = np.zeros(len(rows), np.int64)
    for number in np.unique(images):
        where = np.flatnonzero(images == number)
        expected[where] = np.unique(objects[where], return_inverse=True)[1]
    assert _local_ranks(images, objects).tolist() == expected.tolist()
