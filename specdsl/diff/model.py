"""The records of a diff: a change kind (one row of the registry) and one change found between two specs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from specdsl import ir

# Ordered from the most to the least severe: the order of text output and of ``--fail-on``.
SEVERITIES = ("breaking", "dangerous", "migratable", "safe")
SEVERITY_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}

K = TypeVar("K")


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a spec, with where it was in each (``path:line:col``)."""

    id: str
    severity: str
    target: str
    message: str
    old: str | None = None
    new: str | None = None
    # Structured facts for the impact analysis (class, attribute, value, check ...); not part of the record.
    details: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "target": self.target, "message": self.message,
                "old": self.old, "new": self.new}

    def sort_key(self) -> tuple:
        return (-SEVERITY_RANK[self.severity], self.target, self.id, self.message)


@dataclass(frozen=True)
class ChangeKind:
    """A row of the registry: a stable ID, its usual severity, and the paragraph ``specc explain`` shows."""

    id: str
    severity: str
    summary: str
    doc: str
    action: str | None = None  # what the impact analysis asks for the labels it touches
    variants: str = ""  # when the severity depends on the case, which case gets which

    def change(self, target: str, message: str, old: ir.Loc | None = None, new: ir.Loc | None = None,
               severity: str | None = None, **details: Any) -> Change:
        return Change(self.id, severity or self.severity, target, message, _where(old), _where(new), details)


def _where(loc: ir.Loc | None) -> str | None:
    return str(loc) if loc is not None else None


def dict_diff(old: Mapping[K, Any], new: Mapping[K, Any]) -> tuple[list[K], list[K], list[K]]:
    """Keys only in ``new`` (added), only in ``old`` (removed), and in both (kept), each in a stable order."""
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    kept = [k for k in old if k in new]
    return sorted(added), sorted(removed), sorted(kept)


def by_name(items: Iterable[Any]) -> dict[str, Any]:
    return {item.name: item for item in items}


def at_or_above(changes: Iterable[Change], severity: str) -> list[Change]:
    rank = SEVERITY_RANK[severity]
    return [c for c in changes if SEVERITY_RANK[c.severity] >= rank]
