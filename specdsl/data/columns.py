"""Categorical columns: attribute values stored once per distinct value, objects hold int32 codes.

A fleet export repeats a handful of values ("white", "dashed", false) millions of
times; coding them keeps memory small and lets the checker test each distinct value
once and broadcast the answer with one ``take``.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

MISSING_CODE = -1


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def value_key(value):
    """A dict key that keeps True apart from 1 and makes lists/dicts hashable."""
    if value.__class__ is str:
        return value
    if isinstance(value, (list, dict)):
        import orjson

        try:
            return ("json", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
        except TypeError:  # nested deeper than orjson writes (255): a category of its own, equal only to itself
            return ("json", id(value))
    return (value.__class__, value)


def _kinds(values: list, distinct: dict | None) -> set[type]:
    """The types of ``values``. Equal values of different types share one key of ``distinct`` (True == 1 ==
    1.0), so the distinct values tell the types only when none is a bool or a number."""
    if distinct is not None:
        kinds = set(map(type, distinct))
        if not kinds & _NUMERIC:
            return kinds
    return set(map(type, values))


_NUMERIC = {bool, int, float}
_EQUAL_TO_OWN_TYPE_ONLY = {str, type(None), _Missing}


class CategoricalBuilder:
    """Accumulates codes batch by batch against one growing table of distinct values."""

    def __init__(self) -> None:
        self._lut: dict = {}
        self._fast: dict = {MISSING: MISSING_CODE}  # raw value -> code, while raw values are safe keys
        self._kinds: set[type] = set()
        self.categories: list = []
        self._chunks: list[np.ndarray] = []
        self.length = 0

    def pad(self, n: int) -> None:
        """``n`` rows without this attribute (it first appeared in a later batch)."""
        if n:
            self._chunks.append(np.full(n, MISSING_CODE, dtype=np.int32))
            self.length += n

    def extend(self, values: list, index: np.ndarray | None = None) -> None:
        """Code a batch: new distinct values are registered once, then one C-level lookup per value.
        ``index``: the batch is ``values[index]``, ``values`` taken in the order they first appear in it (distinct
        attribute rows), so that new values are registered in the same order as coding every value would."""
        codes = self._batch_codes(values)
        if index is not None:
            codes = codes[index]
        self._chunks.append(codes)
        self.length += len(codes)

    def _batch_codes(self, values: list) -> np.ndarray:
        codes = self._known_codes(values)
        if codes is not None:
            return codes
        try:
            distinct = dict.fromkeys(values)  # distinct values, in order of first appearance
        except TypeError:  # an unhashable value (list, dict): key every value
            distinct = None
        self._kinds |= _kinds(values, distinct)
        if bool in self._kinds and (int in self._kinds or float in self._kinds):
            self._fast = {MISSING: MISSING_CODE}  # True == 1: raw values no longer make safe keys
        if distinct is None:
            codes = np.full(len(values), -2, dtype=np.int32)
        else:
            for value in distinct:
                if value not in self._fast:
                    self._code(value)
            codes = np.fromiter(map(self._fast.get, values, repeat(-2)), dtype=np.int32, count=len(values))
        for i in np.flatnonzero(codes == -2).tolist():  # values the raw-value table cannot key
            codes[i] = self._code(values[i])
        return codes

    def _known_codes(self, values: list) -> np.ndarray | None:
        """The codes of a batch in one lookup per value when every value is coded already (a fleet's later
        batches); None otherwise. A raw-value key equal to a value of another type (1 and True) would give
        the wrong code, so unless every key is a string, None or MISSING (equal only to their own type), the
        batch's types must be ones seen before."""
        if not self._kinds:
            return None
        try:
            codes = np.fromiter(map(self._fast.get, values, repeat(-2)), dtype=np.int32, count=len(values))
        except TypeError:  # an unhashable value
            return None
        if (codes == -2).any():
            return None
        if not self._kinds <= _EQUAL_TO_OWN_TYPE_ONLY and not set(map(type, values)) <= self._kinds:
            return None
        return codes

    def _code(self, value) -> int:
        if value is MISSING:
            return MISSING_CODE
        key = value_key(value)
        code = self._lut.get(key)
        if code is None:
            code = self._lut[key] = len(self.categories)
            self.categories.append(value)
            hashable = key.__class__ is str or key[0] != "json"  # lists and dicts are keyed by their JSON
            if hashable and not (bool in self._kinds and (int in self._kinds or float in self._kinds)):
                self._fast[value] = code  # no bool/number mix in this column: raw values are safe keys
        return code

    def build(self) -> Categorical:
        codes = np.concatenate(self._chunks) if self._chunks else np.empty(0, dtype=np.int32)
        return Categorical(codes, self.categories)


class Categorical:
    """``codes[i]`` indexes ``categories``; ``MISSING_CODE`` marks an absent value."""

    __slots__ = ("codes", "categories", "_objects")

    def __init__(self, codes: np.ndarray, categories: list):
        self.codes = codes
        self.categories = categories
        self._objects: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def category_array(self) -> np.ndarray:
        if self._objects is None:
            arr = np.empty(len(self.categories) + 1, dtype=object)
            arr[: len(self.categories)] = self.categories if self.categories else []
            arr[-1] = None  # codes of -1 pick this slot: missing reads as None
            self._objects = arr
        return self._objects

    def values(self) -> np.ndarray:
        """The values as an object array, None where missing."""
        return self.category_array()[self.codes]

    def map_categories(self, fn, missing, dtype=bool) -> np.ndarray:
        """``fn`` applied once per distinct value, broadcast to every row (``missing`` for absent values)."""
        table = np.array([fn(c) for c in self.categories] + [missing], dtype=dtype)
        return table[self.codes]

    def present(self) -> np.ndarray:
        return self.codes != MISSING_CODE

    def take(self, index: np.ndarray) -> Categorical:
        return Categorical(self.codes[index], self.categories)
