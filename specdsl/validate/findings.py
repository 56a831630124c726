"""Turning failing rows into :class:`Finding` records (ids, pointers, messages, spec locations)."""

from __future__ import annotations

import numpy as np

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.data.dataset import Dataset
from specdsl.data.records import TextPosition
from specdsl.report.finding import Finding, new_finding
from specdsl.validate.view import ClassView

SCHEMA = CheckId.schema()


class FindingFactory:
    def __init__(self, spec: ir.Spec, dataset: Dataset):
        self.spec = spec
        self.dataset = dataset
        self.header = f"{spec.source}:1:1"

    def _finding(self, check: CheckId, severity, image: int | None, objects, message, pointer, loc,
                 where: TextPosition | None = None) -> Finding:
        """A finding about image number ``image`` (None: the whole export, as quotas are)."""
        images = self.dataset.images
        return new_finding(check=str(check), kind=check.kind, severity=severity,
                       image=None if image is None else images.ids[image], objects=tuple(objects),
                       message=message, source=self.dataset.source if image is None else images.sources[image],
                       pointer=pointer, spec_location=str(loc) if loc else self.header, help="#" + check.anchor,
                       check_id=check, line=where.line if where else None, column=where.column if where else None)

    def _object_place(self, image: int, position: int) -> tuple[str, TextPosition | None]:
        return self.dataset.object_pointer(image, position), self.dataset.object_position(image, position)

    def row_finding(self, check: CheckId, severity, table, row: int, message, loc) -> Finding:
        """A finding about one object, given its table and row."""
        image = int(table.image_index[row])
        pointer, where = self._object_place(image, int(table.position[row]))
        return self._finding(check, severity, image, (table.ids[row],), message, pointer, loc, where)

    def image_finding(self, check: CheckId, severity, image: int, message, loc, pointer=None) -> Finding:
        where = self.dataset.images.positions[image] if pointer is None else None
        pointer = self.dataset.images.pointers[image] if pointer is None else pointer
        return self._finding(check, severity, image, (), message, pointer, loc, where)

    def read_issue(self, issue) -> Finding:
        where = issue.position
        return Finding(check=str(SCHEMA), kind=SCHEMA.kind, severity="error", image=issue.image,
                       objects=tuple(issue.objects), message=issue.message, source=issue.source,
                       pointer=issue.pointer, spec_location=self.header, help="#" + SCHEMA.anchor, check_id=SCHEMA,
                       line=where.line if where else None, column=where.column if where else None)

    def constraint(self, constraint: ir.Constraint, view: ClassView, rows: np.ndarray) -> list[Finding]:
        return [self.row_finding(constraint.check, "error", view.table, int(r), constraint.message, constraint.loc)
                for r in rows]

    def rule(self, rule: ir.Rule, env, failing: np.ndarray) -> list[Finding]:
        rows = np.flatnonzero(failing)
        if not rule.bindings:
            return [self.image_finding(rule.check, rule.severity, int(env.image_index[r]), rule.message, rule.loc)
                    for r in rows]
        findings = []
        bound = [env.variables[b.var] for b in rule.bindings]
        for r in rows:
            ids = [view.table.ids[index[r]] for view, index in bound]
            last_view, last_index = bound[-1]
            image = int(env.image_index[r])
            pointer, where = self._object_place(image, int(last_view.table.position[last_index[r]]))
            findings.append(self._finding(rule.check, rule.severity, image, ids, rule.message, pointer, rule.loc,
                                          where))
        return findings

    def quota(self, quota: ir.Quota) -> Finding:
        return self._finding(quota.check, quota.severity, None, (), quota.message, "", quota.loc)
