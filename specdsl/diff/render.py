"""The diff as data (the JSON record of docs CLI.md) and as text for people; the CLI prints them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import orjson

from specdsl import ir
from specdsl.diff.impact import ACTIONS, ChangeCount, Impact
from specdsl.diff.model import SEVERITIES, Change

IMAGES_SHOWN = 10  # per group in text output; --format json lists every one


def diff_document(old: ir.Spec, new: ir.Spec, changes: Sequence[Change], impact: Impact | None) -> dict:
    """``{"from", "to", "changes", "impact", "summary"}``; without labels the impact is empty."""
    listed = _with_impact_changes(changes, impact)
    summary = impact.summary() if impact else {"images": 0, "images_affected": 0, "objects_affected": 0}
    return {"from": {"spec": old.name, "version": old.version}, "to": {"spec": new.name, "version": new.version},
            "changes": [c.to_dict() for c in listed],
            "impact": [i.to_dict() for i in impact.items] if impact else [],
            "summary": summary}


def _with_impact_changes(changes: Sequence[Change], impact: Impact | None) -> list[Change]:
    """The changes between the two versions, plus older ones that reached labels made before OLD."""
    seen = {c.key for c in changes}
    extra = [c for c in (impact.changes if impact else ()) if c.key not in seen]
    return sorted([*changes, *extra], key=Change.sort_key)


def render_json(document: dict) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def render_text(old: ir.Spec, new: ir.Spec, changes: Sequence[Change], impact: Impact | None) -> str:
    lines = [_headline(old, new, changes)]
    for severity in SEVERITIES:
        group = [c for c in changes if c.severity == severity]
        if group:
            lines += ["", f"{severity} ({len(group)})"]
            lines += [line for c in group for line in _change_lines(c, impact)]
    if impact is not None:
        lines += ["", *_impact_lines(impact)]
    return "\n".join(lines) + "\n"


def _headline(old: ir.Spec, new: ir.Spec, changes: Sequence[Change]) -> str:
    counts = Counter(c.severity for c in changes)
    parts = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
    name = old.name if old.name == new.name else f"{old.name} -> {new.name}"
    total = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    return f"{name} version {old.version} -> {new.version}: {total}" + (f" ({parts})" if parts else "")


def _change_lines(change: Change, impact: Impact | None) -> list[str]:
    where = "  ".join(f"{label} {loc}" for label, loc in (("old", change.old), ("new", change.new)) if loc)
    lines = [f"  {change.id:<24} {change.target}", f"      {change.message}"]
    if impact is not None:
        lines.append(f"      affects {_reach(impact.count(change))}")
    return lines + ([f"      {where}"] if where else [])


def _reach(count: ChangeCount) -> str:
    if not count.objects and not count.images:
        return "no labels"
    if not count.objects:
        return _plural(count.images, "image")
    return f"{_plural(count.objects, 'object')} in {_plural(count.images, 'image')}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _impact_lines(impact: Impact) -> list[str]:
    headline = (f"impact: {impact.images_affected} of {impact.images} images, "
                f"{impact.objects_affected} objects affected")
    lines = [headline]
    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for item in impact.items:
        groups.setdefault((item.action, item.changes), []).append(item)
    for (action, reasons), items in sorted(groups.items(), key=lambda g: (ACTIONS.index(g[0][0]), g[0][1])):
        n_objects = sum(len(i.objects) for i in items)
        what = f"{len(items)} images" if action == "review" or not n_objects else \
            f"{n_objects} objects in {len(items)} images"
        lines.append(f"  {action:<8} {what}  ({', '.join(reasons)})")
        lines += [f"      {i.image}" + (f": {', '.join(i.objects)}" if i.objects else "") for i in items[:IMAGES_SHOWN]]
        if len(items) > IMAGES_SHOWN:
            lines.append(f"      ... and {len(items) - IMAGES_SHOWN} more images (--format json lists all)")
    return lines
