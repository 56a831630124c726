"""One ``specc stats`` run: tally every export, add up, attach drift."""

from __future__ import annotations

from specdsl import ir
from specdsl.engine.drift import drift
from specdsl.engine.labels import LabelSet
from specdsl.engine.stats import SliceBy, Tally, merge, record, tally_export


def stats(spec: ir.Spec, sets: list[LabelSet], slices: list[SliceBy], old: list[LabelSet] | None = None) -> dict:
    out = _record(spec, sets, slices)
    if old:
        out["drift"] = drift(out, _record(spec, old, []))
    return out


def _record(spec: ir.Spec, sets: list[LabelSet], slices: list[SliceBy]) -> dict:
    per_key: dict[str, list[Tally]] = {}
    for labels in sets:
        for key, tally in tally_export(spec, labels, slices).items():
            per_key.setdefault(key, []).append(tally)
    single = len(sets) == 1
    out = record(spec, merge(per_key.pop("")), single)
    out["slices"] = {key: record(spec, merge(tallies), False) for key, tallies in sorted(per_key.items())}
    return out
