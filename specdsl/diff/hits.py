"""Which labels one change touches: one small function per change ID, over the columnar data.

Structural changes read the columns directly (objects of a class, values of an attribute);
constraints, rules and declared ``relabel``/``review`` filters run through the checker's own
compiled evaluator (:mod:`specdsl.validate`), so the impact analysis and ``specc check``
can never disagree about what an expression means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from specdsl import ir
from specdsl.data.columns import Categorical
from specdsl.data.dataset import Dataset, ObjectTable
from specdsl.diff import payloads as p
from specdsl.diff.model import Change
from specdsl.diff.payloads import IMAGE
from specdsl.report.finding import Finding
from specdsl.validate import Checker, run_checks
from specdsl.validate.evaluate import truth
from specdsl.values import value_problem

NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass
class Hits:
    """What one change asks for: an action on objects (rows of a class table) and/or on whole images."""

    action: str
    objects: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (class, object rows)
    images: np.ndarray = field(default_factory=lambda: NO_ROWS)  # image rows

    def __bool__(self) -> bool:
        return bool(len(self.images)) or any(len(rows) for _, rows in self.objects)


@dataclass
class Scope:
    """One group of images labeled under the same version, and the specs to compare them with."""

    dataset: Dataset  # as exported: the old names
    old: ir.Spec
    new: ir.Spec
    images: np.ndarray  # bool per image row: in this group
    changes: list[Change]
    # Findings per (spec, data, check), shared by the groups of one analysis: a check is evaluated once.
    cache: dict = field(default_factory=dict)
    renamed: Dataset = field(init=False)  # the declared renames applied: what the new spec reads

    def __post_init__(self) -> None:
        self.renamed = renamed_dataset(self.dataset, self.changes)

    def table(self, class_name: str) -> ObjectTable | None:
        return self.dataset.tables.get(class_name)

    def objects(self, class_name: str, mask: np.ndarray | None = None) -> list[tuple[str, np.ndarray]]:
        """Objects of a class in this group (those with ``mask`` set, when given)."""
        table = self.table(class_name)
        if table is None:
            return []
        keep = self.images[table.image_index] if mask is None else self.images[table.image_index] & mask
        return [(class_name, np.flatnonzero(keep))]

    def image_rows(self, mask: np.ndarray | None = None) -> np.ndarray:
        return np.flatnonzero(self.images if mask is None else self.images & mask)

    def locate(self, image_row: int, object_id: str) -> tuple[str, int] | None:
        """The (class, row) of an object named by a finding."""
        locator = self.cache.get("locator")
        if locator is None:
            locator = self.cache["locator"] = ObjectLocator(self.dataset)
        return locator.find(image_row, object_id)

    def findings(self, spec: ir.Spec, check: str) -> list[Finding]:
        data = self.renamed if spec is self.new else self.dataset
        key = (id(spec), id(data), check)
        if key not in self.cache:
            self.cache[key] = run_checks(spec, data, {check})
        return self.cache[key]


class ObjectLocator:
    """Finds an object's row from its image row and id, looking only at that image's objects."""

    def __init__(self, dataset: Dataset):
        self.tables = []
        for name, table in dataset.tables.items():
            order = np.argsort(table.image_index, kind="stable")
            self.tables.append((name, table, order, table.image_index[order]))

    def find(self, image_row: int, object_id: str) -> tuple[str, int] | None:
        for name, table, order, sorted_images in self.tables:
            start, end = np.searchsorted(sorted_images, [image_row, image_row + 1])
            for row in order[start:end]:
                if table.ids[row] == object_id:
                    return name, int(row)
        return None


# ---- the renames a new version declares, applied to a view of the data --------------------------------


def renamed_dataset(dataset: Dataset, changes: list[Change]) -> Dataset:
    attrs = [c.payload for c in changes if isinstance(c.payload, p.AttributeRenamed)]
    values = [c.payload for c in changes if isinstance(c.payload, p.EnumValueRenamed)]
    if not attrs and not values:
        return dataset
    moved = {(a.owner, a.old): a.new for a in attrs}
    images = replace(dataset.images, attributes=_renamed(IMAGE, dataset.images.attributes, moved, values))
    tables = {name: replace(t, attributes=_renamed(name, t.attributes, moved, values))
              for name, t in dataset.tables.items()}
    return replace(dataset, images=images, tables=tables)


def _renamed(owner: str, columns: dict[str, Categorical], moved: dict,
             values: list[p.EnumValueRenamed]) -> dict:
    out = {moved.get((owner, name), name): column for name, column in columns.items()}
    for rename in values:
        for use_owner, attribute in rename.uses:
            name = moved.get((owner, attribute), attribute)
            if use_owner == owner and name in out:
                mapping = {rename.old: rename.new}
                out[name] = Categorical(out[name].codes, [mapping.get(v, v) if isinstance(v, str) else v
                                                          for v in out[name].categories])
    return out


# ---- column helpers -----------------------------------------------------------------------------------

Test = Callable[[Categorical | None, int], np.ndarray]


def _attribute_hits(scope: Scope, owner: str, attribute: str, action: str, test: Test) -> Hits:
    """Objects of ``owner`` (images, for image attributes) whose ``attribute`` column passes ``test``."""
    if owner == IMAGE:
        column = scope.dataset.images.attributes.get(attribute)
        image_action = "review" if action == "relabel" else action  # an image has no object to relabel
        return Hits(image_action, images=scope.image_rows(test(column, len(scope.dataset.images))))
    table = scope.table(owner)
    if table is None:
        return Hits(action)
    return Hits(action, objects=scope.objects(owner, test(table.attributes.get(attribute), len(table))))


def _present(column: Categorical | None, n: int) -> np.ndarray:
    return column.present() if column is not None else np.zeros(n, dtype=bool)


def _missing(column: Categorical | None, n: int) -> np.ndarray:
    return ~_present(column, n)


def _equal_to(value: str) -> Test:
    def test(column: Categorical | None, n: int) -> np.ndarray:
        if column is None:
            return np.zeros(n, dtype=bool)
        return column.map_categories(lambda v: isinstance(v, str) and v == value, False)
    return test


def _not_fitting(attr_type: ir.AttrType) -> Test:
    def test(column: Categorical | None, n: int) -> np.ndarray:
        if column is None:
            return np.zeros(n, dtype=bool)
        return column.map_categories(lambda v: value_problem(v, attr_type) is not None, False)
    return test


# ---- one function per change kind (the ``hits`` of its registry row) --------------------------------------

HitList = list[Hits]


def class_added(payload: p.ClassChange, scope: Scope) -> HitList:
    return [Hits("review", images=scope.image_rows())]


def class_removed(payload: p.ClassChange, scope: Scope) -> HitList:
    return [Hits("delete", objects=scope.objects(payload.class_name))]


def class_geometry_changed(payload: p.ClassChange, scope: Scope) -> HitList:
    return [Hits("relabel", objects=scope.objects(payload.class_name))]


def attribute_added(payload: p.AttributeAdded, scope: Scope) -> HitList:
    if payload.default is not None:
        return [_attribute_hits(scope, payload.owner, payload.attribute, "migrate", _missing)]
    if payload.required:
        return [_attribute_hits(scope, payload.owner, payload.attribute, "fill", _missing)]
    return []


def attribute_removed(payload: p.AttributeRemoved, scope: Scope) -> HitList:
    """Every label that carries a value of the removed attribute loses it (``specc migrate``)."""
    return [_attribute_hits(scope, payload.owner, payload.attribute, "migrate", _present)]


def attribute_renamed(payload: p.AttributeRenamed, scope: Scope) -> HitList:
    """Every label that carries a value under the old name is rewritten to the new one."""
    return [_attribute_hits(scope, payload.owner, payload.old, "migrate", _present)]


def attribute_type_changed(payload: p.AttributeTypeChanged, scope: Scope) -> HitList:
    return [_attribute_hits(scope, payload.owner, payload.attribute, "relabel", _not_fitting(payload.new_type))]


def attribute_now_required(payload: p.AttributeRequirement, scope: Scope) -> HitList:
    return [_attribute_hits(scope, payload.owner, payload.attribute, "fill", _missing)]


def default_changed(payload: p.DefaultChanged, scope: Scope) -> HitList:
    if payload.action is None:
        return []
    return [_attribute_hits(scope, payload.owner, payload.attribute, payload.action, _missing)]


def enum_value_added(payload: p.EnumValue, scope: Scope) -> HitList:
    """Review the images holding objects that might deserve the new value, or relabel what a block names."""
    hits = []
    for owner, _attribute in payload.uses:
        if owner == IMAGE:
            hits.append(Hits("review", images=scope.image_rows()))
        elif declared_relabels_of(scope, owner):
            hits.append(Hits("relabel", objects=declared_relabels(scope, owner)))
        else:
            hits.append(Hits("review", images=_images_with(scope, owner)))
    return hits


def _images_with(scope: Scope, class_name: str) -> np.ndarray:
    table = scope.table(class_name)
    if table is None:
        return NO_ROWS
    holding = np.zeros(len(scope.dataset.images), dtype=bool)
    holding[table.image_index] = True
    return scope.image_rows(holding)


def enum_value_removed(payload: p.EnumValue, scope: Scope) -> HitList:
    return [_attribute_hits(scope, owner, attr, "relabel", _equal_to(payload.value)) for owner, attr in payload.uses]


def enum_value_renamed(payload: p.EnumValueRenamed, scope: Scope) -> HitList:
    return [_attribute_hits(scope, owner, attr, "migrate", _equal_to(payload.old)) for owner, attr in payload.uses]


def check_now_failing(payload: p.CheckChange, scope: Scope) -> HitList:
    """Re-evaluate exactly this check: what fails under the new version and did not under the old one."""
    new = scope.findings(scope.new, payload.check)
    old = scope.findings(scope.old, payload.old_check) if payload.old_check is not None else []
    before = {(f.image, f.objects) for f in old}
    index = _image_index(scope)
    objects: dict[str, list[int]] = {}
    reviews: list[int] = []
    for finding in new:
        row = index.get(finding.image) if finding.image is not None else None
        if row is None or not scope.images[row] or (finding.image, finding.objects) in before:
            continue
        if not finding.objects:
            reviews.append(row)
        for found in filter(None, (scope.locate(row, obj) for obj in finding.objects)):
            objects.setdefault(found[0], []).append(found[1])
    relabel = [(name, np.array(rows, dtype=np.int64)) for name, rows in objects.items()]
    return [Hits("relabel", objects=relabel), Hits("review", images=np.array(reviews, dtype=np.int64))]


def _image_index(scope: Scope) -> dict[str, int]:
    index = scope.cache.get("image_index")
    if index is None:
        index = scope.cache["image_index"] = {image: row for row, image in enumerate(scope.dataset.images.ids)}
    return index


def relabel_declared(payload: p.RelabelDeclared, scope: Scope) -> HitList:
    return [Hits("relabel", objects=_matching(scope, payload.class_name, payload.where))]


def declared_relabels_of(scope: Scope, class_name: str) -> list[p.RelabelDeclared]:
    return [c.payload for c in scope.changes
            if isinstance(c.payload, p.RelabelDeclared) and c.payload.class_name == class_name]


def declared_relabels(scope: Scope, class_name: str) -> list[tuple[str, np.ndarray]]:
    return [found for relabel in declared_relabels_of(scope, class_name)
            for found in _matching(scope, class_name, relabel.where)]


def _matching(scope: Scope, class_name: str, where: ir.Expr) -> list[tuple[str, np.ndarray]]:
    """Objects of a class for which a ``where`` of the new version holds, by the checker's evaluator."""
    key = ("where", id(scope.renamed), class_name, id(where))
    if key not in scope.cache:
        checker = Checker(scope.new, scope.renamed, checks=())
        view = checker.views.get(class_name)
        matched = np.zeros(view.n if view is not None else 0, dtype=bool)
        rows = np.flatnonzero(checker.usable(where, None, view)) if view is not None else NO_ROWS
        if len(rows):
            matched[rows[truth(where, checker.context.object_env(view, rows))]] = True
        scope.cache[key] = matched
    return scope.objects(class_name, scope.cache[key]) if len(scope.cache[key]) else []


def review_declared(payload: p.ReviewDeclared, scope: Scope) -> HitList:
    if payload.where is None:
        return [Hits("review", images=scope.image_rows())]
    checker = Checker(scope.new, scope.renamed, checks=())
    return [Hits("review", images=scope.image_rows(truth(payload.where, checker.context.image_env())))]
