"""The priority of a queue item: a pure function of severity, rarity and an optional model score.

    priority = 0.55 * severity_weight + 0.30 * rarity + 0.15 * clamp(score, 0, 1)

``rarity`` is a normalised inverse document frequency over the whole queue: with ``N`` items and ``c``
the number of items sharing this item's rarest key (a reason or a diff target),
``rarity = ln((N + 1) / c) / ln(N + 1)``, 1.0 for a key only this item has, near 0 for one every item
has. A missing score counts as 0, so a model's evidence can only raise an item. docs/queue.md shows the
table; keep the two in step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

SEVERITY_WEIGHT = {
    "breaking": 1.0, "error": 1.0,
    "dangerous": 0.6, "warning": 0.6,
    "migratable": 0.3,
    "safe": 0.1, "info": 0.1,
}
WEIGHTS = {"severity": 0.55, "rarity": 0.30, "score": 0.15}


def worst_severity(severities: Iterable[str]) -> str:
    """The severity with the highest weight; ``info`` when there is none."""
    return max(severities, key=lambda s: SEVERITY_WEIGHT.get(s, 0.0), default="info")


def rarity(key_count: int, total: int) -> float:
    """Normalised IDF of a key held by ``key_count`` of ``total`` items: 1.0 when unique."""
    if total <= 0 or key_count <= 0:
        return 1.0
    return math.log((total + 1) / key_count) / math.log(total + 1)


def priority(severity: str, rarity_value: float, score: float | None = None) -> float:
    """Combine the three parts into [0, 1]; rounded so orders and goldens do not wobble."""
    clamped_score = 0.0 if score is None or math.isnan(score) else min(max(score, 0.0), 1.0)
    value = (WEIGHTS["severity"] * SEVERITY_WEIGHT.get(severity, 0.0)
             + WEIGHTS["rarity"] * min(max(rarity_value, 0.0), 1.0)
             + WEIGHTS["score"] * clamped_score)
    return round(value, 4)


def rarities(keys_per_item: Sequence[Iterable[str]]) -> list[float]:
    """Rarity of every item given the keys of all items in the queue (an item without keys gets 1.0)."""
    key_sets = [set(keys) for keys in keys_per_item]
    counts = Counter(key for keys in key_sets for key in keys)
    total = len(key_sets)
    return [rarity(min((counts[k] for k in keys), default=1), total) for keys in key_sets]
