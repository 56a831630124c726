"""Chance-corrected agreement of nominal values: Cohen's kappa (two raters), Krippendorff's alpha (more).

Values are any hashable labels (``None`` is a value of its own: a missing optional attribute).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def observed_agreement(first: Sequence, second: Sequence) -> float | None:
    if not first:
        return None
    return sum(x == y for x, y in zip(first, second)) / len(first)


def cohen_kappa(first: Sequence, second: Sequence) -> float | None:
    """``(p_o - p_e) / (1 - p_e)``; None without pairs or when chance agreement is 1."""
    n = len(first)
    if n == 0:
        return None
    p_o = observed_agreement(first, second)
    count_1, count_2 = Counter(map(_key, first)), Counter(map(_key, second))
    p_e = sum(count_1[v] * count_2[v] for v in count_1) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha(units: Sequence[Sequence]) -> float | None:
    """Nominal alpha over units (each the values the raters gave one item; units with one value are left out).

    ``alpha = 1 - (n - 1) * D_o / D_e`` from the coincidence matrix: ``D_o`` counts the disagreeing pairs
    within units (each unit weighted ``1 / (m_u - 1)``), ``D_e`` the disagreeing pairs of all pairable values.
    None when there are no pairable values or every value is the same.
    """
    totals: Counter = Counter()
    disagreement = 0.0
    for unit in units:
        values = [_key(v) for v in unit]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        disagreement += (m * m - sum(c * c for c in counts.values())) / (m - 1)
        totals.update(counts)
    n = sum(totals.values())
    expected = (n * n - sum(c * c for c in totals.values()))
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement / expected


def _key(value):
    """Keeps True apart from 1 (an enum value and a bool never compare equal by accident)."""
    return (type(value).__name__, value) if isinstance(value, (bool, int, float)) else value
