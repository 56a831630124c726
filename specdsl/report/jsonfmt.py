"""Machine formats of the finding record (CLI.md): ``json`` (one document) and ``jsonl``."""

from __future__ import annotations

import json
from typing import Any

from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII readable, falling back to ``\\u`` escapes for lone surrogates.

    A lone surrogate (possible in a string read from a JSON file) cannot be written as UTF-8;
    escaping it keeps the output valid JSON that still reads back to the same string.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=_separators(indent))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, indent=indent, separators=_separators(indent))
    return text.translate(_LINE_BREAKS)


# JSON leaves these raw, but str.splitlines() and some editors break lines at them: escaped, one
# JSON Lines record stays one line for every reader.
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}


def _separators(indent: int | None) -> tuple[str, str]:
    return (",", ": ") if indent is not None else (", ", ": ")


def render_json(report: CheckReport, ctx: RenderContext) -> str:
    return dumps(report.to_dict(), indent=2) + "\n"


def render_jsonl(report: CheckReport, ctx: RenderContext) -> str:
    return "".join(dumps(f.to_dict()) + "\n" for f in report.findings)
