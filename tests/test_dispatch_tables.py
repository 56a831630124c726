"""Dispatch by table, checked (issue 9: no string-built `getattr` dispatch left unchecked): every score a
`match` line may name has exactly one implementation, and it measures what its name says."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from specdsl import ir
from specdsl.engine.pairing import SHAPE_SCORES, score


def test_every_match_score_has_a_shape_implementation() -> None:
    assert set(SHAPE_SCORES) == set(ir.MATCH_SCORES)


@pytest.mark.parametrize("kind", sorted(ir.MATCH_SCORES))
def test_each_score_of_two_lines_is_its_shapely_measure(kind: str) -> None:
    a = np.array([shapely.LineString([(0, 0), (10, 0)]), shapely.Polygon([(0, 0), (4, 0), (4, 4)])])
    b = np.array([shapely.LineString([(0, 3), (10, 3)]), shapely.Polygon([(0, 0), (4, 0), (4, 4)])])
    got = score(kind, "polyline", a, b)
    if kind == "iou":
        assert got[1] == pytest.approx(1.0)
    else:
        assert got[0] == pytest.approx(3.0)  # parallel lines 3 px apart: every distance says 3
