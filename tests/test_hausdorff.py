"""The numpy Hausdorff distance of polylines is shapely's, to the last bit."""

from __future__ import annotations

import numpy as np
import pytest
import shapely


def _lines(rng, n: int, most: int, kind: str):
    from specdsl.data.dataset import Ragged

    counts = rng.integers(2, most + 1, n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    size = int(offsets[-1])
    if kind == "grid":  # integer vertices: many equal distances, ties between a segment's two ends
        coords = rng.integers(0, 12, (size, 2)).astype(float)
    else:  # mixed scales: rounding differs with the order of the operations
        coords = rng.normal(0, 100, (size, 2)) * rng.choice([1e-3, 1.0, 1e3], (size, 1))
    again = np.flatnonzero(rng.random(size) < 0.1)
    again = again[again > 0]
    coords[again] = coords[again - 1]  # repeated vertices: segments of length 0
    return Ragged(offsets, coords)


def _shapely(lines, index):
    owner = np.repeat(np.arange(len(lines.offsets) - 1), lines.counts())
    return shapely.linestrings(lines.coords, indices=owner)[index]


@pytest.mark.parametrize(("kind", "most"), [("grid", 6), ("scaled", 6), ("grid", 30), ("scaled", 70)])
def test_equal_to_shapely(kind: str, most: int) -> None:
    from specdsl.engine.hausdorff import hausdorff

    rng = np.random.default_rng(most)
    n = 3000 if most < 10 else 400
    a, b = _lines(rng, n, most, kind), _lines(rng, n, most, kind)
    ia, ib = rng.integers(0, n, 2 * n), rng.integers(0, n, 2 * n)
    expected = shapely.hausdorff_distance(_shapely(a, ia), _shapely(b, ib))
    assert np.array_equal(hausdorff(a, ia, b, ib), expected)


def test_long_lines_measured_a_slice_of_vertices_at_a_time(monkeypatch) -> None:
    from specdsl.engine import hausdorff

    monkeypatch.setattr(hausdorff, "BLOCK_VALUES", 50)  # every block of more than 50 vertex pairs is sliced
    rng = np.random.default_rng(9)
    a, b = _lines(rng, 300, 40, "grid"), _lines(rng, 300, 40, "scaled")
    ia, ib = rng.integers(0, 300, 600), rng.integers(0, 300, 600)
    expected = shapely.hausdorff_distance(_shapely(a, ia), _shapely(b, ib))
    assert np.array_equal(hausdorff.hausdorff(a, ia, b, ib), expected)


def test_lines_numpy_leaves_to_shapely() -> None:
    from specdsl.data.dataset import Ragged
    from specdsl.engine.hausdorff import computable

    coords = np.array([[0, 0], [10, 0], [0, 5], [1e200, 5], [3, 3], [0, 1], [np.inf, 1], [1, 1], [2, 2]], float)
    lines = Ragged(np.array([0, 2, 4, 5, 7, 9]), coords)  # a line, a huge one, one vertex, an infinite one, a line
    present = np.array([True, True, True, True, False])
    assert computable(lines, present).tolist() == [True, False, False, False, False]


def test_scores_of_a_side_equal_shapely_on_its_shapes(tmp_path) -> None:
    import json

    from specdsl.compiler import compile_source
    from specdsl.data import load_export
    from specdsl.data.readers import ReadOptions
    from specdsl.engine.labels import LabelSet
    from specdsl.engine.pairing import build_side, score
    from specdsl.source import Source
    from specdsl.validate import geometry as geo

    spec = compile_source(Source("l.spec", "spec l version 1\nclass lane: polyline {}\nclass curb: polyline {}\n")).spec
    rng = np.random.default_rng(5)
    images = [{"id": f"{k}.jpg", "width": 100, "height": 100, "objects": [
        {"id": f"{k}-{j}", "class": ("lane", "curb")[j % 2],
         "points": rng.uniform(0, 100, (int(rng.integers(1, 9)), 2)).tolist()} for j in range(6)]} for k in range(40)]
    (tmp_path / "e.json").write_text(json.dumps({"images": images}))
    path = str(tmp_path / "e.json")
    labels = LabelSet.of(path, spec, load_export(path, None, ReadOptions()), path)
    views = [labels.views["lane"], labels.views["curb"]]
    rows = [np.arange(3, views[0].n), np.arange(views[1].n - 5)]  # some objects of each class, both tables
    side = build_side(views, rows, [v.table.image_index[r] for v, r in zip(views, rows)], "polyline")
    # the shapely lines of the same objects, as before (None below 2 vertices)
    shapes = np.concatenate([geo.shapes(v.table, "polyline", np.zeros(v.n))[r] for v, r in zip(views, rows)])
    ia, ib = rng.integers(0, len(shapes), 500), rng.integers(0, len(shapes), 500)
    np.testing.assert_array_equal(score("hausdorff", "polyline", side.geometry[ia], side.geometry[ib]),
                                  shapely.hausdorff_distance(shapes[ia], shapes[ib]))
    np.testing.assert_array_equal(score("frechet", "polyline", side.geometry[ia], side.geometry[ib]),
                                  shapely.frechet_distance(shapes[ia], shapes[ib]))


def _by_segment_squares(a, ia, b, ib) -> np.ndarray:
    """The Hausdorff distance of each pair with every term made by ``_segment_squares``: a vertex against every
    segment of the other line, the smallest per vertex, the largest per line, both ways."""
    from specdsl.engine.hausdorff import _segment_squares

    def one_way(p, q):
        j = np.arange(len(q) - 1)
        squares = _segment_squares(p[:, None, 0], p[:, None, 1], q[None, :-1, 0], q[None, :-1, 1], q[None, 1:, 0],
                                   q[None, 1:, 1], (j % 2 == 1)[None, :])
        return squares.min(axis=1).max()

    out = []
    for i, k in zip(ia.tolist(), ib.tolist()):
        p, q = a.coords[a.offsets[i]:a.offsets[i + 1]], b.coords[b.offsets[k]:b.offsets[k + 1]]
        out.append(np.sqrt(max(one_way(p, q), one_way(q, p))))
    return np.array(out)


@pytest.mark.parametrize("kind", ["grid", "scaled"])
def test_the_bound_s_terms_are_the_distance_s_terms(kind: str) -> None:
    """Taken over every segment, the bound's terms give the distance to the last bit: a bound of some of them
    is never below it, rounding included."""
    from specdsl.engine.hausdorff import hausdorff

    rng = np.random.default_rng(23)
    a, b = _lines(rng, 300, 7, kind), _lines(rng, 300, 7, kind)
    ia, ib = rng.integers(0, 300, 600), rng.integers(0, 300, 600)
    assert np.array_equal(_by_segment_squares(a, ia, b, ib), hausdorff(a, ia, b, ib))


@pytest.mark.parametrize("kind", ["grid", "scaled"])
def test_a_pair_within_its_bound_is_within_its_limit(kind: str) -> None:
    """The bound never settles a pair the measured distance (shapely's) puts beyond the limit, and it settles
    the near copies of a line sampled at its rows or at a vertex more, as lane models give them."""
    from specdsl.data.dataset import Ragged
    from specdsl.engine.hausdorff import _bound_one_way, within_bound

    rng = np.random.default_rng(17)
    a = _lines(rng, 2000, 7, kind)
    scale = np.abs(a.coords).max(axis=1, keepdims=True) + 1.0
    near = Ragged(a.offsets, a.coords + rng.normal(0, 1e-3, a.coords.shape) * scale)  # at the same rows
    first = a.offsets[:-1]  # a vertex more: the middle of each line's first segment
    middle = (near.coords[first] + near.coords[first + 1]) / 2
    denser = Ragged(a.offsets + np.arange(len(a.offsets)), np.insert(near.coords, first + 1, middle, axis=0))
    other = _lines(rng, 2000, 7, kind)
    ia = rng.integers(0, 2000, 6000)
    for b, ib in ((near, ia), (denser, ia), (other, rng.integers(0, 2000, 6000))):
        measured = shapely.hausdorff_distance(_shapely(a, ia), _shapely(b, ib))
        bound = np.sqrt(np.maximum(_bound_one_way(a, ia, b, ib), _bound_one_way(b, ib, a, ia)))
        assert (measured <= bound).all()
        for limit in (measured, bound, np.nextafter(measured, 0), np.full(len(ia), np.median(measured))):
            settled = within_bound(a, ia, b, ib, limit)
            assert (measured[settled] <= limit[settled]).all()
        assert within_bound(a, ia, b, ib, bound).all()
    limit = np.full(len(ia), 4e-3 * scale.max())
    assert within_bound(a, ia, near, ia, limit).all()
    assert within_bound(a, ia, denser, ia, limit).mean() > 0.95
@pytest.mark.parametrize("kind", ["grid", "scaled"])
def test_a_pair_settled_vertex_for_vertex_is_within_its_limit(kind: str) -> None:
    """The bound never settles a pair the measured distance (shapely's) would put beyond the limit, and it
    settles the near copies of a line, as a lane model sampling the label's rows gives them."""
    from specdsl.data.dataset import Ragged
    from specdsl.engine.hausdorff import within_vertex_for_vertex

    rng = np.random.default_rng(17)
    a = _lines(rng, 2000, 7, kind)
    scale = np.abs(a.coords).max(axis=1, keepdims=True) + 1.0
    near = Ragged(a.offsets, a.coords + rng.normal(0, 1e-3, a.coords.shape) * scale)  # same vertex counts
    other = _lines(rng, 2000, 7, kind)
    ia = rng.integers(0, 2000, 6000)
    for b, ib in ((near, ia), (other, rng.integers(0, 2000, 6000))):
        measured = shapely.hausdorff_distance(_shapely(a, ia), _shapely(b, ib))
        for limit in (measured, measured * (1 + 1e-12), measured * 1.5, np.quantile(measured, 0.5) + 0 * measured):
            settled = within_vertex_for_vertex(a, ia, b, ib, limit)
            assert (measured[settled] <= limit[settled]).all()
    limit = 2 * np.abs(near.coords - a.coords).max() + 1e-6 * scale.max()
    assert within_vertex_for_vertex(a, ia, near, ia, np.full(len(ia), limit)).all()
