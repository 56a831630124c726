"""Categorical coding (data/columns.py) gives every value the code a plain per-value table gives it, batch
after batch, whatever mix of JSON values a column holds (True == 1 == 1.0 in Python: kept apart)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from specdsl.data.columns import MISSING, MISSING_CODE, CategoricalBuilder, value_key

_SCALARS = st.one_of(st.sampled_from(["white", "dashed", "", "1"]), st.booleans(), st.integers(-2, 2),
                     st.sampled_from([0.0, 1.0, 2.5]), st.none(), st.just(MISSING))
_VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=2), st.dictionaries(st.sampled_from("ab"), _SCALARS,
                                                                              max_size=2))


def _reference(batches: list[list]) -> tuple[list, list]:
    """The coding one value at a time: each batch's distinct values registered in order of first appearance
    while raw values are safe keys (no bool has met a number in the column), then each value looked up;
    what the raw-value table cannot key (lists, objects, a bool beside an equal number) by its typed key."""
    categories, codes, lut, fast, kinds = [], [], {}, {MISSING: MISSING_CODE}, set()

    def code(value) -> int:
        if value is MISSING:
            return MISSING_CODE
        key = value_key(value)
        if key not in lut:
            lut[key] = len(categories)
            categories.append(value)
            hashable = key.__class__ is str or key[0] != "json"
            if hashable and not (bool in kinds and (int in kinds or float in kinds)):
                fast[value] = lut[key]
        return lut[key]

    for batch in batches:
        kinds |= set(map(type, batch))
        if bool in kinds and (int in kinds or float in kinds):
            fast = {MISSING: MISSING_CODE}
        try:
            for value in dict.fromkeys(batch):
                if value not in fast:
                    code(value)
            found = [fast.get(v, -2) for v in batch]
        except TypeError:
            found = [-2] * len(batch)
        codes += [code(v) if c == -2 else c for v, c in zip(batch, found, strict=True)]
    return codes, categories


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_VALUES, max_size=8), max_size=4))
def test_codes_equal_a_per_value_table(batches):
    builder = CategoricalBuilder()
    for batch in batches:
        builder.extend(batch)
    built = builder.build()
    codes, categories = _reference(batches)
    assert built.codes.tolist() == codes
    assert [value_key(c) for c in built.categories] == [value_key(c) for c in categories]


def test_a_bool_beside_an_equal_number_keeps_its_own_category():
    builder = CategoricalBuilder()
    builder.extend(["x", True, 1, 1.0, "x"])
    builder.extend([False, 0])
    built = builder.build()
    assert [built.categories[c] for c in built.codes.tolist()] == ["x", True, 1, 1.0, "x", False, 0]
    assert [type(built.categories[c]) for c in built.codes.tolist()[1:4]] == [bool, int, float]


def test_strings_then_numbers_in_a_later_batch():
    builder = CategoricalBuilder()
    builder.extend(["a", "b", MISSING])
    builder.extend([True, 1, "a"])
    built = builder.build()
    assert built.codes.dtype == np.int32
    assert [None if c < 0 else built.categories[c] for c in built.codes.tolist()] == ["a", "b", None, True, 1, "a"]
