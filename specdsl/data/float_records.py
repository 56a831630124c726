"""The floats of many msgspec-decoded values at once, through msgspec's msgpack encoder.

Pulling n floats out of decoded structs or tuples in Python costs a tuple and an iteration step per value,
as much again as decoding them. But msgpack writes every value of one shape -- a struct whose fields are
all floats or all such structs, a tuple of w floats -- as the same bytes except for its floats, each a
0xcb type byte and 8 bytes big-endian. So a list of n such values encodes, in C, to an array header and n
records of one size, and numpy reads each float column of all the records in one pass.

:class:`FloatRecords` finds a shape's offsets by encoding an example whose floats are distinct markers.
:meth:`FloatRecords.rows` checks the length and every float's type byte, so values laid out in any other
way (an int where a float was expected, a shorter tuple) are refused, never misread.
"""

from __future__ import annotations

import struct
from itertools import count

import msgspec
import numpy as np

_ENCODER = msgspec.msgpack.Encoder()
_FLOAT64 = 0xCB  # msgpack's type byte of a 64-bit float: msgspec writes every Python float so


class FloatRecords:
    """The layout of one shape of values (see the module docstring)."""

    def __init__(self, example):
        """``example``: a value of the shape whose floats are distinct (and appear nowhere else in its bytes)."""
        encoded = _ENCODER.encode(example)
        offsets = [encoded.index(b"\xcb" + struct.pack(">d", value)) + 1 for value in _floats_of(example)]
        self.width, self.size = len(offsets), len(encoded)
        self.type_bytes = np.array(offsets, np.int64) - 1
        self.dtype = np.dtype({"names": [f"f{j}" for j in range(self.width)], "formats": [">f8"] * self.width,
                               "offsets": offsets, "itemsize": self.size})

    @classmethod
    def of_struct(cls, kind: type) -> FloatRecords:
        """Instances of a struct type whose fields are all floats, or all structs of that kind."""
        return cls(_example(kind, map(float, count(1_000_003))))

    @classmethod
    def of_tuple(cls, width: int) -> FloatRecords:
        return cls(tuple(map(float, range(1_000_003, 1_000_003 + width))))

    def rows(self, values: list) -> np.ndarray | None:
        """(len(values), width) float64: each value's floats in field order; None when a value is not of the
        shape."""
        n = len(values)
        encoded = _ENCODER.encode(values)
        header = len(encoded) - n * self.size
        if header != _array_header(n):
            return None
        records = np.frombuffer(encoded, np.uint8, n * self.size, header).reshape(n, self.size)
        if not (records[:, self.type_bytes] == _FLOAT64).all():
            return None
        fields = np.frombuffer(encoded, self.dtype, n, header)
        out = np.empty((n, self.width))
        for j in range(self.width):
            out[:, j] = fields[f"f{j}"]
        return out


def _example(kind: type, markers):
    """An instance of struct type ``kind`` whose floats are the next ``markers``."""
    return kind(*[_example(f.type, markers) if _is_struct(f.type) else next(markers)
                  for f in msgspec.structs.fields(kind)])


def _is_struct(kind) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _floats_of(value) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, tuple):
        return [x for item in value for x in _floats_of(item)]
    return [x for name in value.__struct_fields__ for x in _floats_of(getattr(value, name))]


def _array_header(n: int) -> int:
    """The bytes of msgpack's header of an array of n values."""
    return 1 if n < 16 else 3 if n < 1 << 16 else 5
