"""Distribution shift between two data sets (``specc stats --against``), as TFDV reports skew and drift.

Each distribution is a mapping value -> count, normalised to shares. ``linf`` is the L-infinity
distance (the largest change of one value's share); ``js`` the Jensen-Shannon divergence in bits
(0 for equal distributions, 1 for disjoint ones).
"""

from __future__ import annotations

import math


def shares(counts: dict) -> dict:
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def linf(p: dict, q: dict) -> float:
    keys = set(p) | set(q)
    return max((abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys), default=0.0)


def jensen_shannon(p: dict, q: dict) -> float:
    keys = set(p) | set(q)
    total = 0.0
    for k in keys:
        a, b = p.get(k, 0.0), q.get(k, 0.0)
        m = (a + b) / 2
        if a > 0:
            total += 0.5 * a * math.log2(a / m)
        if b > 0:
            total += 0.5 * b * math.log2(b / m)
    return max(total, 0.0)


def shift(new_counts: dict, old_counts: dict) -> dict | None:
    """{"linf", "js"} between two count distributions; None when either side is empty."""
    p, q = shares(new_counts), shares(old_counts)
    if not p or not q:
        return None
    return {"linf": linf(p, q), "js": jensen_shannon(p, q)}


def drift(new: dict, old: dict) -> dict:
    """Shifts of the class shares and of every categorical attribute between two stats records."""
    classes = shift({c: e["objects"] for c, e in new["classes"].items()},
                    {c: e["objects"] for c, e in old["classes"].items()})
    attributes = {}
    for name, entry in new["classes"].items():
        for attribute, counts in entry["attributes"].items():
            old_counts = old["classes"].get(name, {}).get("attributes", {}).get(attribute, {})
            if _categorical(counts) and _categorical(old_counts):
                attributes[f"{name}.{attribute}"] = shift(counts, old_counts)
    for attribute, counts in new["image_attributes"].items():
        old_counts = old["image_attributes"].get(attribute, {})
        if _categorical(counts) and _categorical(old_counts):
            attributes[f"image.{attribute}"] = shift(counts, old_counts)
    return {"classes": classes, "attributes": attributes}


def largest(record: dict) -> float:
    values = [record["classes"]] + list(record["attributes"].values())
    return max((max(v["linf"], v["js"]) for v in values if v), default=0.0)


def _categorical(counts: dict) -> bool:
    """Value counts, not a numbers summary (min, quartiles, max)."""
    return "q1" not in counts
