"""Machine formats of the finding record (CLI.md): ``json`` (one document) and ``jsonl``."""

from __future__ import annotations

import json
from typing import Any

import orjson

from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport, Finding

# JSON leaves these raw, but str.splitlines() and some editors break lines at them: escaped, one
# JSON Lines record stays one line for every reader.
_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def dumps(value: Any, *, indent: bool = False) -> str:
    """JSON with non-ASCII kept readable; lone surrogates (legal in a JSON string read from an
    export, not in UTF-8) fall back to ``\\u`` escapes, so the output can always be written."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode("utf-8")
    except TypeError:  # orjson refuses lone surrogates; match its layout with the stdlib
        layout = {"indent": 2, "separators": (",", ": ")} if indent else {"separators": (",", ":")}
        text = json.dumps(value, ensure_ascii=True, **layout)
    for char in _LINE_BREAKS:
        if char in text:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def canonical_bytes(value: Any) -> bytes:
    """Compact JSON bytes to hash: the same value always gives the same bytes."""
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate: only the stdlib can write it (escaped)
        return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def render_json(report: CheckReport, ctx: RenderContext) -> str:
    document = report.to_dict()
    document["findings"] = [_record(f, ctx) for f in report.findings]
    return dumps(document, indent=True) + "\n"


def render_jsonl(report: CheckReport, ctx: RenderContext) -> str:
    return "".join(dumps(_record(f, ctx)) + "\n" for f in report.findings)


def _record(finding: Finding, ctx: RenderContext) -> dict[str, Any]:
    """The finding record, with ``help_url`` (the ``help`` anchor in the ``--docs-url`` page) when known."""
    record = finding.to_dict()
    help_uri = ctx.help_uri(finding.help)
    if help_uri:
        record["help_url"] = help_uri
    return record
