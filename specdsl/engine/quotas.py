"""Quota shortfalls: the current share of a quota, its target and ``need`` (ENGINE.md, ``specc stats``).

``need`` is the smallest number of additional qualifying items (objects or images, as the quota
counts) that meets the quota, assuming every added item qualifies:
``need = ceil((t*N - q) / (1 - t))`` for ``share >= t``, 0 when met. It is computed in exact rational
arithmetic so that a quota met to the last digit never asks for one more item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from specdsl import ir
from specdsl.validate.evaluate import EvalContext, truth

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class ShareQuota:
    """A quota of the form ``share(POPULATION where COND) OP TARGET``."""

    share: ir.EShare
    op: str
    target: float


def share_form(quota: ir.Quota) -> ShareQuota | None:
    expr = quota.expr
    if not isinstance(expr, ir.ECompare):
        return None
    if isinstance(expr.left, ir.EShare) and isinstance(expr.right, ir.EConst):
        return ShareQuota(expr.left, expr.op, float(expr.right.value))
    if isinstance(expr.right, ir.EShare) and isinstance(expr.left, ir.EConst):
        return ShareQuota(expr.right, _FLIP[expr.op], float(expr.left.value))
    return None


def qualifying(share: ir.EShare, context: EvalContext, rows: np.ndarray | None = None) -> tuple[int, int]:
    """(qualifying items q, population N) of one share over the given rows (None: all)."""
    if share.class_name is None:
        env = context.image_env()
    else:
        env = context.object_env(context.views[share.class_name])
    mask = truth(share.where, env) if share.where is not None else np.ones(env.rows, bool)
    if rows is not None:
        mask = mask[rows]
    return int(mask.sum()), int(mask.size)


def need(op: str, target: float, q: int, n: int) -> int | None:
    """Qualifying items to add until ``(q + k) / (n + k) OP target``; None when adding them cannot help."""
    t = Fraction(target).limit_denominator(10**12)
    if _met(op, Fraction(q, n) if n else None, t):
        return 0
    if op not in (">=", ">") or t >= 1:
        return None
    if n == 0:
        return 1  # one qualifying item makes the share 1
    k = math.ceil((t * n - q) / (1 - t))
    if op == ">" and Fraction(q + k, n + k) <= t:
        k += 1
    return max(k, 0)


def _met(op: str, share: Fraction | None, target: Fraction) -> bool:
    if share is None:
        return False
    return {">=": share >= target, ">": share > target, "<=": share <= target, "<": share < target,
            "==": share == target, "!=": share != target}[op]
