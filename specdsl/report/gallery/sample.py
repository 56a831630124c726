"""Which findings get a figure: at most ``max_figures`` in all, shared fairly between groups, evenly spread.

Sampling is a pure function of the findings and the limit, so the CLI (to know which images'
objects to collect) and the renderer (to know what to draw) compute the same answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def fair_shares(sizes: Sequence[int], budget: int) -> list[int]:
    """How many of each group to draw: equal shares, and what a small group leaves goes to the others.

    Groups are served smallest first, each taking at most an equal part of what is left, so the last
    (biggest) group takes the remainder of the integer division too: all of ``budget`` is used when
    there are that many items.
    """
    shares = [0] * len(sizes)
    remaining = max(budget, 0)
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for served, index in enumerate(order):
        shares[index] = min(sizes[index], remaining // (len(order) - served))
        remaining -= shares[index]
    return shares


def evenly(count: int, take: int) -> list[int]:
    """``take`` indices spread evenly over ``range(count)``, first included (the middle of each stretch)."""
    if take >= count:
        return list(range(count))
    return [(2 * k + 1) * count // (2 * take) for k in range(take)]


def sample(keys: Sequence[Hashable | None], budget: int) -> frozenset[int]:
    """Indices of the items to draw; ``keys[i]`` is the group of item ``i``, None for one that cannot be drawn."""
    groups: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(index)
    members = list(groups.values())
    chosen: set[int] = set()
    for items, share in zip(members, fair_shares([len(m) for m in members], budget)):
        chosen.update(items[k] for k in evenly(len(items), share))
    return frozenset(chosen)
