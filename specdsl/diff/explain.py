"""``specc explain CHANGE_ID``: the registry row of one change ID, as text."""

from __future__ import annotations

from specdsl.diff.changes import KINDS


def explain_change(change_id: str) -> str | None:
    kind = KINDS.get(change_id.upper())
    if kind is None:
        return None
    action = kind.action or "none (no label is touched)"
    return (f"{kind.id}: {kind.summary}\n\n"
            f"severity: {kind.variants or kind.severity}\n"
            f"action on labels: {action}\n\n"
            f"{kind.doc}\n")
