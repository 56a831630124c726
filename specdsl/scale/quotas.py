"""Quotas over chunks: each ``share(...)`` term becomes a pair of counters summed across chunks.

``share(C where X)`` is the fraction of C's objects (of images, without a class) for which X holds.
A chunk reports, per term, how many qualify and how many there are; the merged fraction is then
``qualifying / population`` (NaN for none, as one-process ``mean`` of nothing), and each quota's
expression, which may combine shares with and/or and comparisons, is evaluated once on the merged
fractions. Integer sums make this exact whatever the chunking.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import numpy as np

from specdsl import ir


def share_terms(spec: ir.Spec) -> list[ir.EShare]:
    """Every share() term of the spec's quotas, in a fixed order (quota, then depth-first)."""
    return [term for quota in spec.quotas for term in _shares(quota.expr)]


def _shares(expr) -> Iterator[ir.EShare]:
    if isinstance(expr, ir.EShare):
        yield expr
        return
    if not dataclasses.is_dataclass(expr):
        return
    for field in dataclasses.fields(expr):
        value = getattr(expr, field.name)
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, ir.Expr):
                yield from _shares(item)


def count_shares(checker, terms: list[ir.EShare]) -> np.ndarray:
    """(qualifying, population) per term over the checker's dataset, as int64 rows."""
    from specdsl.validate.evaluate import truth

    counts = np.zeros((len(terms), 2), dtype=np.int64)
    context = checker.context
    for k, term in enumerate(terms):
        if term.class_name is None:
            env = context.image_env()
            n = env.rows
        else:
            view = context.views[term.class_name]
            env, n = context.object_env(view), view.n
        mask = truth(term.where, env) if term.where is not None else np.ones(n, bool)
        counts[k] = (int(np.count_nonzero(mask)), mask.size)
    return counts


def failing_quotas(spec: ir.Spec, terms: list[ir.EShare], counts: np.ndarray) -> list[ir.Quota]:
    """The quotas whose expression is false on the merged shares, in the spec's order."""
    from specdsl.validate.evaluate import EvalContext, truth

    shares = {id(term): (float(q / n) if n else math.nan) for term, (q, n) in zip(terms, counts.tolist())}
    context = EvalContext(None, {}, {}, shares=shares)
    return [quota for quota in spec.quotas if not truth(quota.expr, context.export_env())[0]]
