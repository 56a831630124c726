"""Candidate pairs by dense per-image blocks are every same-image pair within reach, in (a, b) order."""

from __future__ import annotations

import numpy as np
import pytest


def _side(rng, n: int, n_images: int, crowd: int):
    from specdsl.engine.pairing import Side

    # some images crowded (past the exact block widths), most with a few objects, some with none
    image = np.where(rng.random(n) < 0.3, rng.integers(0, crowd, n), rng.integers(0, n_images, n))
    x, y = rng.uniform(0, 400, n), rng.uniform(0, 400, n)
    bounds = np.column_stack([x, y, x + rng.uniform(0, 60, n), y + rng.uniform(0, 60, n)])
    bounds[rng.random(n) < 0.05] = np.nan  # objects without a usable geometry are nobody's candidate
    return Side(image.astype(np.int64), np.zeros(n, np.int64), np.arange(n), bounds, np.zeros((n, 4)))


def _every_pair_within(a, b, reach: float) -> list[tuple[int, int]]:
    out = []
    for i in range(len(a)):
        for j in np.flatnonzero(b.image == a.image[i]).tolist():
            p, q = a.bounds[i], b.bounds[j]
            dx = np.maximum(0.0, np.maximum(p[0] - q[2], q[0] - p[2]))  # NaN stays NaN: never within reach
            dy = np.maximum(0.0, np.maximum(p[1] - q[3], q[1] - p[3]))
            if np.hypot(dx, dy) <= reach:
                out.append((i, j))
    return out


@pytest.mark.parametrize(("seed", "reach"), [(0, 0.0), (1, 15.0), (2, 80.0)])
def test_candidates_are_every_pair_within_reach(seed: int, reach: float, monkeypatch) -> None:
    from specdsl.engine import pairing

    monkeypatch.setattr(pairing, "PAIRS_PER_BLOCK", 64)  # many blocks per group
    rng = np.random.default_rng(seed)
    a, b = _side(rng, 700, 60, 3), _side(rng, 650, 60, 3)
    ia, ib = pairing.candidate_pairs(a, b, reach)
    assert list(zip(ia.tolist(), ib.tolist())) == _every_pair_within(a, b, reach)
    assert len(ia) > 100


def test_one_side_empty_has_no_candidates() -> None:
    from specdsl.engine.pairing import candidate_pairs

    rng = np.random.default_rng(3)
    a, b = _side(rng, 50, 5, 1), _side(rng, 0, 5, 1)
    assert [x.tolist() for x in candidate_pairs(a, b, 10.0)] == [[], []]
    assert [x.tolist() for x in candidate_pairs(b, a, 10.0)] == [[], []]


@pytest.mark.parametrize("pick", ["run", "run at the end", "scattered", "none"])
def test_bounds_of_some_lines_read_in_place_equal_those_of_a_copy(pick: str) -> None:
    """A run of consecutive objects is measured on a slice of the vertex lists: the same bounds as a copy,
    lines without vertices included."""
    from specdsl.data.dataset import Ragged
    from specdsl.engine.pairing import _read_only
    from specdsl.validate.geometry import vertex_bounds

    rng = np.random.default_rng(3)
    counts = rng.integers(0, 5, 400)
    counts[[0, 199, 399]] = 0
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lines = Ragged(offsets, rng.normal(0, 50, (int(offsets[-1]), 2)))
    index = {"run": np.arange(120, 260), "run at the end": np.arange(300, 400),
             "scattered": np.sort(rng.choice(400, 150, replace=False)), "none": np.zeros(0, np.int64)}[pick]
    np.testing.assert_array_equal(vertex_bounds(_read_only(lines, index)), vertex_bounds(lines.take(index)))
