"""Rules with ``for`` bindings: tuples of distinct objects of one image, built by array joins.

The first binding is a filtered column; each further binding joins the tuples so far
with a class's objects of the same image. When its ``where`` bounds a distance
(``distance(a, b) < d``, ``endpoint_gap(a, b) < d``) or asks ``intersects``, the join
is one grid join over the whole export (see :mod:`specdsl.validate.joins`) instead of
all pairs of the image; the ``where`` then decides exactly on those candidates.
A rule the compiler found symmetric in two variables (``ir.Rule.unordered``) keeps one
binding per unordered pair: the one whose objects are in export order (table row order).

A rule of two or more bindings is evaluated a group of images at a time, so that one group's
tuples stay under ``PairLimits.chunk`` (by the product of the bindings' object counts per image),
and an image above that is evaluated a slice of its first binding's objects at a time. An image
whose join meets more than ``PairLimits.budget`` candidate pairs (200 000 dashes drawn on top of
one another) is not evaluated at all: it becomes one finding and the rest of the export is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from specdsl import ir
from specdsl.validate.evaluate import Env, EvalContext, truth
from specdsl.validate.joins import box_pairs, endpoint_pairs
from specdsl.validate.uses import conjuncts, variables_read
from specdsl.validate.view import ClassView


@dataclass(frozen=True)
class PairLimits:
    """How much of a rule's join is held at once, and how much one image may ask for."""

    chunk: int = 1_000_000  # tuples (counted as the product of per-image object counts) evaluated at once
    budget: int = 4_000_000  # candidate pairs of one image past which the image is reported, not evaluated


DEFAULT_LIMITS = PairLimits()


@dataclass(frozen=True)
class OverBudget:
    image: int
    pairs: int  # the candidate pairs the image's join would meet


