"""Floats read back through msgpack's fixed layout equal the values, bit for bit, or are refused."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_predictions_fast import SPEC

from specdsl.data.float_records import FloatRecords

FLOATS = st.floats(allow_nan=False, width=64)


def _bits(array) -> list:
    return np.asarray(array, dtype=np.float64).view(np.int64).tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.tuples(st.just(w), st.lists(st.tuples(*[FLOATS] * w), max_size=70))))
def test_tuples_of_floats_are_read_bit_for_bit(case) -> None:
    width, values = case
    rows = FloatRecords.of_tuple(width).rows(values)
    assert rows.shape == (len(values), width)
    assert _bits(rows) == _bits(np.array(values, dtype=np.float64).reshape(-1, width))  # -0.0 stays -0.0


class Inner(msgspec.Struct, frozen=True):
    a: float = -1.0
    b: float = -1.0


class Outer(msgspec.Struct, frozen=True):
    first: Inner = Inner(-2.0, -2.0)
    long_name_of_the_second_distribution_over_thirty_two_bytes: Inner = Inner(-2.0, -2.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[FLOATS] * 4), max_size=40))
def test_nested_structs_are_read_in_field_order(values) -> None:
    structs = [Outer(Inner(a, b), Inner(c, d)) for a, b, c, d in values]
    rows = FloatRecords.of_struct(Outer).rows(structs)
    assert _bits(rows) == _bits(np.array(values, dtype=np.float64).reshape(-1, 4))


def test_structs_decoded_from_json_are_read() -> None:
    decoded = msgspec.json.decode(b'[{"first": {"b": 1, "a": 0.5}}, {}]', type=list[Outer])
    assert FloatRecords.of_struct(Outer).rows(decoded).tolist() == [[0.5, 1.0, -2.0, -2.0], [-2.0] * 4]


@pytest.mark.parametrize("values", [
    [(1.0, 2.0), (3, 4.0)],  # an int: msgpack writes it as an int
    [(1.0, 2.0), (3.0,)],  # a shorter tuple
    [(1.0, 2.0), (3.0, 4.0, 5.0)],
    [(1.0, 2.0), None],
])
def test_other_shapes_are_refused(values) -> None:
    assert FloatRecords.of_tuple(2).rows(values) is None


@pytest.mark.parametrize("n", [0, 15, 16, 65535, 65536])
def test_every_array_header_size(n) -> None:
    values = [(float(k), -float(k)) for k in range(n)]
    rows = FloatRecords.of_tuple(2).rows(values)
    assert rows.shape == (n, 2)
    assert rows[:, 0].tolist() == [float(k) for k in range(n)]


# ---- the predictions fast path's sentinels: a distribution left out, null, or naming nothing


@pytest.mark.parametrize(("objects", "image_attributes", "general"), [
    ([{"class": {"car": 1.0}, "box": [0, 0, 1, 1]}], {}, False),  # every distribution left out
    ([{"class": {"car": 1.0}, "box": [0, 0, 1, 1], "attributes": None}], None, False),
    ([{"class": {"car": 1.0}, "box": [0, 0, 1, 1], "attributes": {"parked": {"true": 1}}}],
     {"weather": {"wet": 1}}, False),  # some given, some left out; integers
    ([{"class": {"car": 1.0}, "box": [0, 0, 1, 1], "attributes": {"color": {}}}], {}, True),  # names no value
    ([{"class": {"car": 1.0}, "box": [0, 0, 1, 1]}], {"weather": {}}, True),
    ([{"class": {"car": 1.0, "lane": -0.0}, "box": [0, 0, 1, 1]}], {}, False),
])
def test_left_out_distributions_read_as_the_general_reader(tmp_path, monkeypatch, objects, image_attributes,
                                                           general) -> None:
    from compare import differences

    from specdsl.compiler import compile_source
    from specdsl.engine import predictions
    from specdsl.source import Source

    spec = compile_source(Source("shared.spec", SPEC)).spec
    line = {"image": "a.jpg", "objects": objects}
    if image_attributes != {}:
        line["attributes"] = image_attributes
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"image": "b.jpg", "objects": []}) + "\n" + json.dumps(line) + "\n")
    used = []
    general_reader = predictions.read_lines
    monkeypatch.setattr(predictions, "read_lines", lambda *args: used.append(1) or general_reader(*args))
    try:
        fast = predictions.read_predictions(str(path), spec, jobs=1)
    except predictions.PredictionError as error:  # only the general reader says what is wrong
        assert used
        assert general
        assert error.line == 2
        return
    assert bool(used) == general
    expected = general_reader(str(path), spec, False, list(enumerate(path.read_bytes().splitlines(), 1)))
    assert [d for name in ("image_ids", "image_lines", "image_attributes", "objects", "dataset")
            for d in differences(getattr(fast, name), getattr(expected, name), name)] == []
