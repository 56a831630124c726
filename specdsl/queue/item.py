"""Queue records: what an input asks for (:class:`NewItem`) and what the queue holds (:class:`Item`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("relabel", "review", "fill", "migrate", "delete", "label")  # label: `specc select` picks
STATUSES = ("pending", "claimed", "done")
# Diff severities and finding severities share one scale; see priority.SEVERITY_WEIGHT.
SEVERITIES = ("breaking", "error", "dangerous", "warning", "migratable", "safe", "info")


def _unique(values: Any) -> tuple[str, ...]:
    """First-seen order, duplicates dropped: object ids like a9/a10 must not be re-sorted as text."""
    return tuple(dict.fromkeys(str(v) for v in values or ()))


@dataclass(frozen=True, slots=True)
class NewItem:
    """One unit of work an input asks for, before the queue gives it an id and a status."""

    image: str
    action: str
    objects: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    severity: str = "warning"
    spec: str | None = None
    from_version: int | None = None
    to_version: int | None = None
    score: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r} (one of {', '.join(ACTIONS)})")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} (one of {', '.join(SEVERITIES)})")
        if not self.image:
            raise ValueError("an item needs an image")
        object.__setattr__(self, "objects", _unique(self.objects))
        object.__setattr__(self, "reasons", _unique(self.reasons))

    @property
    def dedupe_key(self) -> str:
        """Building the same input twice must find the same row: image + action + spec + target version."""
        version = "" if self.to_version is None else str(self.to_version)
        return "\x1f".join((self.image, self.action, self.spec or "", version))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NewItem:
        known = {"image", "action", "objects", "reasons", "severity", "spec", "from_version",
                 "to_version", "score", "details"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown item field(s): {', '.join(unknown)}")
        return cls(**dict(data))


@dataclass(frozen=True, slots=True)
class Item:
    """A row of the queue. ``to_dict`` puts the keys of the CLI.md item first, in its order."""

    id: int
    image: str
    objects: tuple[str, ...]
    action: str
    reasons: tuple[str, ...]
    priority: float
    status: str
    labeler: str | None
    severity: str
    spec: str | None
    from_version: int | None
    to_version: int | None
    score: float | None
    claimed_at: str | None
    lease_seconds: float | None
    done_at: str | None
    created_at: str
    details: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "image": self.image, "objects": list(self.objects), "action": self.action,
                "reasons": list(self.reasons), "priority": self.priority, "status": self.status,
                "labeler": self.labeler, "severity": self.severity, "spec": self.spec,
                "from_version": self.from_version, "to_version": self.to_version, "score": self.score,
                "claimed_at": self.claimed_at, "lease_seconds": self.lease_seconds,
                "done_at": self.done_at, "created_at": self.created_at, "details": dict(self.details)}
