"""The records of a diff: a change kind (one row of the registry) and one change found between two specs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from specdsl import ir

# Ordered from the most to the least severe: the order of text output and of ``--fail-on``.
SEVERITIES = ("breaking", "dangerous", "migratable", "safe")
SEVERITY_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}

K = TypeVar("K")


class Words(Protocol):
    """How a back-end writes names and conditions in a labeler sentence (the docs page: HTML ``Markup``)."""

    def code(self, text: object) -> str: ...

    def condition(self, expr: ir.Expr) -> str: ...


# payload, words -> one sentence a labeler reads (the docs page's "What changed" panel)
Sentence = Callable[[Any, Words], str]
# payload, scope (labels of one version group) -> the hits (see specdsl.diff.hits)
HitsFunction = Callable[[Any, Any], list]


@dataclass(frozen=True)
class ChangeKind:
    """A row of the registry: everything every back-end needs to know about one change ID.

    ``payload`` is the type of the facts a change of this kind carries; ``hits`` finds the labels
    it touches (None: it touches none); ``labeler`` says it in a labeler's words.
    """

    id: str
    severity: str
    summary: str
    doc: str
    payload: type
    labeler: Sentence
    hits: HitsFunction | None = None
    action: str | None = None  # what the impact analysis asks for the labels it touches
    variants: str = ""  # when the severity depends on the case, which case gets which

    def change(self, payload: Any, target: str, message: str, old: ir.Loc | None = None,
               new: ir.Loc | None = None, severity: str | None = None) -> Change:
        if not isinstance(payload, self.payload):
            raise TypeError(f"{self.id} carries {self.payload.__name__}, not {type(payload).__name__}")
        return Change(self, payload, severity or self.severity, target, message, _where(old), _where(new))

    def __reduce__(self):
        # a kind is a registry row holding functions: it travels (to a worker and back) as its ID
        return _registered_kind, (self.id,)


def _registered_kind(kind_id: str) -> ChangeKind:
    from specdsl.diff.changes import KINDS

    return KINDS[kind_id]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a spec, with where it was in each (``path:line:col``)."""

    kind: ChangeKind = field(repr=False)
    payload: Any = field(hash=False)
    severity: str
    target: str
    message: str
    old: str | None = None
    new: str | None = None

    @property
    def id(self) -> str:
        return self.kind.id

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a change across version steps: its ID and target."""
        return self.kind.id, self.target

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "target": self.target, "message": self.message,
                "old": self.old, "new": self.new}

    def sort_key(self) -> tuple:
        return (-SEVERITY_RANK[self.severity], self.target, self.id, self.message)


def _where(loc: ir.Loc | None) -> str | None:
    return str(loc) if loc is not None else None


def dict_diff(old: Mapping[K, Any], new: Mapping[K, Any]) -> tuple[list[K], list[K], list[K]]:
    """Keys only in ``new`` (added), only in ``old`` (removed), and in both (kept), each in a stable order."""
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    kept = [k for k in old if k in new]
    return sorted(added), sorted(removed), sorted(kept)


def by_name(items: Iterable[Any]) -> dict[str, Any]:
    return {item.name: item for item in items}


def at_or_above(changes: Iterable[Change], severity: str) -> list[Change]:
    rank = SEVERITY_RANK[severity]
    return [c for c in changes if SEVERITY_RANK[c.severity] >= rank]
