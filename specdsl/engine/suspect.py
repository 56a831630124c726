"""``specc suspect``: labels a model doubts, by confident learning (ENGINE.md; Northcutt et al. 2021).

Per labeled image that has a prediction line, labeled and predicted objects are paired per geometry:
candidates pass the labeled class's ``match``, and the pairing is the one-to-one assignment of
``specc agree`` (:mod:`specdsl.engine.pairing`). Thresholds are per-class (and per attribute value)
means of the predicted probability over the matched objects labeled with that class (value); a
threshold with nothing behind it is 1 (reaching one allows 1e-9 of rounding). Then a few array
comparisons give the findings:
``CLASS.suspect_class``, ``CLASS.suspect_ATTR``, ``CLASS.suspect_missing`` and ``CLASS.suspect_spurious``,
sorted by ``score`` (the label's quality; lower is more suspect).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from specdsl import ir
from specdsl.engine.labels import LabelSet
from specdsl.engine.pairing import (
    Pairs,
    Side,
    alone,
    assign,
    build_side,
    candidate_pairs,
    load_solver,
    match_columns,
    pair,
    passes,
    score,
)
from specdsl.engine.polylines import certainly_within
from specdsl.engine.predictions import PREDICTABLE_KINDS, Predictions
from specdsl.report.finding import Finding, new_finding

# Below this many labeled objects of one geometry, forking a second process to pair half the images costs
# more than it saves.
SPLIT_OBJECTS = 50_000
# A probability at its threshold counts as reaching it even when the threshold, a mean of equal
# probabilities, came out one rounding step above them.
TOLERANCE = 1e-9


class SuspectError(ValueError):
    """Labels and predictions that cannot be compared."""


@dataclass
class Matched:
    """The matched (labeled, predicted) objects of one export, and the unmatched of either side."""

    labels: LabelSet
    label_class: np.ndarray  # index into spec.classes
    label_row: np.ndarray  # row in that class's view
    prediction: np.ndarray  # row of predictions.objects
    spurious_class: np.ndarray  # labeled objects without a match
    spurious_row: np.ndarray
    missing: np.ndarray  # predicted objects (rows of predictions.objects) without a match
    images: int  # labeled images with a prediction line
    unpredicted: int  # labeled images without one


@dataclass
class SuspectReport:
    images: int
    unpredicted: int
    objects: int  # labeled objects compared
    predicted: int  # predicted objects on the compared images
    matched: int
    class_thresholds: dict[str, float]
    value_thresholds: dict[str, dict[str, float]]
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict:
        counts: dict[str, int] = {}
        for finding in self.findings:
            kind = finding.check.rsplit(".", 1)[1]
            key = "suspect_attribute" if kind not in ("suspect_class", "suspect_missing", "suspect_spurious") else kind
            counts[key] = counts.get(key, 0) + 1
        return {"images": self.images, "unpredicted": self.unpredicted, "objects": self.objects,
                "predicted": self.predicted, "matched": self.matched, "suspects": counts,
                "thresholds": {"classes": self.class_thresholds, "values": self.value_thresholds}}


def suspect(spec: ir.Spec, sets: list[LabelSet], predictions: Predictions, jobs: int = 1) -> SuspectReport:
    """``jobs``: processes pairing the objects of a large export (2 at most); the report is the same."""
    for labels in sets:
        if labels.spec_name is not None and labels.spec_name != spec.name:
            raise SuspectError(f"{labels.dataset.source} is an export of spec '{labels.spec_name}', "
                               f"not '{spec.name}'")
    matched = [_match(spec, labels, predictions, jobs) for labels in sets]
    return _Judge(spec, predictions, matched).report()


# ---- pairing ----------------------------------------------------------------------------------------


def _match(spec: ir.Spec, labels: LabelSet, predictions: Predictions, jobs: int) -> Matched:
    row_of = predictions.image_row
    ids = labels.dataset.images.ids
    label_key = np.array([row_of.get(image, -1) for image in ids], dtype=np.int64)
    first = np.zeros(len(ids), bool)
    first[list(labels.image_position.values())] = True
    held = np.zeros(len(predictions.image_ids), bool)
    held[label_key[first & (label_key >= 0)]] = True
    sides = [_sides(spec, labels, predictions, classes, geometry, label_key, held)
             for geometry in ir.GEOMETRIES if (classes := [c for c in spec.classes if c.geometry == geometry])]
    parts: dict[str, list] = {k: [] for k in ("lc", "lr", "p", "sc", "sr", "m")}
    for side, pairs in zip(sides, _pair_all(sides, jobs)):
        side.collect(pairs, parts)
    cat = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()}
    compared = int((first & (label_key >= 0)).sum())
    return Matched(labels, cat["lc"], cat["lr"], cat["p"], cat["sc"], cat["sr"], cat["m"], compared,
                   int(first.sum()) - compared)


def _sides(spec, labels: LabelSet, predictions: Predictions, classes: list[ir.Class], geometry: str,
           label_key: np.ndarray, held: np.ndarray) -> _Sides:
    """The labeled and predicted objects of ``classes`` (all of ``geometry``) on the labeled images that
    have a prediction line."""
    label_views = [labels.views[c.name] for c in classes]
    rows, keys = [], []
    for view in label_views:
        usable = labels.usable_rows(view)
        key = label_key[view.table.image_index[usable]]
        rows.append(usable[key >= 0])
        keys.append(key[key >= 0])
    predicted_views = [predictions.views[c.name] for c in classes]
    p_rows, p_keys = [], []
    for view in predicted_views:
        key = view.table.image_index
        on_labeled = np.flatnonzero(held[key]) if len(key) else np.zeros(0, np.int64)
        p_rows.append(on_labeled)
        p_keys.append(key[on_labeled])
    spec_index = np.array([spec.classes.index(c) for c in classes], dtype=np.int64)
    object_rows = [predictions.objects_of(c.name) for c in classes]
    return _Sides(label_views, rows, keys, predicted_views, p_rows, p_keys, classes, geometry, spec_index,
                  object_rows)


def _pair_all(sides: list[_Sides], jobs: int) -> list[Pairs]:
    """The pairs of each side. Images pair independently (candidates, scores and the assignment never cross
    an image), so the large sides are split in two halves of their images: one forked process pairs the
    later halves of all of them while this one pairs the earlier halves and the small sides."""
    middles = [side.middle() if jobs >= 2 else None for side in sides]
    split = [k for k, middle in enumerate(middles) if middle is not None]
    if not split:
        return [side.on(None) for side in sides]
    from specdsl.engine.forked import in_child

    load_solver()  # in this process, for both

    def later_halves() -> list[Pairs]:
        return [sides[k].on(lambda key, m=middles[k]: key > m) for k in split]

    child = in_child(later_halves)
    here = [side.on(None if middle is None else lambda key, m=middle: key <= m) for side, middle in zip(sides, middles)]
    later = child.result() if child is not None else None
    if later is None:  # the child failed for another reason than the data: pair its halves here
        later = later_halves()
    for k, pairs in zip(split, later):
        earlier = here[k]
        order = np.argsort(np.concatenate([earlier.a, pairs.a]), kind="stable")
        here[k] = Pairs(*(np.concatenate([getattr(earlier, f), getattr(pairs, f)])[order] for f in ("a", "b")), None)
    return here


def _flat(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(class number, view row) of each object of a side, in the order :func:`build_side` lays them out."""
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (np.concatenate([np.full(len(r), k, np.int64) for k, r in enumerate(rows)]),
            np.concatenate(rows).astype(np.int64))


