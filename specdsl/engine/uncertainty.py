"""How unsure a model is, per distribution and per image (ENGINE.md ``specc select``).

``entropy`` is the normalised Shannon entropy ``H / log k``; ``margin`` is ``1 - (p1 - p2)``;
``least-confidence`` is ``1 - p1``; k is the number of values the distribution names, and a
distribution over a single value scores 0. An image scores the largest score of its distributions
(its objects' classes and attributes, its own attributes), 0 without any.
"""

from __future__ import annotations

import numpy as np

from specdsl.engine.predictions import Distribution, Predictions

STRATEGIES = ("entropy", "margin", "least-confidence")


def distribution_scores(distribution: Distribution, strategy: str) -> np.ndarray:
    """The score of every row (0 where the row's line gave no such distribution)."""
    p = distribution.probs
    k = distribution.k
    if strategy == "entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
            score = terms.sum(axis=1) / np.log(np.maximum(k, 2))
    else:
        ordered = -np.sort(-p, axis=1) if p.shape[1] else np.zeros((len(p), 2))
        first = ordered[:, 0] if ordered.shape[1] else np.zeros(len(p))
        second = ordered[:, 1] if ordered.shape[1] > 1 else np.zeros(len(p))
        score = 1.0 - (first - second) if strategy == "margin" else 1.0 - first
    score = np.clip(score, 0.0, 1.0)
    return np.where(distribution.given & (k > 1), score, 0.0)


def image_scores(predictions: Predictions, strategy: str) -> np.ndarray:
    """Per image (in ``predictions.image_ids`` order): the largest score of its distributions."""
    scores = np.zeros(len(predictions.image_ids))
    objects = predictions.objects
    for distribution in (objects.classes, *objects.attributes.values()):
        if len(objects):
            np.maximum.at(scores, objects.image, distribution_scores(distribution, strategy))
    for distribution in predictions.image_attributes.values():
        np.maximum(scores, distribution_scores(distribution, strategy), out=scores)
    return scores
