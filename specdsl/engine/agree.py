"""``specc agree``: where labelers disagree, per object, attribute and image (ENGINE.md).

Every pair of annotation sets is compared on the images both hold: objects are paired per geometry
(:mod:`specdsl.engine.pairing`), then unmatched objects, class and attribute disagreements become
findings, and the summary counts matches, f1 and chance-corrected agreement per attribute.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from specdsl import ir
from specdsl.engine.labels import LabelSet, effective_values
from specdsl.engine.pairing import Pairs, Side, build_side, pair
from specdsl.engine.reliability import cohen_kappa, krippendorff_alpha, observed_agreement
from specdsl.report.finding import Finding, new_finding


class AgreeError(ValueError):
    """The exports cannot be compared (different specs, no common images)."""


@dataclass
class ClassTally:
    matched: int = 0
    objects: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)


@dataclass
class AgreeReport:
    labelers: tuple[str, ...]
    images: int
    skipped: int
    objects: int  # objects of the compared images, over all sets
    findings: list[Finding]
    classes: dict[str, dict]
    attributes: dict[str, dict]

    def summary(self) -> dict:
        return {"images": self.images, "skipped": self.skipped, "classes": self.classes,
                "attributes": self.attributes}

    def to_dict(self) -> dict:
        return {"labelers": list(self.labelers), "summary": self.summary(),
                "findings": [f.to_dict() for f in self.findings]}


def agree(spec: ir.Spec, sets: list[LabelSet]) -> AgreeReport:
    _check_specs(spec, sets)
    images = _common_images(sets)
    if not images.compared:
        raise AgreeError("the exports have no image in common: nothing to compare")
    run = _Run(spec, sets, images)
    for first, second in combinations(range(len(sets)), 2):
        run.compare(first, second)
    return run.report()


@dataclass
class CommonImages:
    """Images held by at least two sets, numbered in order of first appearance; ``skipped`` holds fewer."""

    compared: list[str]
    skipped: int
    _per_row: dict[int, np.ndarray] = field(default_factory=dict)  # id(LabelSet) -> number per image row

    def keys(self, labels: LabelSet, image_rows: np.ndarray) -> np.ndarray:
        """The common number of each of ``labels``' image rows (-1: compared with no other set)."""
        per_row = self._per_row.get(id(labels))
        if per_row is None:  # one pass over the set's image ids, then array lookups for every class and pair
            number = {image: k for k, image in enumerate(self.compared)}
            per_row = np.fromiter((number.get(i, -1) for i in labels.dataset.images.ids), np.int64,
                                  len(labels.dataset.images))
            self._per_row[id(labels)] = per_row
        return per_row[image_rows]


def _common_images(sets: list[LabelSet]) -> CommonImages:
    holders: dict[str, int] = {}
    for labels in sets:
        for image in labels.image_position:
            holders[image] = holders.get(image, 0) + 1
    compared = [image for image, n in holders.items() if n >= 2]
    return CommonImages(compared, len(holders) - len(compared))


def _check_specs(spec: ir.Spec, sets: list[LabelSet]) -> None:
    for labels in sets:
        named = labels.spec_name
        if named is not None and named != spec.name:
            raise AgreeError(f"{labels.dataset.source} is an export of spec '{named}', not '{spec.name}'")


