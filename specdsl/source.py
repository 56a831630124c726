"""Source text and spans: where in which file a piece of a spec was written."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` with 1-based line/column of both ends."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Span) -> Span:
        """The span covering ``self`` through ``other``."""
        return Span(self.start, other.end, self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span(0, 0, 1, 1, 1, 1)


@dataclass(frozen=True)
class Source:
    """A spec file's text and name (a path, ``PATH@REV`` or ``<string>``)."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline."""
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(start, end, line, col, end_line, end_col)

    def location(self, span: Span) -> str:
        """``path:line:col``, the form editors and CI annotate."""
        return f"{self.name}:{span.line}:{span.column}"
