"""``new_finding`` makes the very Finding that ``Finding(...)`` makes, only faster: same value, same type,
still frozen, hashable and picklable."""

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specdsl.report.finding import Finding, new_finding

_text = st.text(max_size=12)
_optional_int = st.none() | st.integers(min_value=1, max_value=10**6)

fields = st.fixed_dictionaries(
    {"check": _text, "kind": st.sampled_from(["schema", "suspect", "agreement"]),
     "severity": st.sampled_from(["info", "warning", "error"]), "image": st.none() | _text,
     "objects": st.lists(_text, max_size=3).map(tuple), "message": _text, "source": _text, "pointer": _text,
     "spec_location": _text},
    optional={"help": st.none() | _text, "line": _optional_int, "column": _optional_int,
              "action": st.none() | _text, "labelers": st.lists(_text, max_size=2).map(tuple),
              "score": st.none() | st.floats(0, 1), "prediction": st.none() | st.integers(0, 99),
              "fix": st.none() | _text})


@given(fields)
def test_new_finding_is_the_finding_the_constructor_makes(values):
    made, built = new_finding(**values), Finding(**values)
    assert type(made) is Finding
    assert made == built
    assert hash(made) == hash(built)
    assert dataclasses.asdict(made) == dataclasses.asdict(built)
    assert made.to_dict() == built.to_dict()
    assert pickle.loads(pickle.dumps(made)) == built


def test_a_new_finding_is_frozen():
    made = new_finding(check="c", kind="suspect", severity="warning", image=None, objects=(), message="m",
                       source="s", pointer="/p", spec_location="a.spec:1:1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.message = "changed"
    with pytest.raises(TypeError):
        new_finding(check="c")  # the required fields are required, as in the constructor
