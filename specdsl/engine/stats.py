"""``specc stats``: what the data holds, in the spec's own terms (ENGINE.md).

Per class the objects and the images holding one, every attribute's distribution (values after
defaults; ``null`` for a missing optional one; numbers as min, quartiles and max), the image
attributes, every quota with its share, target and ``need``, slices (``--by``) and drift against older
data (``--against``). Several exports count as one data set: each is tallied on its own (one pass over
its columns) and the tallies add up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from specdsl import ir
from specdsl.engine.labels import LabelSet
from specdsl.engine.quotas import need, qualifying, share_form
from specdsl.validate.evaluate import truth

NUMBER_KINDS = ("int", "float")


class StatsError(ValueError):
    """A ``--by`` that names nothing of the spec."""


@dataclass(frozen=True)
class SliceBy:
    """``--by image.ATTR`` or ``--by CLASS.ATTR``."""

    owner: str  # "image" or a class name
    attribute: str

    @classmethod
    def parse(cls, text: str, spec: ir.Spec) -> SliceBy:
        owner, _, attribute = text.partition(".")
        declared = spec.image_attribute(attribute) if owner == "image" else (
            spec.cls(owner).attribute(attribute) if spec.cls(owner) else None)
        if not attribute or declared is None:
            raise StatsError(f"--by {text}: not an attribute of the spec (write image.ATTR or CLASS.ATTR)")
        return cls(owner, attribute)

    def __str__(self) -> str:
        return f"{self.owner}.{self.attribute}"


@dataclass
class Tally:
    """Counts of one slice of the data, added up over exports."""

    images: int = 0
    objects: int = 0
    class_objects: Counter = field(default_factory=Counter)
    class_images: Counter = field(default_factory=Counter)
    values: dict = field(default_factory=lambda: defaultdict(Counter))  # (owner, attr) -> Counter
    numbers: dict = field(default_factory=lambda: defaultdict(list))  # (class, attr) -> arrays
    quota_counts: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # name -> [q, N]
    quota_met: dict = field(default_factory=dict)  # name -> bool (whole data only: the checker's verdict)


@dataclass
class _Selection:
    """Which images and objects of one export a slice holds."""

    images: np.ndarray  # bool per image row
    classes: dict[str, np.ndarray]  # class -> bool per object row


def tally_export(spec: ir.Spec, labels: LabelSet, slices: list[SliceBy]) -> dict[str, Tally]:
    """The whole-data tally (key "") and one tally per slice value (key "image.weather=wet") of one export."""
    everything = _Selection(np.ones(len(labels.dataset.images), bool),
                            {c.name: np.ones(labels.views[c.name].n, bool) for c in spec.classes})
    out = {"": _tally(spec, labels, everything, whole=True)}
    for by in slices:
        for value, selection in _slice_selections(spec, labels, by):
            out[f"{by}={value_name(value)}"] = _tally(spec, labels, selection)
    return out


def _slice_selections(spec: ir.Spec, labels: LabelSet, by: SliceBy):
    if by.owner == "image":
        for value, images in _value_masks(labels.image_attributes[by.attribute].effective):
            yield value, _Selection(images, {c.name: images[labels.views[c.name].table.image_index]
                                             for c in spec.classes})
        return
    view = labels.views[by.owner]
    for value, rows in _value_masks(view.attributes[by.attribute].effective):
        images = np.zeros(len(labels.dataset.images), bool)
        images[view.table.image_index[rows]] = True
        yield value, _Selection(images, {by.owner: rows})


def _tally(spec: ir.Spec, labels: LabelSet, selection: _Selection, whole: bool = False) -> Tally:
    tally = Tally(images=int(selection.images.sum()))
    for cls in spec.classes:
        rows = selection.classes.get(cls.name)
        if rows is None:
            continue
        view = labels.views[cls.name]
        tally.class_objects[cls.name] += int(rows.sum())
        tally.class_images[cls.name] += len(np.unique(view.table.image_index[rows]))
        for attribute in cls.attributes:
            _count_values(tally, (cls.name, attribute), view.attributes[attribute.name].effective, rows)
    tally.objects = _objects(labels, selection, whole)
    for attribute in spec.image_attributes:
        _count_values(tally, ("image", attribute), labels.image_attributes[attribute.name].effective,
                      selection.images)
    _quotas(spec, labels, selection, tally, whole)
    return tally


def _objects(labels: LabelSet, selection: _Selection, whole: bool) -> int:
    if whole:
        return labels.dataset.n_objects  # objects of unknown classes count too: they are in the data
    return int(sum(rows.sum() for rows in selection.classes.values()))


def _count_values(tally: Tally, key: tuple, effective, rows: np.ndarray) -> None:
    """Add the values of the selected rows: one bincount over the codes, not a loop over objects."""
    owner, attribute = key
    codes = effective.codes[rows]
    counts = np.bincount(codes + 1, minlength=len(effective.categories) + 1)  # slot 0: missing
    counter = tally.values[(owner, attribute.name)]
    if counts[0]:
        counter[None] += int(counts[0])
    if attribute.type.kind in NUMBER_KINDS:
        numbers = np.array([_as_number(c) for c in effective.categories] + [np.nan], dtype=float)
        present = numbers[codes]
        tally.numbers[(owner, attribute.name)].append(present[~np.isnan(present)])
        return
    for category, count in zip(effective.categories, counts[1:].tolist()):
        if count:
            counter[_hashable(category)] += count


def _as_number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else np.nan


def _quotas(spec: ir.Spec, labels: LabelSet, selection: _Selection, tally: Tally, whole: bool) -> None:
    context = labels.checker.context
    for quota in spec.quotas:
        form = share_form(quota)
        if form is not None:
            population = form.share.class_name
            rows = selection.images if population is None else selection.classes.get(population)
            if rows is not None:
                q, n = qualifying(form.share, context, np.flatnonzero(rows))
                tally.quota_counts[quota.name][0] += q
                tally.quota_counts[quota.name][1] += n
        if whole:
            tally.quota_met[quota.name] = bool(truth(quota.expr, context.export_env())[0])


# ---- adding up and the JSON record


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.images += t.images
        total.objects += t.objects
        total.class_objects.update(t.class_objects)
        total.class_images.update(t.class_images)
        for key, counter in t.values.items():
            total.values[key].update(counter)
        for key, arrays in t.numbers.items():
            total.numbers[key].extend(arrays)
        for name, (q, n) in t.quota_counts.items():
            total.quota_counts[name][0] += q
            total.quota_counts[name][1] += n
        total.quota_met.update({k: total.quota_met.get(k, True) and v for k, v in t.quota_met.items()})
    return total


def record(spec: ir.Spec, tally: Tally, single_export: bool) -> dict:
    """The ENGINE.md record of one tally: images, objects, classes, image_attributes, quotas."""
    classes = {}
    for cls in spec.classes:
        if cls.name not in tally.class_objects and not any(k[0] == cls.name for k in tally.values):
            continue
        classes[cls.name] = {"objects": tally.class_objects[cls.name], "images": tally.class_images[cls.name],
                             "attributes": {a.name: _distribution(tally, cls.name, a) for a in cls.attributes}}
    return {"images": tally.images, "objects": tally.objects, "classes": classes,
            "image_attributes": {a.name: _distribution(tally, "image", a) for a in spec.image_attributes},
            "quotas": [_quota_record(q, tally, single_export) for q in spec.quotas]}


def _distribution(tally: Tally, owner: str, attribute: ir.Attribute) -> dict:
    counter = tally.values.get((owner, attribute.name), Counter())
    if attribute.type.kind in NUMBER_KINDS:
        arrays = tally.numbers.get((owner, attribute.name), [])
        values = np.concatenate(arrays) if arrays else np.zeros(0)
        out = _quartiles(values)
        if counter.get(None):
            out["null"] = counter[None]
        return out
    ordered = _value_order(attribute, counter)
    return {value_name(v): counter[v] for v in ordered}


def _quartiles(values: np.ndarray) -> dict:
    if not len(values):
        return {"min": None, "q1": None, "median": None, "q3": None, "max": None}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"min": _number(values.min()), "q1": float(q1), "median": float(median), "q3": float(q3),
            "max": _number(values.max())}


def _number(value) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _value_order(attribute: ir.Attribute, counter: Counter) -> list:
    """Declared values first (enum order, then false/true), then anything else seen, then null."""
    declared: list = list(attribute.type.values) if attribute.type.kind == "enum" else (
        [False, True] if attribute.type.kind == "bool" else [])
    seen = sorted((v for v in counter if v not in declared and v is not None), key=value_name)
    return [v for v in declared if v in counter] + seen + ([None] if None in counter else [])


def _quota_record(quota: ir.Quota, tally: Tally, single_export: bool) -> dict:
    form = share_form(quota)
    q, n = tally.quota_counts.get(quota.name, (0, 0))
    share = q / n if n else None
    if not single_export or quota.name not in tally.quota_met:
        met = _met_from_counts(form, share)
    else:
        met = tally.quota_met[quota.name]
    out = {"name": quota.name, "share": share if form else None, "target": form.target if form else None,
           "met": met}
    out["need"] = (0 if met else need(form.op, form.target, q, n)) if form else None
    return out


def _met_from_counts(form, share) -> bool | None:
    if form is None or share is None:
        return None if form is None else False
    import operator

    ops = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
           "!=": operator.ne}
    return bool(ops[form.op](share, form.target))


def value_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _hashable(value):
    return value if not isinstance(value, (list, dict)) else repr(value)


def _value_masks(effective):
    """(value, rows holding it) for every value present, missing last as None, in name order."""
    masks: dict = {}
    for code in np.unique(effective.codes).tolist():
        value = None if code < 0 else _hashable(effective.categories[code])
        mask = effective.codes == code
        masks[value] = masks[value] | mask if value in masks else mask
    for value in sorted(masks, key=lambda v: (v is None, value_name(v))):
        yield value, masks[value]
