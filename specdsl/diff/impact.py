"""The impact of a spec change on labels already made: which images and objects, and what to do.

Images are grouped by the version they were labeled under (``spec_version``, or
``labeled_under`` where the export does not say). Each group is compared with the
newest known version at or before its own (exact when the history has it) and with
the ``changes`` blocks of every later version, so a jump from v1 to v4 sees every
step in between. Each object appears once, with every change that touches it and the
strongest action they ask for; whole-image reviews are separate items with no objects.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from specdsl import ir
from specdsl.data.dataset import Dataset
from specdsl.diff.changes import RULES, diff_specs
from specdsl.diff.hits import HITS, Hits, ObjectKey, Scope
from specdsl.diff.model import Change

# When changes ask for different things on one object, the strongest wins.
OBJECT_ACTIONS = ("delete", "relabel", "fill", "migrate")
ACTIONS = OBJECT_ACTIONS + ("review",)
_ORDER = {kind.id: i for i, (kind, _) in enumerate(RULES)}


@dataclass(frozen=True)
class ImpactItem:
    image: str
    objects: tuple[str, ...]
    changes: tuple[str, ...]
    action: str

    def to_dict(self) -> dict:
        return {"image": self.image, "objects": list(self.objects), "changes": list(self.changes),
                "action": self.action}


@dataclass(frozen=True)
class Impact:
    items: tuple[ImpactItem, ...]
    images: int
    images_affected: int
    objects_affected: int
    changes: tuple[Change, ...] = ()  # every change that reached a label, also those of older steps
    notes: tuple[str, ...] = ()  # what made the analysis less precise (for stderr)

    def summary(self) -> dict:
        return {"images": self.images, "images_affected": self.images_affected,
                "objects_affected": self.objects_affected}


@dataclass
class _Tally:
    """Per object and per reviewed image: the change IDs and actions that reached it."""

    objects: dict[ObjectKey, tuple[set[str], set[str]]] = field(default_factory=dict)
    reviews: dict[int, set[str]] = field(default_factory=dict)

    def add(self, change_id: str, hits: Hits) -> None:
        for key in hits.objects:
            ids, actions = self.objects.setdefault(key, (set(), set()))
            ids.add(change_id)
            actions.add(hits.action)
        for row in hits.images:
            if hits.action == "review":
                self.reviews.setdefault(row, set()).add(change_id)
            else:  # an image attribute to fill or migrate: the image itself is the object
                ids, actions = self.objects.setdefault((row, ""), (set(), set()))
                ids.add(change_id)
                actions.add(hits.action)


@dataclass(frozen=True)
class VersionGroup:
    """Images labeled under one version, the spec they are compared with, and the changes that concern them."""

    version: float
    images: np.ndarray  # bool per image row
    base: ir.Spec
    changes: list[Change]


def version_groups(versions: np.ndarray, new: ir.Spec, known: Mapping[int, ir.Spec],
                   notes: list[str]) -> list[VersionGroup]:
    groups = []
    for version in sorted({v for v in versions.tolist() if v < new.version}):
        base = _base_for(version, known, new, notes)
        changes = diff_specs(base, new, since=int(math.floor(version)))
        groups.append(VersionGroup(version, versions == version, base, changes))
    return groups


def analyze_impact(dataset: Dataset, new: ir.Spec, known: Mapping[int, ir.Spec], default_version: int,
                   labeled_under: int | None = None) -> Impact:
    """The impact of moving ``dataset``'s labels to ``new``; ``known`` holds every version at hand."""
    notes: list[str] = []
    groups = version_groups(image_versions(dataset, labeled_under, default_version), new, known, notes)
    tally, used, cache = _Tally(), {}, {}
    for group in groups:
        scope = Scope(dataset, group.base, new, group.images, group.changes, cache)
        for change in group.changes:
            for hits in HITS.get(change.id, _no_hits)(change, scope):
                if hits.objects or hits.images:
                    tally.add(change.id, hits)
                    used[(change.id, change.target)] = change
    unknown = np.isnan(dataset.images.spec_version).any()
    if unknown and labeled_under is None and default_version < new.version:
        notes.append(f"{dataset.source}: images without spec_version are taken as labeled under version "
                     f"{default_version} (use --labeled-under N)")
    return _impact(dataset, tally, tuple(sorted(used.values(), key=Change.sort_key)), tuple(notes))


def _no_hits(change: Change, scope: Scope) -> list[Hits]:
    return []


def image_versions(dataset: Dataset, labeled_under: int | None, default_version: int) -> np.ndarray:
    versions = dataset.images.spec_version.astype(float).copy()
    versions[np.isnan(versions)] = default_version if labeled_under is None else labeled_under
    return versions


def _base_for(version: float, known: Mapping[int, ir.Spec], new: ir.Spec, notes: list[str]) -> ir.Spec:
    """The newest known version at or before ``version``; the oldest one (imprecise) when none is."""
    at_or_before = [v for v in known if v <= version]
    if at_or_before:
        base = max(at_or_before)
        if base != version:
            notes.append(f"labels of version {_num(version)} are compared with version {base}, the closest known; "
                         "pass --history to read the exact one from git")
        return known[base]
    oldest = min(known)
    notes.append(f"labels of version {_num(version)} predate every known version (oldest: {oldest}): only the "
                 f"`changes` blocks tell what changed before {oldest}; pass --history to read older versions")
    return known[oldest]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---- turning the tally into items ------------------------------------------------------------------


def _impact(dataset: Dataset, tally: _Tally, changes: tuple[Change, ...], notes: tuple[str, ...]) -> Impact:
    grouped: dict[tuple[int, str], tuple[list[str], set[str]]] = {}
    for (row, obj), (ids, actions) in tally.objects.items():
        action = next(a for a in OBJECT_ACTIONS if a in actions)
        objects, reasons = grouped.setdefault((row, action), ([], set()))
        if obj:
            objects.append(obj)
        reasons.update(ids)
    for row, ids in tally.reviews.items():
        grouped.setdefault((row, "review"), ([], set()))[1].update(ids)
    images = dataset.images.ids
    items = [ImpactItem(images[row], tuple(sorted(objects)), _ordered(reasons), action)
             for (row, action), (objects, reasons) in grouped.items()]
    items.sort(key=lambda i: (i.image, ACTIONS.index(i.action)))
    affected_objects = sum(1 for _, obj in tally.objects if obj)
    affected_images = len({row for row, _ in grouped})
    return Impact(tuple(items), len(images), affected_images, affected_objects, changes, notes)


def _ordered(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(ids, key=lambda i: (_ORDER.get(i, len(_ORDER)), i)))


def merge_impacts(impacts: list[Impact]) -> Impact:
    """Several exports (``--labels A B``) as one report."""
    changes = {(c.id, c.target): c for impact in impacts for c in impact.changes}
    notes = tuple(dict.fromkeys(n for impact in impacts for n in impact.notes))
    return Impact(tuple(i for impact in impacts for i in impact.items), sum(i.images for i in impacts),
                  sum(i.images_affected for i in impacts), sum(i.objects_affected for i in impacts),
                  tuple(sorted(changes.values(), key=Change.sort_key)), notes)