class _Sides:
    """The labeled and predicted objects of one geometry, paired on some of their images (pairs are in the
    order of one pairing of everything, by labeled object)."""

    def __init__(self, label_views, rows, keys, predicted_views, p_rows, p_keys, classes, geometry, spec_index,
                 object_rows):
        self.label_views, self.rows, self.keys = label_views, rows, keys
        self.predicted_views, self.p_rows, self.p_keys = predicted_views, p_rows, p_keys
        self.classes, self.geometry = classes, geometry
        self.spec_index, self.object_rows = spec_index, object_rows  # spec class numbers; prediction rows per class

    def middle(self) -> int | None:
        """The image key that splits the labeled objects in halves; None when the side is not worth splitting."""
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, np.int64)
        if self.geometry == "tag" or len(keys) < SPLIT_OBJECTS:
            return None
        return int(np.median(keys))

    def collect(self, pairs: Pairs, parts: dict) -> None:
        """The matched and unmatched objects of either side, in spec class numbers and prediction rows."""
        a_cls, a_row = _flat(self.rows)
        b_cls, b_row = _flat(self.p_rows)
        matched_a, matched_b = np.zeros(len(a_row), bool), np.zeros(len(b_row), bool)
        matched_a[pairs.a], matched_b[pairs.b] = True, True
        b_global = (np.concatenate(self.object_rows)[_starts(self.object_rows)[b_cls] + b_row] if len(b_row)
                    else np.zeros(0, np.int64))
        parts["lc"].append(self.spec_index[a_cls[pairs.a]])
        parts["lr"].append(a_row[pairs.a])
        parts["p"].append(b_global[pairs.b] if len(b_global) else np.zeros(0, np.int64))
        parts["sc"].append(self.spec_index[a_cls[~matched_a]])
        parts["sr"].append(a_row[~matched_a])
        parts["m"].append(b_global[~matched_b] if len(b_global) else np.zeros(0, np.int64))

    def on(self, keep) -> Pairs:
        """The pairs of the images whose key ``keep`` accepts (all with None), as indices into whole sides."""
        a_masks = [np.ones(len(k), bool) if keep is None else keep(k) for k in self.keys]
        b_masks = [np.ones(len(k), bool) if keep is None else keep(k) for k in self.p_keys]
        a = build_side(self.label_views, [r[m] for r, m in zip(self.rows, a_masks)],
                       [k[m] for k, m in zip(self.keys, a_masks)], self.geometry)
        b = build_side(self.predicted_views, [r[m] for r, m in zip(self.p_rows, b_masks)],
                       [k[m] for k, m in zip(self.p_keys, b_masks)], self.geometry)
        if self.geometry == "tag":
            pairs = pair(a, b, [None] * len(self.classes), "tag")
        else:
            pairs = _pair_by_label(a, b, self.classes, self.geometry)
        if keep is None:
            return Pairs(pairs.a, pairs.b, None)
        a_global, b_global = _global(a_masks), _global(b_masks)
        return Pairs(a_global[pairs.a], b_global[pairs.b], None)


