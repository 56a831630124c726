"""The change registry is the one source of truth: every kind has its payload type, hits, sentence, explain entry."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from markupsafe import Markup

from specdsl.compiler import compile_file
from specdsl.diff import KINDS, RULES, diff_specs
from specdsl.diff.changes import ATTRIBUTE_ADDED, ENUM_VALUE_REMOVED, RELABEL_DECLARED
from specdsl.diff.explain import explain_change
from specdsl.diff.model import Change
from specdsl.diff.payloads import EnumValue
from specdsl.docs.changes import PageWords

CASES = Path(__file__).parent / "diff_cases"


def case_changes(change_id: str) -> list[Change]:
    old, new = compile_file(CASES / change_id / "old.spec"), compile_file(CASES / change_id / "new.spec")
    return [c for c in diff_specs(old, new) if c.id == change_id]


@pytest.mark.parametrize("change_id", sorted(KINDS))
def test_every_kind_is_complete(change_id: str) -> None:
    kind = KINDS[change_id]
    assert dataclasses.is_dataclass(kind.payload)
    assert kind.payload.__dataclass_params__.frozen
    assert (kind.hits is not None) == (kind.action is not None), "a kind that acts on labels finds its hits"
    assert kind.doc in explain_change(change_id)
    changes = case_changes(change_id)
    assert changes, f"tests/diff_cases/{change_id} produces no {change_id}"
    for change in changes:
        assert isinstance(change.payload, kind.payload)
        sentence = kind.labeler(change.payload, PageWords())
        assert isinstance(sentence, Markup)
        assert sentence.strip().endswith(".")
        assert "{" not in sentence


def test_registry_rows_are_unique_and_ordered_like_the_rules() -> None:
    assert [kind.id for kind, _ in RULES] == list(KINDS)
    assert len({kind.id for kind, _ in RULES}) == len(RULES)


def test_a_change_carries_only_its_kinds_payload_type() -> None:
    with pytest.raises(TypeError, match="ENUM_VALUE_REMOVED carries EnumValue"):
        ENUM_VALUE_REMOVED.change(object(), "x", "message")
    assert not any(f.name == "details" for f in dataclasses.fields(Change))


def test_labeler_sentences_say_what_to_do_in_plain_words() -> None:
    words = PageWords()
    removed = ENUM_VALUE_REMOVED.labeler(EnumValue("lane.marking", "double_dashed", (("lane", "marking"),)), words)
    assert removed == ("The value <code>double_dashed</code> of <code>lane.marking</code> was removed: relabel "
                       "the objects that carry it.")
    required = next(c for c in case_changes("ATTRIBUTE_ADDED") if c.severity == "breaking")
    assert "fill it in" in ATTRIBUTE_ADDED.labeler(required.payload, words)
    relabel = case_changes("RELABEL_DECLARED")[0]
    sentence = RELABEL_DECLARED.labeler(relabel.payload, words)
    assert sentence.startswith("Relabel every <code>line</code> labeled before where ")
    assert "Version" not in sentence  # developer text stays in the diff's message


def test_names_from_the_spec_are_escaped_in_sentences() -> None:
    sentence = ENUM_VALUE_REMOVED.labeler(EnumValue("E", "<b>", (("c", "a"),)), PageWords())
    assert "<b>" not in sentence
    assert "&lt;b&gt;" in sentence
