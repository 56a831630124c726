"""``specc stats --format text``: the stats record as plain tables."""

from __future__ import annotations

from specdsl.engine.tables import render_tables, table


def render_stats_text(record: dict) -> str:
    parts = [f"{record['images']} images, {record['objects']} objects\n", render_tables(_tables(record))]
    for name, entry in record["slices"].items():
        parts.append(f"\nslice {name}: {entry['images']} images, {entry['objects']} objects\n")
        parts.append(render_tables(_tables(entry, quotas=False)))
    if "drift" in record:
        parts.append(render_tables([_drift_table(record["drift"])]))
    return "".join(parts)


def _tables(record: dict, quotas: bool = True) -> list:
    out = [table("Classes", ["class", "objects", "images"],
                 [[name, e["objects"], e["images"]] for name, e in record["classes"].items()])]
    rows = []
    for name, entry in record["classes"].items():
        for attribute, counts in entry["attributes"].items():
            rows.append([f"{name}.{attribute}", _counts(counts)])
    for attribute, counts in record["image_attributes"].items():
        rows.append([f"image.{attribute}", _counts(counts)])
    if rows:
        out.append(table("Attributes", ["attribute", "values"], rows))
    if quotas and record["quotas"]:
        out.append(table("Quotas", ["quota", "share", "target", "met", "need"],
                         [[q["name"], q["share"], q["target"], _yes(q["met"]), q["need"]] for q in record["quotas"]]))
    return out


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {_short(v)}" for k, v in counts.items())


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _yes(value) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def _drift_table(drift: dict):
    rows = [["class shares", *(_pair(drift["classes"]))]]
    rows += [[key, *_pair(value)] for key, value in drift["attributes"].items()]
    return table("Drift against the older data", ["distribution", "L-infinity", "Jensen-Shannon"], rows)


def _pair(value) -> list:
    return [None, None] if value is None else [value["linf"], value["js"]]
