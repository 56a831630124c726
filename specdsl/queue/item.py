"""Queue records: the work one image needs (:class:`Work`), what an input asks for (:class:`NewItem`) and
what the queue holds (:class:`Item`).

A queue keeps one open item per image: a labeler opens an image once. The item's work is a task per
object and one for the image itself, each a map ``reason -> action``, so that merging inputs, seeing
what is already covered, and listing per-object reasons are all set operations on the same value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Strongest first. When an image (or one object) needs several things, the strongest names the item:
# redrawing (relabel) is the most work and subsumes the rest; deleting beats filling in an attribute of an
# object about to go; filling needs a person, migrating only a script; a review is a look without a known
# fix; `label` (new images picked by `specc select`) is the weakest because nothing there is wrong yet.
ACTIONS = ("relabel", "delete", "fill", "migrate", "review", "label")
STATUSES = ("pending", "claimed", "done")
# Diff severities and finding severities share one scale; see priority.SEVERITY_WEIGHT.
SEVERITIES = ("breaking", "error", "dangerous", "warning", "migratable", "safe", "info")
_STRENGTH = {action: len(ACTIONS) - rank for rank, action in enumerate(ACTIONS)}

Task = dict[str, str]  # reason -> action, in first-seen order


def strongest(actions: Iterable[str]) -> str:
    """The strongest of ``actions`` by :data:`ACTIONS`; ``review`` when there is none."""
    return max(actions, key=_STRENGTH.__getitem__, default="review")


def _unique(values: Any) -> tuple[str, ...]:
    """First-seen order, duplicates dropped: object ids like a9/a10 must not be re-sorted as text."""
    return tuple(dict.fromkeys(str(v) for v in values or ()))


def _merge_task(into: Task, other: Mapping[str, str]) -> None:
    for reason, action in other.items():
        previous = into.get(reason)
        into[reason] = action if previous is None else strongest((previous, action))


@dataclass(frozen=True, slots=True)
class Work:
    """What one image needs: per object id a task (``reason -> action``), and a task for the image itself
    (image-level findings, reviews). Empty tasks are never kept."""

    objects: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    image: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for task in (self.image, *self.objects.values()):
            for action in task.values():
                if action not in _STRENGTH:
                    raise ValueError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
        object.__setattr__(self, "objects", {str(o): dict(t) for o, t in self.objects.items() if t})
        object.__setattr__(self, "image", dict(self.image))

    @classmethod
    def uniform(cls, action: str, objects: Iterable[str], reasons: Iterable[str]) -> Work:
        """Every reason, with one action, on every object (on the image when there are no objects)."""
        task = dict.fromkeys(_unique(reasons), action)
        object_ids = _unique(objects)
        if not task:
            task = {"": action}  # no reason given: the action alone is still work
        if object_ids:
            return cls(objects={o: task for o in object_ids})
        return cls(image=task)

    @property
    def action(self) -> str:
        return strongest(a for task in (self.image, *self.objects.values()) for a in task.values())

    @property
    def object_ids(self) -> tuple[str, ...]:
        return tuple(self.objects)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every reason, first seen first: the image's, then each object's."""
        return _unique(r for task in (self.image, *self.objects.values()) for r in task if r)

    def object_reasons(self) -> dict[str, list[str]]:
        return {o: [r for r in task if r] for o, task in self.objects.items()}

    def object_actions(self) -> dict[str, str]:
        return {o: strongest(task.values()) for o, task in self.objects.items()}

    def pairs(self) -> set[tuple[str | None, str]]:
        """(object id or None for the image, reason): the unit of 'already asked for'."""
        return ({(None, r) for r in self.image}
                | {(o, r) for o, task in self.objects.items() for r in task})

    def merged(self, other: Work) -> Work:
        objects = {o: dict(t) for o, t in self.objects.items()}
        for object_id, task in other.objects.items():
            _merge_task(objects.setdefault(object_id, {}), task)
        image = dict(self.image)
        _merge_task(image, other.image)
        return Work(objects, image)

    def without(self, covered: set[tuple[str | None, str]]) -> Work:
        """This work less the (object, reason) pairs already asked for elsewhere."""
        return Work({o: {r: a for r, a in t.items() if (o, r) not in covered} for o, t in self.objects.items()},
                    {r: a for r, a in self.image.items() if (None, r) not in covered})

    def __bool__(self) -> bool:
        return bool(self.image or self.objects)

    def to_json(self) -> dict[str, Any]:
        return {"objects": {o: dict(t) for o, t in self.objects.items()}, "image": dict(self.image)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Work:
        return cls(objects=data.get("objects") or {}, image=data.get("image") or {})


@dataclass(frozen=True, slots=True)
class NewItem:
    """The work an input asks for on one image, before the queue gives it an id and a status.

    Build it either from ``action``/``objects``/``reasons`` (every reason applies to every object, or to
    the image when there are no objects) or from a :class:`Work` (per-object reasons and actions); the
    three flat fields are then derived from it.
    """

    image: str
    action: str = "review"
    objects: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    severity: str = "warning"
    spec: str | None = None
    from_version: int | None = None
    to_version: int | None = None
    score: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    work: Work | None = None
    width: int | None = None  # image size, when an input knows it (exporters need it for percent coordinates)
    height: int | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r} (one of {', '.join(ACTIONS)})")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} (one of {', '.join(SEVERITIES)})")
        if not self.image:
            raise ValueError("an item needs an image")
        work = self.work if self.work is not None else Work.uniform(self.action, self.objects, self.reasons)
        object.__setattr__(self, "work", work)
        object.__setattr__(self, "action", work.action)
        object.__setattr__(self, "objects", work.object_ids)
        object.__setattr__(self, "reasons", work.reasons)

    @property
    def dedupe_key(self) -> str:
        """A queue holds one open item per image: the image is the key, whatever source said it."""
        return self.image

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NewItem:
        known = {"image", "action", "objects", "reasons", "severity", "spec", "from_version",
                 "to_version", "score", "details", "width", "height"}
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
    work: Work = field(default_factory=Work)
    width: int | None = None
    height: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "image": self.image, "objects": list(self.objects), "action": self.action,
                "reasons": list(self.reasons), "priority": self.priority, "status": self.status,
                "labeler": self.labeler,
                "object_reasons": self.work.object_reasons(), "object_actions": self.work.object_actions(),
                "image_reasons": [r for r in self.work.image if r],
                "severity": self.severity, "spec": self.spec,
                "from_version": self.from_version, "to_version": self.to_version, "score": self.score,
                "width": self.width, "height": self.height,
                "claimed_at": self.claimed_at, "lease_seconds": self.lease_seconds,
                "done_at": self.done_at, "created_at": self.created_at, "details": dict(self.details)}
