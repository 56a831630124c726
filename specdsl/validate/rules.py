"""Rules with ``for`` bindings: tuples of distinct objects of one image, built by array joins.

The first binding is a filtered column; each further binding joins the tuples so far
with a class's objects of the same image. When its ``where`` bounds a distance
(``distance(a, b) < d``, ``endpoint_gap(a, b) < d``) or asks ``intersects``, the join
is one grid join over the whole export (see :mod:`specdsl.validate.joins`) instead of
all pairs of the image; the ``where`` then decides exactly on those candidates.
A rule the compiler found symmetric in two variables (``ir.Rule.unordered``) keeps one
binding per unordered pair: the one whose objects are in export order (table row order).
"""

from __future__ import annotations

import numpy as np

from specdsl import ir
from specdsl.validate.evaluate import Env, EvalContext, truth
from specdsl.validate.joins import box_pairs, endpoint_pairs
from specdsl.validate.uses import conjuncts, variables_read
from specdsl.validate.view import ClassView


def rule_failures(rule: ir.Rule, context: EvalContext, usable) -> tuple[Env, np.ndarray]:
    """The environment of all candidate tuples and the mask of those failing ``require``."""
    env = context.image_env() if not rule.bindings else None
    for binding in rule.bindings:
        view = context.views[binding.class_name]
        env = _bind(env, binding, view, usable(binding.var, view), context)
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


def _bind(env: Env | None, binding: ir.Binding, view: ClassView, usable: np.ndarray, context: EvalContext) -> Env:
    candidates = _own_filter(binding, view, np.flatnonzero(usable), context)
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
    """All (tuple row, object) pairs in the same image, without a Python loop."""
    n_images = len(env.context.dataset.images)
    images = view.table.image_index[candidates]
    order = np.argsort(images, kind="stable")
    sorted_objects = candidates[order]
    per_image = np.bincount(images, minlength=n_images)
    starts = np.cumsum(per_image) - per_image
    reps = per_image[env.image_index]
    rows = np.repeat(np.arange(env.rows), reps)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(reps) - reps, reps)
    objects = sorted_objects[np.repeat(starts[env.image_index], reps) + within]
    return rows, objects


def _spatial_join(env: Env, binding: ir.Binding, view: ClassView, candidates: np.ndarray):
    bound = _spatial_bound(binding, env)
    if bound is None:
        return None, None
    other_var, kind, distance = bound
    other_view, other_index = env.variables[other_var]
    join = endpoint_pairs if kind == "endpoints" else box_pairs
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