def rule_outcomes(rule: ir.Rule, context: EvalContext, usable,
                  limits: PairLimits = DEFAULT_LIMITS) -> Iterator[tuple[Env, np.ndarray] | OverBudget]:
    """(environment of candidate tuples, mask of those failing ``require``) a group of images at a time,
    and an :class:`OverBudget` for each image too dense to evaluate."""
    pools = [_Pool(binding, context, usable) for binding in rule.bindings]
    if len(pools) < 2:  # no join: the tuples are the objects (or the images) themselves
        yield _failures(rule, context, [pool.index for pool in pools])
        return
    weights = np.prod([pool.per_image(len(context.dataset.images)) for pool in pools], axis=0)
    alone = min(limits.chunk, limits.budget)  # an image worth more is joined on its own, after counting
    for start, stop in _image_groups(weights, limits.chunk, alone):
        if stop - start > 1 or weights[start] <= alone:
            yield _failures(rule, context, [pool.images(start, stop) for pool in pools])
            continue
        pairs = _candidate_pairs(rule, context, pools, start)
        if pairs > limits.budget:
            yield OverBudget(start, pairs)
            continue
        rest = [pool.images(start, start + 1) for pool in pools[1:]]
        step = max(1, int(limits.chunk // max(weights[start] / len(pools[0].images(start, start + 1)), 1)))
        first = pools[0].images(start, start + 1)
        for offset in range(0, len(first), step):
            yield _failures(rule, context, [first[offset:offset + step], *rest])


class _Pool:
    """A binding's candidate objects (its own ``where`` applied), sorted by image for slicing."""

    def __init__(self, binding: ir.Binding, context: EvalContext, usable) -> None:
        self.view = context.views[binding.class_name]
        candidates = _own_filter(binding, self.view, np.flatnonzero(usable(binding.var, self.view)), context)
        images = self.view.table.image_index[candidates]
        order = np.argsort(images, kind="stable")
        self.index, self.image_of = candidates[order], images[order]

    def per_image(self, n_images: int) -> np.ndarray:
        return np.bincount(self.image_of, minlength=n_images).astype(np.float64)

    def images(self, start: int, stop: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.image_of, (start, stop), "left")
        return self.index[lo:hi]


def _image_groups(weights: np.ndarray, chunk: int, alone: int) -> list[tuple[int, int]]:
    """Ranges of images holding tuples, each worth about ``chunk`` tuples at most (at most twice that);
    an image worth more than ``alone`` is a range of its own."""
    busy = np.flatnonzero(weights > 0)
    if len(busy) == 0:
        return []
    w = weights[busy]
    big = w > alone
    group = np.floor(np.cumsum(w) / max(chunk, 1))
    new = np.ones(len(busy), dtype=bool)
    new[1:] = (group[1:] != group[:-1]) | big[1:] | big[:-1]
    starts = np.flatnonzero(new)
    stops = np.append(starts[1:], len(busy))
    return [(int(busy[a]), int(busy[b - 1]) + 1) for a, b in zip(starts, stops, strict=True)]


def _candidate_pairs(rule: ir.Rule, context: EvalContext, pools: list[_Pool], image: int) -> int:
    """The pairs image ``image``'s join would meet: the grid's candidates when the second binding bounds a
    distance, else all pairs; times the objects of any later binding."""
    first, second = (pool.images(image, image + 1) for pool in pools[:2])
    env = Env(len(first), pools[0].view.table.image_index[first], {rule.bindings[0].var: (pools[0].view, first)},
              context)
    pairs = _spatial_join(env, rule.bindings[1], pools[1].view, second, count_only=True)
    if pairs is None:
        pairs = len(first) * len(second)
    for pool in pools[2:]:
        pairs *= len(pool.images(image, image + 1))
    return int(pairs)


def _failures(rule: ir.Rule, context: EvalContext, candidates: list[np.ndarray]) -> tuple[Env, np.ndarray]:
    env = context.image_env() if not rule.bindings else None
    for binding, objects in zip(rule.bindings, candidates, strict=True):
        view = context.views[binding.class_name]
        env = _bind(env, binding, view, objects, context)
        if rule.unordered and binding.var == rule.unordered[1] and env.rows:
            env = _filter(env, _first_in_export_order(env, *rule.unordered))
        if binding.where is not None and env.rows:
            env = _filter(env, truth(binding.where, env))
    if env.rows == 0:
        return env, np.zeros(0, dtype=bool)
    return env, ~truth(rule.require, env)


def _first_in_export_order(env: Env, first: str, second: str) -> np.ndarray:
    """One binding per unordered pair of a symmetric rule: the one whose first object comes first."""
    return env.variables[first][1] < env.variables[second][1]


def _bind(env: Env | None, binding: ir.Binding, view: ClassView, candidates: np.ndarray,
          context: EvalContext) -> Env:
    if env is None:
        return Env(len(candidates), view.table.image_index[candidates], {binding.var: (view, candidates)}, context)
    rows, objects = _spatial_join(env, binding, view, candidates)
    if rows is None:
        rows, objects = _same_image_join(env, view, candidates)
    keep = view.table.image_index[objects] == env.image_index[rows]
    for other, index in env.variables.values():
        if other is view:
            keep &= index[rows] != objects  # tuples of distinct objects
    rows, objects = rows[keep], objects[keep]
    variables = {var: (v, index[rows]) for var, (v, index) in env.variables.items()}
    variables[binding.var] = (view, objects)
    return Env(len(rows), env.image_index[rows], variables, context)


def _own_filter(binding: ir.Binding, view: ClassView, candidates: np.ndarray, context: EvalContext) -> np.ndarray:
    """Apply the conjuncts of ``where`` that read only the new variable before joining: a smaller join."""
    own = [c for c in conjuncts(binding.where) if variables_read(c) <= {binding.var}]
    if not own or len(candidates) == 0:
        return candidates
    env = context.object_env(view, candidates, binding.var)
    return candidates[np.logical_and.reduce([truth(c, env) for c in own])]


def _filter(env: Env, mask: np.ndarray) -> Env:
    variables = {var: (v, index[mask]) for var, (v, index) in env.variables.items()}
    return Env(int(mask.sum()), env.image_index[mask], variables, env.context)


def _same_image_join(env: Env, view: ClassView, candidates: np.ndarray):
    """All (tuple row, object) pairs in the same image, without a Python loop (and without arrays the size of
    the export: a rule is joined a group of images at a time)."""
    images = view.table.image_index[candidates]
    order = np.argsort(images, kind="stable")
    sorted_objects, sorted_images = candidates[order], images[order]
    starts = np.searchsorted(sorted_images, env.image_index, "left")
    reps = np.searchsorted(sorted_images, env.image_index, "right") - starts
    rows = np.repeat(np.arange(env.rows), reps)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(reps) - reps, reps)
    objects = sorted_objects[np.repeat(starts, reps) + within]
    return rows, objects


def _spatial_join(env: Env, binding: ir.Binding, view: ClassView, candidates: np.ndarray, count_only: bool = False):
    """The grid join when ``where`` bounds a distance; (None, None), or None when counting, otherwise."""
    bound = _spatial_bound(binding, env)
    if bound is None:
        return None if count_only else (None, None)
    other_var, kind, distance = bound
    other_view, other_index = env.variables[other_var]
    join = endpoint_pairs if kind == "endpoints" else box_pairs
    if count_only:
        return join(other_view, other_index, view, candidates, distance, count_only=True)
    rows, objects = join(other_view, other_index, view, candidates, distance)
    return rows, candidates[objects]


def _spatial_bound(binding: ir.Binding, env: Env):
    """(other variable, predicate, distance) from a conjunct of ``where`` that limits how far apart the pair is."""
    for c in conjuncts(binding.where):
        found = _bounding_conjunct(c, binding.var, env)
        if found:
            return found
    return None


def _bounding_conjunct(c: ir.Expr, var: str, env: Env):
    if isinstance(c, ir.EPair) and c.func == "intersects":
        other = _other(c, var, env)
        return (other, "boxes", 0.0) if other else None
    if not (isinstance(c, ir.ECompare) and isinstance(c.right, ir.EConst) and c.op in ("<", "<=")):
        return None
    pair = c.left
    if not (isinstance(pair, ir.EPair) and pair.func in ("distance", "endpoint_gap")):
        return None
    other = _other(pair, var, env)
    if other is None or not isinstance(c.right.value, (int, float)) or isinstance(c.right.value, bool):
        return None
    return other, "endpoints" if pair.func == "endpoint_gap" else "boxes", float(c.right.value)


def _other(pair: ir.EPair, var: str, env: Env) -> str | None:
    names = {pair.left, pair.right}
    if var not in names or len(names) != 2:
        return None
    other = (names - {var}).pop()
    return other if other in env.variables else None
