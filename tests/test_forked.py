"""A forked child's result comes back whole: arrays through the shared region, the pipe, or both."""

from __future__ import annotations

import numpy as np
import pytest


def _work():
    rng = np.random.default_rng(1)
    return {"big": rng.random(200_000), "grid": rng.random((5_000, 3)), "flags": rng.random(7) > 0.5,
            "strided": np.arange(40.0)[::3], "words": ["a", "b"], "empty": np.zeros(0)}


@pytest.mark.parametrize("shared_bytes", [0, 1_700_000, 1 << 24])  # none, room for the first array only, all
def test_the_result_is_the_childs(shared_bytes: int) -> None:
    from specdsl.engine.forked import in_child

    child = in_child(_work, shared_bytes)
    got, expected = child.result(), _work()
    assert list(got) == list(expected)
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            assert got[key].dtype == value.dtype
            assert np.array_equal(got[key], value)
        else:
            assert got[key] == value
    got["big"][0] = -1.0  # arrays are the parent's to change
    got["grid"][0, 0] = -1.0
    assert got["big"][0] == -1.0


def test_a_child_that_fails_gives_none() -> None:
    from specdsl.engine.forked import in_child

    def fail():
        raise ValueError("no")

    assert in_child(fail, 1 << 20).result() is None
