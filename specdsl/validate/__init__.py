"""Check a dataset against a compiled spec: schema, attributes, constraints, rules, quotas.

Each check kind is one function listed in ``CHECKS``, run in that order; each returns
findings. ``run_checks(spec, dataset, checks=...)`` evaluates only the named checks,
which is how the diff re-evaluates exactly one rule of a new version on old labels.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.data.dataset import Dataset
from specdsl.report.finding import Finding
from specdsl.validate.evaluate import EvalContext, truth
from specdsl.validate.findings import FindingFactory
from specdsl.validate.rules import DEFAULT_LIMITS, OverBudget, PairLimits, rule_outcomes
from specdsl.validate.schema import attribute_findings, schema_findings
from specdsl.validate.uses import reads_geometry, uses
from specdsl.validate.view import AttributeValues, ClassView

__all__ = ["run_checks", "check_example", "Checker"]


class Checker:
    """One spec against one dataset."""

    def __init__(self, spec: ir.Spec, dataset: Dataset, checks: Iterable[str | CheckId] | None = None,
                 limits: PairLimits = DEFAULT_LIMITS):
        self.spec = spec
        self.limits = limits
        self.dataset = dataset
        self.only = {str(c) for c in checks} if checks is not None else None
        self.views = {c.name: ClassView(c, dataset.tables.get(c.name), dataset) for c in spec.classes}
        n_images = len(dataset.images)
        self.image_attributes = {a.name: AttributeValues(a, dataset.images.attributes.get(a.name), n_images)
                                 for a in spec.image_attributes}
        self.context = EvalContext(dataset, self.views, self.image_attributes)
        self.make = FindingFactory(spec, dataset)

    def wanted(self, check: CheckId) -> bool:
        return self.only is None or str(check) in self.only

    def run(self) -> list[Finding]:
        findings: list[Finding] = []
        for check in CHECKS:
            findings += check(self)
        return findings

    def run_per_image(self) -> list[Finding]:
        """Every check that looks at images one at a time: all but quotas (a chunk of an export)."""
        findings: list[Finding] = []
        for check in PER_IMAGE_CHECKS:
            findings += check(self)
        return findings

    def usable(self, expr: ir.Expr | None, var: str | None, view: ClassView) -> np.ndarray:
        """Objects whose parts that ``expr`` reads are sound (broken ones are reported elsewhere, not here)."""
        needs_geometry = expr is not None and reads_geometry(expr, var)
        ok = view.geometry_ok.copy() if needs_geometry else ~view.table.broken
        if expr is not None:
            for name in uses(expr, var):
                if name in view.attributes:
                    ok &= view.attribute_ok(name)
        return ok


def _schema(checker: Checker) -> list[Finding]:
    if not checker.wanted(CheckId.schema()):
        return []
    return schema_findings(checker.spec, checker.dataset, checker.views, checker.make)


def _attributes(checker: Checker) -> list[Finding]:
    return attribute_findings(checker, checker.make)


def _constraints(checker: Checker) -> list[Finding]:
    findings = []
    for view in checker.views.values():
        for constraint in view.cls.constraints:
            if not checker.wanted(constraint.check):
                continue
            rows = np.flatnonzero(checker.usable(constraint.expr, None, view))
            env = checker.context.object_env(view, rows)
            failing = rows[~truth(constraint.expr, env)] if len(rows) else rows
            findings += checker.make.constraint(constraint, view, failing)
    return findings


def _rules(checker: Checker) -> list[Finding]:
    findings = []
    for rule in checker.spec.rules:
        if not checker.wanted(rule.check):
            continue
        exprs = [b.where for b in rule.bindings] + [rule.require]

        def usable(var, view, exprs=exprs):
            return np.logical_and.reduce([checker.usable(e, var, view) for e in exprs])

        for outcome in rule_outcomes(rule, checker.context, usable, checker.limits):
            if isinstance(outcome, OverBudget):
                findings.append(_over_budget(checker, rule, outcome))
            else:
                findings += checker.make.rule(rule, *outcome)
    return findings


def _over_budget(checker: Checker, rule: ir.Rule, over: OverBudget) -> Finding:
    """An image too dense for a pair rule: a schema error (the data, not the rule, is at fault)."""
    message = (f"rule '{rule.name}' was not checked on this image: its objects make {over.pairs:,} candidate "
               f"pairs, over the budget of {checker.limits.budget:,} per image")
    return checker.make.image_finding(CheckId.schema(), "error", over.image, message, rule.loc)


def _quotas(checker: Checker) -> list[Finding]:
    findings = []
    for quota in checker.spec.quotas:
        if not checker.wanted(quota.check):
            continue
        if not truth(quota.expr, checker.context.export_env())[0]:
            findings.append(checker.make.quota(quota))
    return findings


PER_IMAGE_CHECKS = (_schema, _attributes, _constraints, _rules)
CHECKS = (*PER_IMAGE_CHECKS, _quotas)


def run_checks(spec: ir.Spec, dataset: Dataset, checks: Iterable[str | CheckId] | None = None,
               limits: PairLimits = DEFAULT_LIMITS) -> list[Finding]:
    return Checker(spec, dataset, checks, limits).run()


def check_example(spec: ir.Spec, example: ir.Example) -> list[Finding]:
    """Findings of one ``example`` block (quotas are not evaluated on examples)."""
    from specdsl.data.build import build_dataset
    from specdsl.data.records import ImageRecord

    record = ImageRecord(example.image, f"example:{example.title}", "")
    dataset = build_dataset([record], source=f"example:{example.title}")
    findings = Checker(spec, dataset).run()
    return [f for f in findings if f.kind != "quota"]
