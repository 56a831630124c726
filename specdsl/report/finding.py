"""The finding record: one violation found in an export (contract: docs CLI.md)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, make_dataclass

from specdsl.check_id import CheckId

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
KINDS = ("schema", "attribute", "constraint", "rule", "quota", "agreement", "suspect")


@dataclass(frozen=True, slots=True)
class Finding:
    """What fired (``check``/``kind``), where the data is wrong, and which spec line demanded it."""

    check: str
    kind: str
    severity: str
    image: str | None
    objects: tuple[str, ...]
    message: str
    source: str
    pointer: str
    spec_location: str
    help: str | None = None  # anchor into the labeler docs, e.g. "#rule-orange_overrides_white"
    line: int | None = None  # 1-based line of the pointed-at value in ``source``, when known
    column: int | None = None  # 1-based column (Unicode code points) on that line, when known
    action: str | None = None  # what a labeler does about it when it is not the usual fix ("fill": missing value)
    # The typed identity behind ``check`` (the checker sets it; a report read back from JSON has None):
    # baselines key on its fingerprint, which stays put when require lines move.
    check_id: CheckId | None = field(default=None, compare=False)

    def check_key(self) -> str:
        """The check's stable identity (:attr:`CheckId.fingerprint`); read back from a file, its name and kind."""
        return self.check_id.fingerprint if self.check_id is not None else f"{self.kind}:{self.check}"
    labelers: tuple[str, ...] = ()  # `specc agree`: the two annotation sets compared
    score: float | None = None  # `specc suspect`: the label's quality in [0, 1] (lower: more suspect)
    prediction: int | None = None  # `specc suspect`: index of the object in the image's prediction line
    fix: str | None = None  # the check's declared fix, as written (``set w.overridden = true``)

    def to_dict(self) -> dict:
        record = {"check": self.check, "kind": self.kind, "severity": self.severity, "image": self.image,
                  "objects": list(self.objects), "message": self.message, "source": self.source,
                  "pointer": self.pointer, "spec_location": self.spec_location,
                  "line": self.line, "column": self.column}
        if self.help:
            record["help"] = self.help
        if self.action:
            record["action"] = self.action
        if self.labelers:
            record["labelers"] = list(self.labelers)
        if self.score is not None:
            record["score"] = self.score
        if self.prediction is not None:
            record["prediction"] = self.prediction
        if self.fix:
            record["fix"] = self.fix
        return record

    def sort_key(self) -> tuple:
        return (self.source, self.image or "", self.check, self.objects, self.pointer)


# A frozen dataclass's __init__ sets every field through object.__setattr__: 4 us a finding, a quarter of
# all `specc suspect` spends per finding. The same fields in a mutable twin (same slots, same order) are set
# in 0.9 us, and an instance of the twin may take Finding as its class: the layouts are the same.
_Unfrozen = make_dataclass("_Unfrozen", [(f.name, f.type) if f.default is MISSING else (f.name, f.type, f.default)
                                         for f in fields(Finding)], slots=True)


def new_finding(**values) -> Finding:
    """``Finding(**values)``, made four times faster (for engines that report tens of thousands)."""
    finding = _Unfrozen(**values)
    finding.__class__ = Finding
    return finding


@dataclass(frozen=True, slots=True)
class Summary:
    images: int = 0
    objects: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def to_dict(self) -> dict:
        return {"images": self.images, "objects": self.objects, "errors": self.errors,
                "warnings": self.warnings, "infos": self.infos}


@dataclass(frozen=True)
class CheckReport:
    """All findings of one ``specc check`` run, in a deterministic order."""

    spec: str
    version: int
    summary: Summary
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"spec": self.spec, "version": self.version, "summary": self.summary.to_dict(),
                "findings": [f.to_dict() for f in self.findings]}

    def at_or_above(self, severity: str) -> list[Finding]:
        rank = SEVERITY_RANK[severity]
        return [f for f in self.findings if SEVERITY_RANK[f.severity] >= rank]


def summarize(images: int, objects: int, findings: tuple[Finding, ...]) -> Summary:
    counts = {s: 0 for s in SEVERITY_RANK}
    for f in findings:
        counts[f.severity] += 1
    return Summary(images, objects, counts["error"], counts["warning"], counts["info"])
