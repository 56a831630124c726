"""The type of an attribute from its declaration and the values seen.

Rules (documented in ``docs/authoring.md``): only ``true``/``false`` -> ``bool``; only whole numbers ->
``int``; only numbers -> ``float`` (no range: a draft should not reject tomorrow's values); text with at
most :data:`ENUM_MAX_VALUES` distinct short one-line values -> an inline enum; other text -> ``string``.
In tool formats (Label Studio, CVAT) the values are text that ``specc check`` types by the spec, so
``"true"`` counts as a bool and ``"3"`` as a number there. A config's declaration wins when the values
seen agree with it; when they do not, the values decide (the exports must check clean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specdsl.data.mapping import value_text
from specdsl.init.draft import AttributeFacts

ENUM_MAX_VALUES = 20
ENUM_MAX_LENGTH = 40


@dataclass(frozen=True)
class DraftType:
    kind: str  # bool | int | float | string | enum
    values: tuple[str, ...] = ()  # enum values as the sources spell them


def attribute_type(facts: AttributeFacts) -> DraftType:
    seen = list(facts.values.values())
    declared = facts.declared
    if declared is not None and _agrees(declared.kind, seen, facts.textual):
        if declared.kind == "enum":
            return DraftType("enum", _merged(declared.values, seen))
        return DraftType(declared.kind)
    return _inferred(seen, facts)


def _agrees(kind: str, seen: list[Any], textual: bool) -> bool:
    if kind == "enum":
        return all(_enum_like(v) for v in seen) and len(_merged((), seen)) <= ENUM_MAX_VALUES * 4
    if kind == "string":
        return all(isinstance(v, str) for v in seen)
    return _all_kind(kind, seen, textual)


def _inferred(seen: list[Any], facts: AttributeFacts) -> DraftType:
    if not seen:
        return DraftType("string")
    for kind in ("bool", "int", "float"):
        if _all_kind(kind, seen, facts.textual):
            return DraftType(kind)
    texts = _merged((), seen)
    if not facts.overflow and len(texts) <= ENUM_MAX_VALUES and all(_enum_like(v) for v in seen):
        return DraftType("enum", texts)
    return DraftType("string")


def _all_kind(kind: str, seen: list[Any], textual: bool) -> bool:
    return all(_is_kind(kind, v, textual) for v in seen)


def _is_kind(kind: str, value: Any, textual: bool) -> bool:
    if textual and isinstance(value, str):
        value = _typed_text(value)
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int) or (isinstance(value, float) and textual and value.is_integer())
    return isinstance(value, int | float)


def _typed_text(text: str) -> Any:
    stripped = text.strip()
    if stripped in ("true", "false"):
        return stripped == "true"
    for parse in (int, float):
        try:
            return parse(stripped)
        except ValueError:
            pass
    return text


def _enum_like(value: Any) -> bool:
    if isinstance(value, list | dict | float):
        return False
    text = value_text(value)
    return 0 < len(text) <= ENUM_MAX_LENGTH and "\n" not in text


def _merged(declared: tuple[str, ...], seen: list[Any]) -> tuple[str, ...]:
    out = dict.fromkeys(declared)
    out.update(dict.fromkeys(sorted(value_text(v) for v in seen)))
    return tuple(out)
