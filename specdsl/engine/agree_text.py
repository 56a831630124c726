"""The text summary of ``specc agree``: per class matches and f1, per attribute agreement."""

from __future__ import annotations

from specdsl.engine.tables import render_tables, table


def summary_tables(report) -> str:
    labelers = list(report.labelers)
    class_rows = []
    for name, entry in report.classes.items():
        score = entry.get("mean_iou", entry.get("mean_distance"))
        class_rows.append([name, entry["matched"], *(entry["unmatched"][n] for n in labelers), score, entry["f1"]])
    statistic = "kappa" if len(labelers) == 2 else "alpha"
    attribute_rows = [[key, e["pairs"], e["agreement"], e.get(statistic)] for key, e in report.attributes.items()]
    head = f"{report.images} images compared by {', '.join(labelers)}; {report.skipped} held by one labeler only\n"
    return head + render_tables([
        table("Objects", ["class", "matched", *(f"unmatched {n}" for n in labelers), "mean score", "f1"], class_rows),
        table("Attributes", ["attribute", "pairs", "agreement", statistic], attribute_rows),
    ])
