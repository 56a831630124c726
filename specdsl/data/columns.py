"""Categorical columns: attribute values stored once per distinct value, objects hold int32 codes.

A fleet export repeats a handful of values ("white", "dashed", false) millions of
times; coding them keeps memory small and lets the checker test each distinct value
once and broadcast the answer with one ``take``.
"""

from __future__ import annotations

import numpy as np

MISSING_CODE = -1


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def _key(value):
    """A dict key that keeps True apart from 1 and makes lists/dicts hashable."""
    if value.__class__ is str:
        return value
    if isinstance(value, (list, dict)):
        import orjson

        return ("json", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return (value.__class__, value)


class CategoricalBuilder:
    """Accumulates codes batch by batch against one growing table of distinct values."""

    def __init__(self) -> None:
        self._lut: dict = {}
        self.categories: list = []
        self._chunks: list[np.ndarray] = []
        self.length = 0

    def pad(self, n: int) -> None:
        """``n`` rows without this attribute (it first appeared in a later batch)."""
        if n:
            self._chunks.append(np.full(n, MISSING_CODE, dtype=np.int32))
            self.length += n

    def extend(self, values: list) -> None:
        lut, categories = self._lut, self.categories
        codes = np.empty(len(values), dtype=np.int32)
        for i, value in enumerate(values):
            if value is MISSING:
                codes[i] = MISSING_CODE
                continue
            key = _key(value)
            code = lut.get(key)
            if code is None:
                code = lut[key] = len(categories)
                categories.append(value)
            codes[i] = code
        self._chunks.append(codes)
        self.length += len(values)

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
