"""``schema`` and ``attribute`` findings: records that do not fit the spec's model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from specdsl.check_id import CheckId
from specdsl.data.columns import Categorical
from specdsl.diagnostics import did_you_mean
from specdsl.validate.view import GEOMETRY_KEY, AttributeValues

_SHOWN = 60  # a value longer than this is cut in messages
SCHEMA = CheckId.schema()


def schema_findings(spec, dataset, views, make) -> list:
    findings = [make.read_issue(issue) for issue in dataset.problems]
    for name, table in dataset.tables.items():
        if name not in views:
            findings += _unknown_class(name, table, spec, make, views)
    for view in views.values():
        missing = ~view.geometry_ok & ~view.table.broken
        key = GEOMETRY_KEY.get(view.cls.geometry)
        message = f"{view.cls.name} is a {view.cls.geometry}: '{key}' is missing"
        findings += [make.row_finding(SCHEMA, "error", view.table, int(r), message, view.cls.loc)
                     for r in np.flatnonzero(missing)]
    return findings


def _unknown_class(name, table, spec, make, views) -> list:
    hint = did_you_mean(name, views)
    message = f"unknown class '{name}'" + (f"; {hint}" if hint else "")
    return [make.row_finding(SCHEMA, "error", table, row, message, None) for row in range(len(table))]


def attribute_findings(checker, make) -> list:
    findings = []
    for view in checker.views.values():
        report = _ObjectReporter(make, view)
        for name, values in view.attributes.items():
            findings += _declared(CheckId.attribute(view.cls.name, name), values, report, checker)
        for name, column in view.table.attributes.items():
            if name not in view.attributes:
                findings += _undeclared(view.cls.name, name, column, list(view.attributes), report, checker)
    image_report = _ImageReporter(make)
    for name, values in checker.image_attributes.items():
        findings += _declared(CheckId.attribute("image", name), values, image_report, checker)
    for name, column in checker.dataset.images.attributes.items():
        if name not in checker.image_attributes:
            findings += _undeclared("image", name, column, list(checker.image_attributes), image_report, checker)
    return findings


class _ObjectReporter:
    def __init__(self, make, view):
        self.make, self.view = make, view

    def __call__(self, check, row, message, loc):
        return self.make.row_finding(check, "error", self.view.table, row, message, loc)


class _ImageReporter:
    def __init__(self, make):
        self.make = make

    def __call__(self, check, row, message, loc):
        return self.make.image_finding(check, "error", row, message, loc)


def _declared(check: CheckId, values: AttributeValues, report, checker) -> list:
    if not checker.wanted(check):
        return []
    attr = values.attribute
    doc = f" ({attr.doc})" if attr.doc else ""
    # a missing value is filled in, not redrawn: `specc queue build` reads the action (as `specc diff` says)
    out = [replace(report(check, int(r), f"required attribute '{attr.name}' is missing{doc}", attr.loc),
                   action="fill") for r in np.flatnonzero(values.missing)]
    codes = values.column.codes
    for r in np.flatnonzero(values.invalid):
        problem = values.category_problems[codes[r]]
        out.append(report(check, int(r), f"attribute '{attr.name}': {_short(problem)}{doc}", attr.loc))
    return out


def _undeclared(owner: str, name: str, column: Categorical, declared: list[str], report, checker) -> list:
    check = CheckId.attribute(owner, name)
    if not checker.wanted(check):
        return []
    hint = did_you_mean(name, declared)
    message = f"attribute '{name}' is not declared for {owner}" + (f"; {hint}" if hint else "")
    return [report(check, int(r), message, None) for r in np.flatnonzero(column.present())]


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
