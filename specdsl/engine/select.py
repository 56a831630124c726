"""``specc select``: the unlabeled images most worth labeling next (ENGINE.md).

Two steps. Quotas first, in spec order: for a quota the labeled data does not meet (``need > 0``),
images not yet picked are taken in descending order of the probability that they add at least one
qualifying item (``1 - prod(1 - p_i)`` over the image's objects; for an image quota the image's own
probability) until their expected contribution (``sum p_i``) reaches ``need`` or the budget is spent.
An image that cannot add anything (probability 0) is never taken for a quota. Then the rest of the
budget goes to the most uncertain images. Ties break by image id; ``per_group`` caps the picks of one
group (the part of the image id that ``group_by`` matches; an id it does not match is a group of its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from specdsl import ir
from specdsl.engine.labels import LabelSet
from specdsl.engine.predictions import Predictions
from specdsl.engine.qualify import Qualify, QualifyError
from specdsl.engine.quotas import need, qualifying, share_form
from specdsl.engine.uncertainty import image_scores


@dataclass(frozen=True)
class Pick:
    image: str
    score: float  # the image's uncertainty under the strategy
    reason: str  # "uncertainty" or "quota:NAME"
    probability: float | None = None  # quota picks: P(the image adds at least one qualifying item)
    expected: float | None = None  # quota picks: the expected number of qualifying items it adds

    def to_dict(self) -> dict:
        out = {"image": self.image, "score": self.score, "reason": self.reason}
        if self.probability is not None:
            out["probability"] = self.probability
            out["expected"] = self.expected
        return out


@dataclass
class QuotaPlan:
    name: str
    need: int | None  # None: adding items cannot meet it (an upper bound), or not a share quota
    picked: int = 0
    expected: float = 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "need": self.need, "picked": self.picked, "expected": self.expected}


@dataclass
class Selection:
    strategy: str
    budget: int
    candidates: int  # predicted images not labeled yet
    labeled_skipped: int  # predicted images already in the labels
    picks: list[Pick] = field(default_factory=list)
    quotas: list[QuotaPlan] = field(default_factory=list)

    def summary(self) -> dict:
        reasons: dict[str, int] = {}
        for pick in self.picks:
            reasons[pick.reason] = reasons.get(pick.reason, 0) + 1
        return {"strategy": self.strategy, "budget": self.budget, "candidates": self.candidates,
                "labeled_skipped": self.labeled_skipped, "selected": len(self.picks), "reasons": reasons,
                "quotas": [q.to_dict() for q in self.quotas]}

    def to_dict(self) -> dict:
        return {"selected": [p.to_dict() for p in self.picks], "summary": self.summary()}


@dataclass(frozen=True)
class Grouping:
    per_group: int
    pattern: re.Pattern

    def group(self, image: str) -> str:
        found = self.pattern.search(image)
        if found is None:
            return "\0" + image  # unmatched ids are groups of their own
        return found.group(1) if self.pattern.groups else found.group(0)


def select(spec: ir.Spec, predictions: Predictions, budget: int, strategy: str = "entropy",
           labels: list[LabelSet] = (), grouping: Grouping | None = None) -> Selection:
    labeled = {image for labels_ in labels for image in labels_.image_position}
    ids = predictions.image_ids
    candidate = np.array([image not in labeled for image in ids], dtype=bool)
    scores = image_scores(predictions, strategy)
    run = _Run(ids, scores, candidate, budget, grouping)
    selection = Selection(strategy, budget, int(candidate.sum()), int((~candidate).sum()))
    qualify = Qualify(spec, predictions)
    for quota in spec.quotas:
        plan = _plan(quota, labels, spec)
        selection.quotas.append(plan)
        if plan.need:
            try:
                probabilities = _quota_probabilities(quota, spec, predictions, qualify)
            except QualifyError as exc:
                raise QualifyError(f"quota {quota.name} ({quota.loc}): {exc}") from None
            run.fill_quota(quota.name, plan, *probabilities)
    run.fill_uncertainty()
    selection.picks = run.picks
    return selection


def _plan(quota: ir.Quota, labels: list[LabelSet], spec: ir.Spec) -> QuotaPlan:
    form = share_form(quota)
    if form is None:
        return QuotaPlan(quota.name, None)
    q = n = 0
    for labels_ in labels:
        q_one, n_one = qualifying(form.share, labels_.checker.context)
        q, n = q + q_one, n + n_one
    return QuotaPlan(quota.name, need(form.op, form.target, q, n))


def _quota_probabilities(quota: ir.Quota, spec: ir.Spec, predictions: Predictions,
                         qualify: Qualify) -> tuple[np.ndarray, np.ndarray]:
    """Per image: P(it adds at least one qualifying item) and the expected number it adds."""
    share = share_form(quota).share
    n_images = len(predictions.image_ids)
    if share.class_name is None:
        p = qualify.images(share.where)
        return p, p
    p = np.clip(qualify.objects(spec.cls(share.class_name), share.where), 0.0, 1.0)
    image = predictions.objects.image
    expected = np.bincount(image, weights=p, minlength=n_images)
    with np.errstate(divide="ignore"):
        log_none = np.bincount(image, weights=np.log1p(-np.minimum(p, 1.0 - 1e-300)), minlength=n_images)
    none = np.exp(log_none)
    none[np.bincount(image, weights=(p >= 1.0), minlength=n_images) > 0] = 0.0
    return 1.0 - none, expected


class _Run:
    def __init__(self, ids: list[str], scores: np.ndarray, candidate: np.ndarray, budget: int,
                 grouping: Grouping | None):
        self.ids, self.scores, self.budget, self.grouping = ids, scores, budget, grouping
        self.open = candidate.copy()  # candidates not picked yet
        self.picks: list[Pick] = []
        self.group_counts: dict[str, int] = {}
        self.by_id = np.argsort(np.asarray(ids, dtype=object), kind="stable") if ids else np.zeros(0, np.int64)

    def left(self) -> int:
        return self.budget - len(self.picks)

    def fill_quota(self, name: str, plan: QuotaPlan, probability: np.ndarray, expected: np.ndarray) -> None:
        for row in self._order(probability):
            if plan.expected >= plan.need or self.left() <= 0 or probability[row] <= 0:
                break
            if self._take(row, f"quota:{name}", float(probability[row]), float(expected[row])):
                plan.picked += 1
                plan.expected += float(expected[row])

    def fill_uncertainty(self) -> None:
        for row in self._order(self.scores):
            if self.left() <= 0:
                break
            self._take(row, "uncertainty")

    def _order(self, key: np.ndarray) -> list[int]:
        """Open images by descending key, ties by image id."""
        rank_by_id = np.empty(len(self.ids), np.int64)
        rank_by_id[self.by_id] = np.arange(len(self.ids))
        rows = np.flatnonzero(self.open)
        order = np.lexsort((rank_by_id[rows], -key[rows]))
        return rows[order].tolist()

    def _take(self, row: int, reason: str, probability: float | None = None, expected: float | None = None) -> bool:
        if not self.open[row]:
            return False
        image = self.ids[row]
        if self.grouping is not None:
            group = self.grouping.group(image)
            if self.group_counts.get(group, 0) >= self.grouping.per_group:
                return False
            self.group_counts[group] = self.group_counts.get(group, 0) + 1
        self.open[row] = False
        self.picks.append(Pick(image, float(self.scores[row]), reason, probability, expected))
        return True
