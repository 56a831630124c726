"""The impact of a spec change on labels already made: which images and objects, and what to do.

Images are grouped by the version they were labeled under (``spec_version``, or
``labeled_under`` where the export does not say). Each group is compared with the
newest known version at or before its own (exact when the history has it) and with
the ``changes`` blocks of every later version, so a jump from v1 to v4 sees every
step in between. Each object appears once, with every change that touches it and the
strongest action they ask for; whole-image reviews are separate items with no objects.
An item groups the objects of one image that share both the action and the exact set of
changes, so every change an item lists concerns every object it lists; counts per change
(:attr:`Impact.counts`) are exact numbers of distinct objects and images.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from specdsl import ir
from specdsl.data.dataset import Dataset
from specdsl.diff.changes import RULES, diff_specs
from specdsl.diff.hits import Hits, Scope
from specdsl.diff.model import Change

# When changes ask for different things on one object, the strongest wins.
OBJECT_ACTIONS = ("delete", "relabel", "fill", "migrate")
ACTIONS = OBJECT_ACTIONS + ("review",)
_ORDER = {kind.id: i for i, (kind, _) in enumerate(RULES)}  # bit of each change ID (int64: up to 63)


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
class ChangeCount:
    """How many distinct labeled objects, and images (holding them or reviewed whole), one change touches."""

    objects: int = 0
    images: int = 0

    def __add__(self, other: ChangeCount) -> ChangeCount:
        return ChangeCount(self.objects + other.objects, self.images + other.images)


@dataclass(frozen=True)
class Impact:
    items: tuple[ImpactItem, ...]
    images: int
    images_affected: int
    objects_affected: int
    changes: tuple[Change, ...] = ()  # every change that reached a label, also those of older steps
    notes: tuple[str, ...] = ()  # what made the analysis less precise (for stderr)
    counts: Mapping[tuple[str, str], ChangeCount] = field(default_factory=dict)  # by Change.key

    def summary(self) -> dict:
        return {"images": self.images, "images_affected": self.images_affected,
                "objects_affected": self.objects_affected}

    def count(self, change: Change) -> ChangeCount:
        return self.counts.get(change.key, ChangeCount())


@dataclass
class _Tally:
    """Per object and per reviewed image: the changes that reached it (a bit per change ID) and the actions.

    Kept as arrays per class so that a change touching millions of objects costs numpy time, not Python time.
    """

    # class ("" for an image attribute: the image itself) -> [(rows, change bit, action rank)]
    objects: dict[str, list[tuple[np.ndarray, int, int]]] = field(default_factory=dict)
    reviews: list[tuple[np.ndarray, int]] = field(default_factory=list)

    def add(self, change_id: str, hits: Hits) -> None:
        bit = _ORDER[change_id]
        for class_name, rows in hits.objects:
            self.objects.setdefault(class_name, []).append((rows, bit, OBJECT_ACTIONS.index(hits.action)))
        if hits.action == "review":
            self.reviews.append((hits.images, bit))
        elif len(hits.images):
            self.objects.setdefault("", []).append((hits.images, bit, OBJECT_ACTIONS.index(hits.action)))


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
        base = _base_for(version, known, notes)
        changes = diff_specs(base, new, since=math.floor(version))
        groups.append(VersionGroup(version, versions == version, base, changes))
    return groups


def analyze_impact(dataset: Dataset, new: ir.Spec, known: Mapping[int, ir.Spec], default_version: int,
                   labeled_under: int | None = None) -> Impact:
    """The impact of moving ``dataset``'s labels to ``new``; ``known`` holds every version at hand."""
    notes: list[str] = []
    groups = version_groups(image_versions(dataset, labeled_under, default_version), new, known, notes)
    tally, used, shared = _Tally(), {}, {}
    reached: dict[tuple[str, str], _Reach] = {}
    for group in groups:
        scope = Scope(dataset, group.base, new, group.images, group.changes, shared)
        for change in group.changes:
            for hits in change.kind.hits(change.payload, scope) if change.kind.hits else ():
                if hits:
                    tally.add(change.id, hits)
                    used[change.key] = change
                    reached.setdefault(change.key, _Reach()).add(dataset, hits)
    unknown = np.isnan(dataset.images.spec_version).any()
    if unknown and labeled_under is None and default_version < new.version:
        notes.append(f"{dataset.source}: images without spec_version are taken as labeled under version "
                     f"{default_version} (use --labeled-under N)")
    counts = {key: reach.count() for key, reach in reached.items()}
    return _impact(dataset, tally, tuple(sorted(used.values(), key=Change.sort_key)), tuple(notes), counts)


@dataclass
class _Reach:
    """The objects (class, row) and images one change reached, over every version group."""

    objects: dict[str, list[np.ndarray]] = field(default_factory=dict)
    images: list[np.ndarray] = field(default_factory=list)

    def add(self, dataset: Dataset, hits: Hits) -> None:
        for class_name, rows in hits.objects:
            self.objects.setdefault(class_name, []).append(rows)
            self.images.append(dataset.tables[class_name].image_index[rows])
        self.images.append(hits.images)

    def count(self) -> ChangeCount:
        objects = sum(len(np.unique(np.concatenate(rows))) for rows in self.objects.values())
        images = len(np.unique(np.concatenate(self.images))) if self.images else 0
        return ChangeCount(int(objects), images)


def image_versions(dataset: Dataset, labeled_under: int | None, default_version: int) -> np.ndarray:
    versions = dataset.images.spec_version.astype(float).copy()
    versions[np.isnan(versions)] = default_version if labeled_under is None else labeled_under
    return versions


