"""Field-by-field differences of two values built of dataclasses, dicts, arrays and categorical columns.

An empty list means equal; each difference names where it is (``.tables[lane].geometry.box``), so a
failing law says what differs rather than that something does.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import numpy as np


def differences(a, b, name: str = "") -> list[str]:
    if is_dataclass(a):
        return [d for f in fields(a) for d in differences(getattr(a, f.name), getattr(b, f.name), f"{name}.{f.name}")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{name}: keys {list(a)} != {list(b)}"]
        return [d for key in a for d in differences(a[key], b[key], f"{name}[{key}]")]
    if isinstance(a, np.ndarray):
        same = a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        if same and a.dtype.kind == "f":  # -0.0 == 0.0, but a reader must not turn one into the other
            same = np.array_equal(np.signbit(a), np.signbit(b))
        return [] if same else [f"{name}: {a!r} != {b!r}"]
    if hasattr(a, "codes") and hasattr(a, "categories"):  # a Categorical (slots): by its codes and categories
        return differences({"codes": a.codes, "categories": _typed(a.categories)},
                           {"codes": b.codes, "categories": _typed(b.categories)}, name)
    return [] if a == b else [f"{name}: {a!r} != {b!r}"]


def _typed(values: list) -> list:
    """Values with their types: True and 1 are equal in Python, not in a column."""
    return [(type(v).__name__, v) for v in values]
