"""Turn `specc diff` and `specc check` output into queue work (:class:`NewItem` values).

A document is what one input holds once parsed: a diff document (``changes`` + ``impact``), a check
document (``findings``), a single finding (one JSONL line) or a list of findings (a whole JSONL file).
Each kind is a row of :data:`SOURCES`. Every source makes one item per image (the queue's key), with
per-object reasons and actions (:class:`~specdsl.queue.item.Work`), so that a diff and a check of the
same labels meet in one item even though their spec names and versions are written differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from specdsl.queue.item import NewItem, Work
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


@dataclass(frozen=True, slots=True)
class Source:
    """One kind of input `specc queue build` reads: how to recognise a parsed document, and its items."""

    name: str
    matches: Callable[[Any], bool]
    items: Callable[[Any, str], list[NewItem]]


def items_from_documents(documents: Iterable[Any]) -> list[NewItem]:
    items: list[NewItem] = []
    for index, document in enumerate(documents):
        items.extend(items_from_document(document, f"document {index + 1}"))
    return items


def items_from_document(document: Any, name: str = "<input>") -> list[NewItem]:
    """The items of the first source in :data:`SOURCES` that recognises ``document``."""
    if not isinstance(document, list | Mapping):
        raise InputError(f"{name}: expected a JSON object or JSON lines, got {type(document).__name__}")
    for source in SOURCES:
        if source.matches(document):
            return source.items(document, name)
    raise InputError(f"{name}: not a `specc diff --format json` document nor `specc check` json/jsonl output")


def items_from_diff(document: Mapping[str, Any], name: str) -> list[NewItem]:
    """One item per image: every impact entry of the image, each object with its change IDs and action.
    The severity is the worst of the changes the image's entries name."""
    changes_by_id: dict[str, list[Mapping[str, Any]]] = {}
    for change in _list_field(document, "changes", name):
        changes_by_id.setdefault(str(change.get("id")), []).append(change)
    old, new = document.get("from") or {}, document.get("to") or {}
    by_image: dict[str, list[Mapping[str, Any]]] = {}
    for entry in _list_field(document, "impact", name):
        by_image.setdefault(_image_of(entry, name), []).append(entry)
    items = []
    for image, entries in by_image.items():
        work = Work()
        for entry in entries:
            work = work.merged(_work(name, entry.get("action", "relabel"), entry.get("objects"),
                                     [str(r) for r in entry.get("changes") or ()]))
        related = [c for r in work.reasons for c in changes_by_id.get(r, ())]
        details = {"messages": _unique_strings(c.get("message") for c in related),
                   "targets": _unique_strings(c.get("target") for c in related)}
        items.append(_new_item(name, image=image, work=work,
                               severity=worst_severity(str(c.get("severity")) for c in related) if related
                               else "warning",
                               spec=new.get("spec") or old.get("spec"), from_version=old.get("version"),
                               to_version=new.get("version"), details=details))
    return items


def items_from_findings(findings: Any, spec: str | None, version: int | None, name: str) -> list[NewItem]:
    """One item per image, listing every object and check involved.

    A finding asks for its own ``action`` when it names one (a missing required attribute: ``fill``, as
    `specc diff` asks); otherwise findings with objects ask for a relabel, image-level ones (no objects)
    for a review. Quota findings (``image`` null) concern the whole export and are not queue work.
    """
    if not isinstance(findings, list):
        raise InputError(f"{name}: 'findings' must be a list")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        if not isinstance(finding, Mapping) or "check" not in finding:
            raise InputError(f"{name}: not a finding record: {str(finding)[:80]}")
        if finding.get("image") is not None:
            groups.setdefault(str(finding["image"]), []).append(finding)
    return [_item_from_group(image, group, spec, version, name) for image, group in groups.items()]


def _item_from_group(image: str, group: list[Mapping[str, Any]], spec: str | None, version: int | None,
                     name: str) -> NewItem:
    work = Work()
    for finding in group:
        objects, action = _asked(finding)
        work = work.merged(_work(name, action, objects, [str(finding["check"])]))
    details = {"messages": _unique_strings(f.get("message") for f in group),
               "sources": _unique_strings(f.get("source") for f in group)}
    return _new_item(name, image=image, work=work,
                     severity=worst_severity(str(f.get("severity", "error")) for f in group),
                     spec=spec, to_version=version, details=details, score=_suspicion(group))


def _suspicion(group: list[Mapping[str, Any]]) -> float | None:
    """`specc suspect` findings carry the label's quality (lower: more suspect); the item's score is how
    suspect its most suspect label is, so the model's doubt raises the item."""
    qualities = [f["score"] for f in group if f.get("kind") == "suspect" and isinstance(f.get("score"), (int, float))]
    return 1.0 - min(qualities) if qualities else None


# Findings that compare annotation sets name objects as ``LABELER:ID`` of several exports, not objects of
# the labels in the queue: a person reviews the whole image (`specc agree`, ENGINE.md).
WHOLE_IMAGE_KINDS = frozenset({"agreement"})


def _asked(finding: Mapping[str, Any]) -> tuple[Any, str]:
    """The objects a finding asks a labeler to look at, and what to do with them."""
    if finding.get("kind") in WHOLE_IMAGE_KINDS:
        return (), "review"
    if finding.get("kind") == "suspect":  # a model doubts these labels: a person looks, nothing is known wrong
        return finding.get("objects") or (), "review"
    objects = finding.get("objects") or ()
    return objects, finding.get("action") or ("relabel" if objects else "review")


def _work(name: str, action: Any, objects: Any, reasons: list[str]) -> Work:
    if not isinstance(objects, list | tuple):
        raise InputError(f"{name}: 'objects' must be a list, got {objects!r}")
    try:
        return Work.uniform(str(action), objects, reasons)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from exc


def _image_of(entry: Mapping[str, Any], name: str) -> str:
    image = entry.get("image")
    if not isinstance(image, str) or not image:
        raise InputError(f"{name}: an impact entry needs an image, got {image!r}")
    return image


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


def _is_mapping_with(*keys: str) -> Callable[[Any], bool]:
    return lambda document: isinstance(document, Mapping) and all(k in document for k in keys)


# Every kind of input `specc queue build` accepts, tried in order; the first that matches reads the
# document. A new producer (`specc agree`, `specc suspect`, `specc select`) is one row here, placed
# before a more general row that would also match its output.
SOURCES: tuple[Source, ...] = (
    Source("diff", _is_mapping_with("impact", "changes"), items_from_diff),
    Source("check", _is_mapping_with("findings"),
           lambda doc, name: items_from_findings(doc["findings"], doc.get("spec"), doc.get("version"), name)),
    Source("jsonl findings", lambda doc: isinstance(doc, list),
           lambda doc, name: items_from_findings(doc, None, None, name)),
    Source("one finding", _is_mapping_with("check", "kind"),
           lambda doc, name: items_from_findings([doc], None, None, name)),
)
