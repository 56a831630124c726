"""The assignment solver loaded without scipy.optimize is scipy's, and scipy.optimize stands in where it cannot be."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest


@pytest.fixture()
def fresh():
    from specdsl.engine import solver

    solver.solver.cache_clear()
    yield solver
    solver.solver.cache_clear()


def _matrices():
    rng = np.random.default_rng(4)
    for shape in [(1, 1), (2, 2), (3, 5), (6, 4), (7, 7)]:
        yield rng.random(shape)
        yield rng.integers(0, 3, shape).astype(float)  # many ties: the solver's own choice among them


def test_same_assignments_as_scipy(fresh) -> None:
    from scipy.optimize import linear_sum_assignment

    for cost in _matrices():
        got, expected = fresh.linear_sum_assignment(cost), linear_sum_assignment(cost)
        assert [a.tolist() for a in got] == [a.tolist() for a in expected]


def test_loading_it_does_not_import_scipy_optimize() -> None:
    code = ("import sys; from specdsl.engine.solver import linear_sum_assignment as f; "
            "print(f([[1.0, 0.0], [0.0, 1.0]])[1].tolist(), 'scipy.optimize' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[1,", "0]", "False"]


def test_scipy_optimize_stands_in(fresh, monkeypatch) -> None:
    import scipy.optimize

    def missing():
        raise ImportError("scipy.optimize._lsap")

    monkeypatch.setattr(fresh, "_extension", missing)
    monkeypatch.delitem(sys.modules, "scipy.optimize")  # as if not imported yet
    assert fresh.solver() is scipy.optimize.linear_sum_assignment
