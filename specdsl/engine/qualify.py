"""The probability that a predicted object (or image) satisfies a quota's ``where`` (ENGINE.md).

Attributes are taken as independent: ``==`` reads the distribution, ``in {...}`` sums, ``!=`` and
``not`` take the complement, ``and`` multiplies, ``or`` is ``a + b - a*b``. A value the line does not
predict reads as missing, as in the checker: ``==`` and ``in`` are 0, ``!=`` is 1. A part of the
condition that reads no predicted attribute (area, length, image size, counts ...) is evaluated on the
predicted geometry with the checker's own evaluator, as 0 or 1.
"""

from __future__ import annotations

import numpy as np

from specdsl import ir
from specdsl.engine.predictions import PREDICTABLE_KINDS, Distribution, Predictions, attribute_values
from specdsl.validate.evaluate import EvalContext, truth
from specdsl.validate.uses import nodes
from specdsl.validate.view import ClassView


class QualifyError(ValueError):
    """A condition that cannot be read as a probability."""


class Qualify:
    """Probabilities of conditions over the objects (of one class) or the images of some predictions."""

    def __init__(self, spec: ir.Spec, predictions: Predictions):
        self.spec, self.predictions = spec, predictions
        self.context = EvalContext(predictions.dataset, predictions.views, attribute_values(predictions, spec))

    # ---- the two populations
    def objects(self, cls: ir.Class, where: ir.Expr | None) -> np.ndarray:
        """Per predicted object: P(class is ``cls``) * P(``where`` holds for it as a ``cls``)."""
        objects = self.predictions.objects
        p_class = objects.classes.column(cls.name)
        if where is None:
            return p_class
        return p_class * self._probability(where, _ObjectScope(self, cls))

    def images(self, where: ir.Expr | None) -> np.ndarray:
        n = len(self.predictions.image_ids)
        if where is None:
            return np.ones(n)
        return self._probability(where, _ImageScope(self))

    # ---- the recursion
    def _probability(self, expr: ir.Expr, scope) -> np.ndarray:
        if not self._reads_prediction(expr, scope):
            return scope.certain(expr).astype(float)
        if isinstance(expr, ir.EAnd):
            return np.prod([self._probability(o, scope) for o in expr.operands], axis=0)
        if isinstance(expr, ir.EOr):
            out = np.zeros(scope.rows)
            for operand in expr.operands:
                p = self._probability(operand, scope)
                out = out + p - out * p
            return out
        if isinstance(expr, ir.ENot):
            return 1.0 - self._probability(expr.operand, scope)
        if isinstance(expr, ir.EIn):
            distribution = scope.distribution(expr.operand)
            total = sum((_column(distribution, v) for v in set(expr.values)), np.zeros(scope.rows))
            return 1.0 - total if expr.negated else total
        if isinstance(expr, ir.ECompare) and expr.op in ("==", "!="):
            read, value = _attribute_and_constant(expr)
            if read is not None:
                equal = _column(scope.distribution(read), value)
                return equal if expr.op == "==" else 1.0 - equal
        if isinstance(expr, (ir.EAttr, ir.EImage)):  # a bool attribute used as a condition
            return _column(scope.distribution(expr), True)
        raise QualifyError(f"cannot turn `{_describe(expr)}` into a probability: predicted attributes may be "
                           "compared with == or != to a value, tested with in { }, and combined with and, or, not")

    def _reads_prediction(self, expr: ir.Expr, scope) -> bool:
        return any(scope.predicted(n) for n in nodes(expr))


class _ObjectScope:
    def __init__(self, owner: Qualify, cls: ir.Class):
        self.owner, self.cls = owner, cls
        self.rows = len(owner.predictions.objects)

    def predicted(self, node) -> bool:
        if isinstance(node, ir.EAttr) and node.var is None:
            attribute = self.cls.attribute(node.name)
            return attribute is not None and attribute.type.kind in PREDICTABLE_KINDS
        return _predicted_image_attribute(self.owner.spec, node)

    def distribution(self, node) -> Distribution:
        predictions = self.owner.predictions
        if isinstance(node, ir.EImage):
            return _rows(predictions.image_attributes[node.name], predictions.objects.image)
        return predictions.objects.attributes[(self.cls.name, node.name)]

    def certain(self, expr: ir.Expr) -> np.ndarray:
        """The condition on each object's predicted geometry, read as if the object were a ``cls``."""
        predictions, out = self.owner.predictions, np.zeros(self.rows, bool)
        for other in self.owner.spec.classes:
            if other.geometry != self.cls.geometry:
                continue  # a geometry of another kind cannot be a cls
            table = predictions.dataset.tables.get(other.name)
            if table is None:
                continue
            view = ClassView(self.cls, table, predictions.dataset)
            out[predictions.objects_of(other.name)] = truth(expr, self.owner.context.object_env(view))
        return out


class _ImageScope:
    def __init__(self, owner: Qualify):
        self.owner = owner
        self.rows = len(owner.predictions.image_ids)

    def predicted(self, node) -> bool:
        return _predicted_image_attribute(self.owner.spec, node)

    def distribution(self, node) -> Distribution:
        return self.owner.predictions.image_attributes[node.name]

    def certain(self, expr: ir.Expr) -> np.ndarray:
        return truth(expr, self.owner.context.image_env())


def _predicted_image_attribute(spec: ir.Spec, node) -> bool:
    if not (isinstance(node, ir.EImage) and node.is_attribute):
        return False
    attribute = spec.image_attribute(node.name)
    return attribute is not None and attribute.type.kind in PREDICTABLE_KINDS


def _rows(distribution: Distribution, rows: np.ndarray) -> Distribution:
    return Distribution(distribution.values, distribution.probs[rows], distribution.given[rows], distribution.k[rows])


def _column(distribution: Distribution, value) -> np.ndarray:
    return np.where(distribution.given, distribution.column(value), 0.0)


def _attribute_and_constant(expr: ir.ECompare):
    if isinstance(expr.right, ir.EConst) and isinstance(expr.left, (ir.EAttr, ir.EImage)):
        return expr.left, expr.right.value
    if isinstance(expr.left, ir.EConst) and isinstance(expr.right, (ir.EAttr, ir.EImage)):
        return expr.right, expr.left.value
    return None, None


def _describe(expr: ir.Expr) -> str:
    return type(expr).__name__.removeprefix("E").lower()
