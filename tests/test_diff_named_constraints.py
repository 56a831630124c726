"""Named constraints (``require NAME: EXPR``) are paired by name in a diff: a named check whose expression
changed is CONSTRAINT_CHANGED whatever else moved, a name that is gone is removed, a new name is added."""

from __future__ import annotations

from specdsl.compiler import compile_text
from specdsl.diff import diff_specs

HEAD = "spec roads version {v}\nclass car: box {{\n  parked: bool\n{requires}}}\n"


def _changes(old: list[str], new: list[str]) -> set[tuple[str, str]]:
    def spec(version: int, requires: list[str]):
        text = HEAD.format(v=version, requires="".join(f"  require {r}\n" for r in requires))
        return compile_text(text, f"roads@v{version}")

    return {(c.id, c.target) for c in diff_specs(spec(1, old), spec(2, new))}


def test_a_named_check_with_a_new_expression_is_changed_even_when_others_move() -> None:
    old = ["big: area >= 16", "wide: width >= 4", "area <= 10000"]
    new = ["area <= 20000", "tall: height >= 3", "big: area >= 200", "wide: width >= 4"]
    assert _changes(old, new) == {("CONSTRAINT_CHANGED", "car.big"), ("CONSTRAINT_ADDED", "car.tall"),
                                  ("CONSTRAINT_CHANGED", "car.require.1")}


def test_a_named_check_that_is_gone_is_removed_not_paired_with_a_new_name() -> None:
    assert _changes(["big: area >= 16"], ["tall: height >= 3"]) == {("CONSTRAINT_REMOVED", "car.big"),
                                                                     ("CONSTRAINT_ADDED", "car.tall")}


def test_renaming_a_check_keeps_its_expression_paired() -> None:
    changes = _changes(["big: area >= 16"], ["large: area >= 16"])
    assert not {c for c in changes if c[0] in ("CONSTRAINT_ADDED", "CONSTRAINT_REMOVED")}