def _global(masks: list[np.ndarray]) -> np.ndarray:
    """Index in the whole side of each object a subset of it keeps."""
    parts = [start + np.flatnonzero(m) for start, m in zip(_starts(masks), masks)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _starts(parts: list[np.ndarray]) -> np.ndarray:
    """Where each of ``parts`` begins when they are laid end to end."""
    return np.concatenate([[0], np.cumsum([len(p) for p in parts])[:-1]]).astype(np.int64)


def _pair_by_label(a: Side, b: Side, classes: list[ir.Class], geometry: str) -> Pairs:
    """Candidates pass the labeled class's ``match``; one maximum-weight one-to-one assignment per image. The
    pairs carry no score: nothing in the report needs it, so a candidate whose pass is settled without
    measuring it is not measured (:func:`_settled`)."""
    matches = [c.match for c in classes]
    reach = max((m.threshold for m in matches if m.score != "iou"), default=0.0)
    ia, ib = candidate_pairs(a, b, reach)
    names, kinds, similarity, thresholds = match_columns(matches, a.cls[ia])
    settled = _settled(a, b, ia, ib, names, kinds, thresholds, geometry)
    values = np.zeros(len(ia))
    for code, kind in enumerate(names):
        use = (kinds == code) & ~settled
        values[use] = score(kind, geometry, a.geometry[ia[use]], b.geometry[ib[use]])
    ok = settled | passes(similarity, values, thresholds)
    ia, ib, values, similarity = ia[ok], ib[ok], values[ok], similarity[ok]
    chosen = assign(a.image[ia], ia, ib, np.where(similarity, values, -values))
    return Pairs(ia[chosen], ib[chosen], None)


def _settled(a: Side, b: Side, ia: np.ndarray, ib: np.ndarray, names: list[str], kinds: np.ndarray,
             thresholds: np.ndarray, geometry: str) -> np.ndarray:
    """Candidates paired whatever their score, found without measuring it: the only candidate of both their
    objects (the assignment takes it if it passes), with a Hausdorff distance certainly within the threshold."""
    settled = np.zeros(len(ia), bool)
    if geometry != "polyline" or "hausdorff" not in names:
        return settled
    maybe = np.flatnonzero(alone(ia, ib) & (kinds == names.index("hausdorff")))
    settled[maybe] = certainly_within(a.geometry[ia[maybe]], b.geometry[ib[maybe]], thresholds[maybe])
    return settled


# ---- thresholds and findings ----------------------------------------------------------------------------


class _Judge:
    def __init__(self, spec: ir.Spec, predictions: Predictions, matched: list[Matched]):
        self.spec, self.predictions, self.matched = spec, predictions, matched
        self.found: list[Finding] = []
        self.adders: dict[tuple, _Adder] = {}
        self.labeled: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        label_class = np.concatenate([m.label_class for m in matched]) if matched else np.zeros(0, np.int64)
        prediction = np.concatenate([m.prediction for m in matched]) if matched else np.zeros(0, np.int64)
        self.class_t = self._class_thresholds(label_class, prediction)
        self.value_t = self._value_thresholds()

    def _class_thresholds(self, label_class: np.ndarray, prediction: np.ndarray) -> np.ndarray:
        probs = self.predictions.objects.classes.probs
        thresholds = np.ones(len(self.spec.classes))
        for c in range(len(self.spec.classes)):
            rows = prediction[label_class == c]
            if len(rows):
                thresholds[c] = probs[rows, c].mean()
        return thresholds

    def _value_thresholds(self) -> dict[tuple[str, str], np.ndarray]:
        out = {}
        for cls, attribute in self._predictable():
            distribution = self.predictions.objects.attributes[(cls.name, attribute.name)]
            columns, probabilities = [np.zeros(0, np.int64)], [np.zeros(0)]
            for m in self.matched:
                labeled, rows, _ = self._labeled_values(m, cls, attribute, distribution)
                columns.append(labeled)
                probabilities.append(distribution.probs[rows, labeled])
            # one bincount over every export adds in their order, as a running sum does
            labeled = np.concatenate(columns)
            sums = np.bincount(labeled, np.concatenate(probabilities), len(distribution.values))
            counts = np.bincount(labeled, minlength=len(distribution.values)).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[(cls.name, attribute.name)] = np.where(counts > 0, sums / np.maximum(counts, 1), 1.0)
        return out

    def _predictable(self):
        for cls in self.spec.classes:
            for attribute in cls.attributes:
                if attribute.type.kind in PREDICTABLE_KINDS:
                    yield cls, attribute

    def _labeled_values(self, m: Matched, cls: ir.Class, attribute: ir.Attribute, distribution):
        """(column of the labeled value, prediction row, index into ``m``'s pairs) of the matched pairs
        labeled ``cls`` whose prediction gives this attribute's distribution and whose label has a value
        (made once: the thresholds and the findings both need them)."""
        key = (id(m), cls.name, attribute.name)
        if key not in self.labeled:
            self.labeled[key] = self._find_labeled_values(m, cls, attribute, distribution)
        return self.labeled[key]

    def _find_labeled_values(self, m: Matched, cls: ir.Class, attribute: ir.Attribute, distribution):
        c = self.spec.classes.index(cls)
        mine = np.flatnonzero(m.label_class == c)
        effective = m.labels.views[cls.name].attributes[attribute.name].effective
        column = {v: j for j, v in enumerate(distribution.values)}
        # one lookup per distinct value; the last slot is the missing value (code -1)
        lookup = np.array([_column_of(column, v) for v in effective.categories] + [-1], dtype=np.int64)
        labeled = lookup[effective.codes[m.label_row[mine]]]
        prediction = m.prediction[mine]
        keep = (labeled >= 0) & distribution.given[prediction]
        return labeled[keep], prediction[keep], mine[keep]

    # ---- findings
    def report(self) -> SuspectReport:
        from specdsl.data.readers.native import gc_paused

        with gc_paused():  # many small findings, no cycles among them: collections would only walk them
            for m in self.matched:
                self._class_findings(m)
                self._attribute_findings(m)
                self._missing(m)
                self._spurious(m)
            findings = sorted(self.found, key=lambda f: (f.score, f.source, f.image or "", f.check, f.objects,
                                                         -1 if f.prediction is None else f.prediction))
        images = sum(m.images for m in self.matched)
        predicted = sum(len(m.prediction) + len(m.missing) for m in self.matched)
        objects = sum(len(m.label_row) + len(m.spurious_row) for m in self.matched)
        classes = {c.name: float(t) for c, t in zip(self.spec.classes, self.class_t)}
        values = {f"{c}.{a}": {_name(v): float(t) for v, t in zip(
            self.predictions.objects.attributes[(c, a)].values, ts)} for (c, a), ts in self.value_t.items()}
        return SuspectReport(images, sum(m.unpredicted for m in self.matched), objects, predicted,
                             sum(len(m.prediction) for m in self.matched), classes, values, findings)

    def _class_findings(self, m: Matched) -> None:
        probs = self.predictions.objects.classes.probs[m.prediction]
        own, other, p_other = _rivals(probs, m.label_class, self.class_t)
        flagged = np.flatnonzero(other >= 0)
        names = [c.name for c in self.spec.classes]
        label_class = m.label_class[flagged]
        for c in np.unique(label_class).tolist():
            mine = flagged[label_class == c]
            cls = self.spec.classes[c]
            add = self._adder(m, cls, f"{cls.name}.suspect_class", cls.loc)
            rows, scores = m.label_row[mine].tolist(), own[mine].tolist()
            add.many(rows, scores, [
                f"{cls.name} {add.ids[row]}: the model says {names[says]} ({p_says:.3f}, threshold {t_says:.3f}), "
                f"{cls.name} only {p_own:.3f}"
                for row, says, p_says, t_says, p_own in zip(rows, other[mine].tolist(), p_other[mine].tolist(),
                                                            self.class_t[other[mine]].tolist(), scores)])

    def _attribute_findings(self, m: Matched) -> None:
        for cls, attribute in self._predictable():
            distribution = self.predictions.objects.attributes[(cls.name, attribute.name)]
            labeled, rows, kept = self._labeled_values(m, cls, attribute, distribution)
            if not len(rows):
                continue
            thresholds = self.value_t[(cls.name, attribute.name)]
            own, other, p_other = _rivals(distribution.probs[rows], labeled, thresholds)
            flagged = np.flatnonzero(other >= 0)
            names = [_name(v) for v in distribution.values]
            add = self._adder(m, cls, f"{cls.name}.suspect_{attribute.name}", attribute.loc or cls.loc)
            rows, scores = m.label_row[kept[flagged]].tolist(), own[flagged].tolist()
            what, ids, says = f"{cls.name}.{attribute.name}", add.ids, other[flagged]
            add.many(rows, scores, [
                f"{what} of {ids[row]} is {names[said]}; the model says {names[says]} ({p_says:.3f}, threshold "
                f"{t_says:.3f}), {names[said]} only {p_own:.3f}"
                for row, said, says, p_says, t_says, p_own in zip(
                    rows, labeled[flagged].tolist(), says.tolist(), p_other[flagged].tolist(),
                    thresholds[says].tolist(), scores)])

    def _missing(self, m: Matched) -> None:
        objects = self.predictions.objects
        top = objects.top_class[m.missing]
        p = objects.classes.probs[m.missing, top] if len(m.missing) else np.zeros(0)
        for k in np.flatnonzero(p >= self.class_t[top] - TOLERANCE).tolist():
            row, cls = int(m.missing[k]), self.spec.classes[int(top[k])]
            image_id = self.predictions.image_ids[int(objects.image[row])]
            index = int(objects.index[row])
            labels = m.labels
            image_row = labels.image_position[image_id]
            message = (f"the model sees a {cls.name} ({p[k]:.3f}, threshold {self.class_t[top[k]]:.3f}) that no label "
                       f"matches: prediction {index} of line {int(objects.line[row])}")
            self.found.append(new_finding(
                check=f"{cls.name}.suspect_missing", kind="suspect", severity="warning", image=image_id, objects=(),
                message=message, source=labels.dataset.images.sources[image_row],
                pointer=labels.dataset.images.pointers[image_row], spec_location=_loc(cls.loc, self.spec),
                score=float(1.0 - p[k]), prediction=index))

    def _spurious(self, m: Matched) -> None:
        for c in np.unique(m.spurious_class).tolist():
            cls = self.spec.classes[c]
            add = self._adder(m, cls, f"{cls.name}.suspect_spurious", cls.loc)
            rows = m.spurious_row[m.spurious_class == c].tolist()
            add.many(rows, [0.0] * len(rows), [f"{cls.name} {add.ids[row]}: no predicted object matches it"
                                               for row in rows])

    def _adder(self, m: Matched, cls: ir.Class, check: str, loc) -> _Adder:
        key = (id(m), cls.name, check)
        adder = self.adders.get(key)
        if adder is None:
            adder = self.adders[key] = _Adder(self.found, m.labels, cls, check, _loc(loc, self.spec))
        return adder


class _Adder:
    """Adds the findings of one check on labeled objects of one class and export."""

    def __init__(self, found: list[Finding], labels: LabelSet, cls: ir.Class, check: str, spec_location: str):
        table = labels.views[cls.name].table
        self.found, self.dataset, self.check, self.spec_location = found, labels.dataset, check, spec_location
        self.ids, self.image_index, self.position = table.ids, table.image_index, table.position

    def many(self, rows: list[int], scores: list[float], messages: list[str]) -> None:
        """One finding per labeled object ``rows[k]``."""
        images = self.image_index[rows].tolist()
        positions = self.position[rows].tolist()
        dataset, check, spec_location, ids = self.dataset, self.check, self.spec_location, self.ids
        image_ids, sources, pointer = dataset.images.ids, dataset.images.sources, dataset.object_pointer
        self.found.extend(new_finding(
            check=check, kind="suspect", severity="warning", image=image_ids[image], objects=(ids[row],),
            message=message, source=sources[image], pointer=pointer(image, position), spec_location=spec_location,
            score=score_) for row, image, position, score_, message in zip(rows, images, positions, scores, messages))


def _rivals(probs: np.ndarray, labeled: np.ndarray, thresholds: np.ndarray):
    """Per row of ``probs`` (objects x values): the labeled value's probability, and the strongest rival's
    column (-1 for none) and probability. A rival is another value that reaches its threshold and is more
    probable than the labeled one; the strongest is the most probable (the first of equals). Folded over
    the few columns: a reduction over a short axis is ten times slower."""
    n = len(probs)
    own = probs[np.arange(n), labeled] if n else np.zeros(0)
    other, p_other = np.full(n, -1, np.int64), np.full(n, -1.0)
    for j in range(probs.shape[1]):
        p = probs[:, j]
        stronger = (p >= thresholds[j] - TOLERANCE) & (p > own) & (p > p_other)
        stronger &= labeled != j
        other[stronger], p_other[stronger] = j, p[stronger]
    return own, other, p_other


def _column_of(column: dict, value) -> int:
    """The distribution column of a labeled value; -1 for anything else (an invalid value may be a list)."""
    try:
        return column.get(value, -1)
    except TypeError:
        return -1


def _loc(loc, spec: ir.Spec) -> str:
    return str(loc) if loc else f"{spec.source}:1:1"


def _name(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