class _Run:
    def __init__(self, spec: ir.Spec, sets: list[LabelSet], images: CommonImages):
        self.spec, self.sets, self.images = spec, sets, images
        self.findings: list[tuple[tuple, Finding]] = []
        self.tallies = {c.name: ClassTally() for c in spec.classes}
        self.values: dict[str, list[tuple]] = defaultdict(list)  # CLASS.ATTR -> (value 1, value 2) per pair
        self.sides = [self._sides(labels) for labels in sets]

    # ---- per set: comparable objects by geometry
    def _sides(self, labels: LabelSet) -> dict[str, tuple[list, Side]]:
        out = {}
        for geometry in ir.GEOMETRIES:
            classes = [c for c in self.spec.classes if c.geometry == geometry]
            if not classes:
                continue
            views = [labels.views[c.name] for c in classes]
            rows, keys = [], []
            for view in views:
                usable = labels.usable_rows(view)
                key = self.images.keys(labels, view.table.image_index[usable])
                rows.append(usable[key >= 0])
                keys.append(key[key >= 0])
            out[geometry] = (classes, build_side(views, rows, keys, geometry))
        return out

    # ---- one pair of sets
    def compare(self, first: int, second: int) -> None:
        shared = self._shared_images(first, second)
        for geometry, (classes, side_a) in self.sides[first].items():
            side_b = self.sides[second][geometry][1]
            a, b = _restrict(side_a, shared), _restrict(side_b, shared)
            pairs = pair(a, b, [c.match for c in classes], geometry)
            self._tally(first, second, classes, a, b, pairs)
        self._image_attributes(first, second, np.flatnonzero(shared))

    def _shared_images(self, first: int, second: int) -> np.ndarray:
        held = [np.zeros(len(self.images.compared), bool) for _ in (first, second)]
        for mask, index in zip(held, (first, second)):
            labels = self.sets[index]
            keys = self.images.keys(labels, np.arange(len(labels.dataset.images)))
            mask[keys[keys >= 0]] = True
        return held[0] & held[1]

    def _tally(self, first, second, classes, a: Side, b: Side, pairs: Pairs) -> None:
        names = (self.sets[first].name, self.sets[second].name)
        for side, _owner, _other in ((a, first, second), (b, second, first)):
            counts = np.bincount(side.cls, minlength=len(classes))
            for c, n in zip(classes, counts):
                self.tallies[c.name].objects += int(n)
        matched_a, matched_b = np.zeros(len(a), bool), np.zeros(len(b), bool)
        matched_a[pairs.a], matched_b[pairs.b] = True, True
        self._unmatched(a, ~matched_a, first, second, classes)
        self._unmatched(b, ~matched_b, second, first, classes)
        for i, j, s in zip(pairs.a.tolist(), pairs.b.tolist(), pairs.score.tolist()):
            ca, cb = classes[a.cls[i]], classes[b.cls[j]]
            objects = (self._object(first, ca, a.row[i]), self._object(second, cb, b.row[j]))
            pointer = self._object_pointer(first, ca, a.row[i])
            if ca is not cb:
                self._add(first, second, a.image[i], f"{ca.name}.class", objects, names,
                          f"{objects[0]} is a {ca.name}, {objects[1]} a {cb.name}", ca.loc, 1, pointer)
                continue
            tally = self.tallies[ca.name]
            tally.matched += 1
            tally.scores.append(s)
            self._attributes(first, second, ca, (a.row[i], b.row[j]), a.image[i], objects, pointer)

    def _unmatched(self, side: Side, mask: np.ndarray, owner: int, other: int, classes) -> None:
        names = (self.sets[owner].name, self.sets[other].name)
        for i in np.flatnonzero(mask).tolist():
            cls = classes[side.cls[i]]
            tally = self.tallies[cls.name]
            tally.unmatched[names[0]] = tally.unmatched.get(names[0], 0) + 1
            obj = self._object(owner, cls, side.row[i])
            self._add(owner, other, side.image[i], f"{cls.name}.missing", (obj,), names,
                      f"{cls.name} {obj} has no match in {names[1]}'s labels", cls.loc, 0,
                      self._object_pointer(owner, cls, side.row[i]))

    def _attributes(self, first, second, cls: ir.Class, rows, image: int, objects, pointer: str) -> None:
        names = (self.sets[first].name, self.sets[second].name)
        for attribute in cls.attributes:
            va = self._value(first, cls, attribute, rows[0])
            vb = self._value(second, cls, attribute, rows[1])
            self.values[f"{cls.name}.{attribute.name}"].append((va, vb))
            if va != vb or type(va) is not type(vb):
                self._add(first, second, image, f"{cls.name}.{attribute.name}", objects, names,
                          f"{cls.name}.{attribute.name}: {objects[0]} says {_show(va)}, {objects[1]} says "
                          f"{_show(vb)}", attribute.loc or cls.loc, 2, pointer)

    def _image_attributes(self, first: int, second: int, shared: np.ndarray) -> None:
        names = (self.sets[first].name, self.sets[second].name)
        rows = [np.array([self.sets[k].image_position[self.images.compared[i]] for i in shared], dtype=np.int64)
                for k in (first, second)]
        for attribute in self.spec.image_attributes:
            va = self._image_values(first, attribute)[rows[0]] if len(shared) else []
            vb = self._image_values(second, attribute)[rows[1]] if len(shared) else []
            for k, x, y in zip(shared.tolist(), va, vb):
                self.values[f"image.{attribute.name}"].append((x, y))
                if x != y or type(x) is not type(y):
                    self._add(first, second, k, f"image.{attribute.name}", (), names,
                              f"image.{attribute.name}: {names[0]} says {_show(x)}, {names[1]} says {_show(y)}",
                              attribute.loc, 3)

    # ---- values and records
    def _value(self, index: int, cls: ir.Class, attribute: ir.Attribute, row: int):
        return self._class_values(index, cls.name, attribute.name)[row]

    def _class_values(self, index: int, cls: str, attribute: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_value_cache", {})
        key = (index, cls, attribute)
        if key not in cache:
            cache[key] = effective_values(self.sets[index].views[cls].attributes[attribute])
        return cache[key]

    def _image_values(self, index: int, attribute: ir.Attribute) -> np.ndarray:
        cache = self.__dict__.setdefault("_image_value_cache", {})
        if (index, attribute.name) not in cache:
            cache[(index, attribute.name)] = effective_values(self.sets[index].image_attributes[attribute.name])
        return cache[(index, attribute.name)]

    def _object(self, index: int, cls: ir.Class, row: int) -> str:
        return f"{self.sets[index].name}:{self.sets[index].views[cls.name].table.ids[row]}"

    def _object_pointer(self, index: int, cls: ir.Class, row: int) -> str:
        table = self.sets[index].views[cls.name].table
        return self.sets[index].dataset.object_pointer(int(table.image_index[row]), int(table.position[row]))

    def _add(self, first, second, image: int, check: str, objects, labelers, message, loc, rank: int,
             pointer: str | None = None) -> None:
        labels = self.sets[first]
        image_id = self.images.compared[image]
        row = labels.image_position[image_id]
        pointer = labels.dataset.images.pointers[row] if pointer is None else pointer
        finding = new_finding(check=check, kind="agreement", severity="warning", image=image_id, objects=tuple(objects),
                          message=message, source=labels.dataset.images.sources[row], pointer=pointer,
                          spec_location=str(loc) if loc else f"{self.spec.source}:1:1", labelers=tuple(labelers))
        self.findings.append(((image, first, second, rank, objects), finding))

    # ---- the summary
    def report(self) -> AgreeReport:
        findings = [f for _, f in sorted(self.findings, key=lambda item: item[0])]
        schema = [f for labels in self.sets for f in labels.schema_findings()]
        objects = sum(len(side) for sides in self.sides for _, side in sides.values())
        return AgreeReport(tuple(s.name for s in self.sets), len(self.images.compared), self.images.skipped,
                           objects, schema + findings, self._class_summary(), self._attribute_summary())

    def _class_summary(self) -> dict[str, dict]:
        out = {}
        for cls in self.spec.classes:
            tally = self.tallies[cls.name]
            entry = {"matched": tally.matched, "unmatched": {s.name: tally.unmatched.get(s.name, 0) for s in self.sets}}
            if cls.match is not None:
                key = "mean_iou" if cls.match.score == "iou" else "mean_distance"
                entry[key] = float(np.mean(tally.scores)) if tally.scores else None
            entry["f1"] = 2 * tally.matched / tally.objects if tally.objects else None
            out[cls.name] = entry
        return out

    def _attribute_summary(self) -> dict[str, dict]:
        out = {}
        for key in self._attribute_keys():
            pairs = self.values.get(key, [])
            first, second = [p[0] for p in pairs], [p[1] for p in pairs]
            entry = {"pairs": len(pairs), "agreement": observed_agreement(first, second)}
            if len(self.sets) == 2:
                entry["kappa"] = cohen_kappa(first, second)
            else:
                entry["alpha"] = krippendorff_alpha(self._units(key, pairs))
            out[key] = entry
        return out

    def _attribute_keys(self) -> list[str]:
        keys = [f"{c.name}.{a.name}" for c in self.spec.classes for a in c.attributes]
        return keys + [f"image.{a.name}" for a in self.spec.image_attributes]

    def _units(self, key: str, pairs: list[tuple]) -> list[list]:
        """Alpha's units: every matched pair of objects; for image attributes every image with all its values."""
        if not key.startswith("image."):
            return [list(p) for p in pairs]
        name = key.split(".", 1)[1]
        attribute = self.spec.image_attribute(name)
        units = []
        for image in self.images.compared:
            unit = [self._image_values(k, attribute)[s.image_position[image]]
                    for k, s in enumerate(self.sets) if image in s.image_position]
            units.append(unit)
        return units


def _restrict(side: Side, shared: np.ndarray) -> Side:
    keep = shared[side.image] if len(side) else np.zeros(0, bool)
    return Side(side.image[keep], side.cls[keep], side.row[keep], side.bounds[keep], side.geometry[keep])


def _show(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