def _base_for(version: float, known: Mapping[int, ir.Spec], notes: list[str]) -> ir.Spec:
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


def _item_order(item: ImpactItem) -> tuple:
    return item.image, ACTIONS.index(item.action), item.changes


def _impact(dataset: Dataset, tally: _Tally, changes: tuple[Change, ...], notes: tuple[str, ...],
            counts: dict[tuple[str, str], ChangeCount]) -> Impact:
    merged = [_merged(dataset, name, parts) for name, parts in tally.objects.items()]
    items = _object_items(dataset, merged) + _review_items(dataset, tally.reviews)
    items.sort(key=_item_order)
    n_objects = sum(len(m.images) for name, m in zip(tally.objects, merged) if name)
    return Impact(tuple(items), len(dataset.images), len({i.image for i in items}), n_objects, changes, notes,
                  counts)


@dataclass(frozen=True)
class _Merged:
    """The objects of one class, each once: its image row, change bits, strongest action and id."""

    images: np.ndarray
    masks: np.ndarray
    ranks: np.ndarray
    ids: list[str]  # "" for an image attribute's item (the image itself)


def _merged(dataset: Dataset, class_name: str, parts: list[tuple[np.ndarray, int, int]]) -> _Merged:
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    bits = np.concatenate([np.full(len(p[0]), 1 << p[1], dtype=np.int64) for p in parts])
    ranks = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in parts])
    unique, inverse = np.unique(rows, return_inverse=True)
    masks = np.zeros(len(unique), dtype=np.int64)
    np.bitwise_or.at(masks, inverse, bits)
    best = np.full(len(unique), len(OBJECT_ACTIONS), dtype=np.int64)
    np.minimum.at(best, inverse, ranks)
    if not class_name:
        return _Merged(unique, masks, best, [""] * len(unique))
    table = dataset.tables[class_name]
    return _Merged(table.image_index[unique], masks, best, [table.ids[r] for r in unique])


def _object_items(dataset: Dataset, merged: list[_Merged]) -> list[ImpactItem]:
    """One item per (image, action, set of changes) listing its objects; an image attribute's item lists none."""
    if not merged:
        return []
    images = np.concatenate([m.images for m in merged])
    masks = np.concatenate([m.masks for m in merged])
    ranks = np.concatenate([m.ranks for m in merged])
    ids = [i for m in merged for i in m.ids]
    order = np.lexsort((masks, ranks, images))
    images, masks, ranks = images[order], masks[order], ranks[order]
    ids = [ids[i] for i in order]
    starts = np.flatnonzero(np.r_[True, (images[1:] != images[:-1]) | (ranks[1:] != ranks[:-1])
                                  | (masks[1:] != masks[:-1])])
    ends = np.r_[starts[1:], len(images)]
    names = dataset.images.ids  # Python ints from here on: indexing with numpy scalars costs more than the rest
    image_names = [names[row] for row in images[starts].tolist()]
    objects = [tuple(sorted(filter(None, ids[s:e]))) for s, e in zip(starts.tolist(), ends.tolist())]
    changes = [_ids_of(bits) for bits in masks[starts].tolist()]
    actions = [OBJECT_ACTIONS[rank] for rank in ranks[starts].tolist()]
    return list(map(ImpactItem, image_names, objects, changes, actions))


def _review_items(dataset: Dataset, reviews: list[tuple[np.ndarray, int]]) -> list[ImpactItem]:
    masks = np.zeros(len(dataset.images), dtype=np.int64)
    for rows, bit in reviews:
        np.bitwise_or.at(masks, rows, 1 << bit)
    rows = np.flatnonzero(masks)
    return [ImpactItem(dataset.images.ids[row], (), _ids_of(bits), "review")
            for row, bits in zip(rows.tolist(), masks[rows].tolist())]


@cache
def _ids_of(bits: int) -> tuple[str, ...]:
    return tuple(kind.id for i, (kind, _) in enumerate(RULES) if bits >> i & 1)


def join_parts(parts: list[Impact]) -> Impact:
    """The impact of one export from those of its chunks (consecutive runs of its images), exactly as
    :func:`analyze_impact` of the export read whole: its items in the same order, images counted once."""
    if len(parts) == 1:
        return parts[0]
    joined = merge_impacts(parts)
    items = tuple(sorted(joined.items, key=_item_order))  # stable: equal keys keep source order
    notes = tuple(sorted(joined.notes, key=_note_order))  # as analyze_impact orders them
    return replace(joined, items=items, images_affected=len({item.image for item in items}), notes=notes)


_VERSION_NOTE = re.compile(r"labels of version ([0-9.]+) ")  # the notes of _base_for


def _note_order(note: str) -> tuple[int, float]:
    """Version notes first, by version (the order of :func:`version_groups`), then the rest."""
    version = _VERSION_NOTE.match(note)
    return (0, float(version[1])) if version else (1, 0.0)


def merge_impacts(impacts: list[Impact]) -> Impact:
    """Several exports (``--labels A B``) as one report."""
    changes = {c.key: c for impact in impacts for c in impact.changes}
    notes = tuple(dict.fromkeys(n for impact in impacts for n in impact.notes))
    counts: dict[tuple[str, str], ChangeCount] = {}
    for impact in impacts:
        for key, count in impact.counts.items():
            counts[key] = counts.get(key, ChangeCount()) + count
    return Impact(tuple(i for impact in impacts for i in impact.items), sum(i.images for i in impacts),
                  sum(i.images_affected for i in impacts), sum(i.objects_affected for i in impacts),
                  tuple(sorted(changes.values(), key=Change.sort_key)), notes, counts)


