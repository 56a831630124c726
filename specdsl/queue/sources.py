"""Turn `specc diff` and `specc check` output into queue work (:class:`NewItem` values).

A document is what one input holds once parsed: a diff document (``changes`` + ``impact``), a check
document (``findings``), a single finding (one JSONL line) or a list of findings (a whole JSONL file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from specdsl.queue.item import NewItem
from specdsl.queue.priority import worst_severity


class InputError(ValueError):
    """An input that is neither a diff document nor check output."""


def parse_text(text: str | bytes, name: str = "<input>") -> list[Any]:
    """One JSON document, or JSON lines (then the lines are returned as one list of findings)."""
    try:
        return [orjson.loads(text)]
    except orjson.JSONDecodeError:
        pass
    lines = text.splitlines()
    findings = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            findings.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: neither a JSON document nor JSON lines ({exc})") from exc
    return [findings]


def items_from_documents(documents: Iterable[Any]) -> list[NewItem]:
    items: list[NewItem] = []
    for index, document in enumerate(documents):
        items.extend(items_from_document(document, f"document {index + 1}"))
    return items


def items_from_document(document: Any, name: str = "<input>") -> list[NewItem]:
    if isinstance(document, list):
        return items_from_findings(document, spec=None, version=None, name=name)
    if not isinstance(document, Mapping):
        raise InputError(f"{name}: expected a JSON object or JSON lines, got {type(document).__name__}")
    if "impact" in document and "changes" in document:
        return items_from_diff(document, name)
    if "findings" in document:
        return items_from_findings(document["findings"], spec=document.get("spec"),
                                   version=document.get("version"), name=name)
    if "check" in document and "kind" in document:
        return items_from_findings([document], spec=None, version=None, name=name)
    raise InputError(f"{name}: not a `specc diff --format json` document nor `specc check` json/jsonl output")


def items_from_diff(document: Mapping[str, Any], name: str) -> list[NewItem]:
    """One item per impact entry; its severity is the worst of the changes it names."""
    changes_by_id: dict[str, list[Mapping[str, Any]]] = {}
    for change in _list_field(document, "changes", name):
        changes_by_id.setdefault(str(change.get("id")), []).append(change)
    old, new = document.get("from") or {}, document.get("to") or {}
    items = []
    for entry in _list_field(document, "impact", name):
        reasons = [str(r) for r in entry.get("changes") or ()]
        related = [c for r in reasons for c in changes_by_id.get(r, ())]
        details = {"messages": _unique_strings(c.get("message") for c in related),
                   "targets": _unique_strings(c.get("target") for c in related)}
        items.append(_new_item(name, image=entry.get("image"), action=entry.get("action", "relabel"),
                               objects=entry.get("objects") or (), reasons=reasons,
                               severity=worst_severity(str(c.get("severity")) for c in related) if related
                               else "warning",
                               spec=new.get("spec") or old.get("spec"), from_version=old.get("version"),
                               to_version=new.get("version"), details=details))
    return items


def items_from_findings(findings: Any, spec: str | None, version: int | None, name: str) -> list[NewItem]:
    """Group findings by (image, action): one item per image lists every object and check involved.

    Findings with objects ask for a relabel, image-level ones (no objects) for a review; quota findings
    (``image`` null) concern the whole export and are not queue work.
    """
    if not isinstance(findings, list):
        raise InputError(f"{name}: 'findings' must be a list")
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for finding in findings:
        if not isinstance(finding, Mapping) or "check" not in finding:
            raise InputError(f"{name}: not a finding record: {str(finding)[:80]}")
        if finding.get("image") is None:
            continue
        action = "review" if finding.get("kind") == "suspect" else "relabel" if finding.get("objects") else "review"
        groups.setdefault((str(finding["image"]), action), []).append(finding)
    return [_item_from_group(image, action, group, spec, version, name)
            for (image, action), group in groups.items()]


def _item_from_group(image: str, action: str, group: list[Mapping[str, Any]], spec: str | None,
                     version: int | None, name: str) -> NewItem:
    details = {"messages": _unique_strings(f.get("message") for f in group),
               "sources": _unique_strings(f.get("source") for f in group)}
    return _new_item(name, image=image, action=action,
                     objects=[o for f in group for o in f.get("objects") or ()],
                     reasons=[f["check"] for f in group],
                     severity=worst_severity(str(f.get("severity", "error")) for f in group),
                     spec=spec, to_version=version, details=details, score=_suspicion(group))


def _suspicion(group: list[Mapping[str, Any]]) -> float | None:
    """`specc suspect` findings carry the label's quality (lower: more suspect); the item's score is how
    suspect its most suspect label is, so the model's doubt raises the item."""
    qualities = [f["score"] for f in group if f.get("kind") == "suspect" and isinstance(f.get("score"), (int, float))]
    return 1.0 - min(qualities) if qualities else None


def _new_item(name: str, **fields: Any) -> NewItem:
    try:
        return NewItem(**fields)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: {exc}") from exc


def _list_field(document: Mapping[str, Any], key: str, name: str) -> list[Mapping[str, Any]]:
    value = document.get(key)
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise InputError(f"{name}: '{key}' must be a list of objects")
    return value


def _unique_strings(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values if v))
