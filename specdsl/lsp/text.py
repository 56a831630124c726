"""Positions: LSP counts lines from 0 and characters in UTF-16 code units; specc counts code points."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    value: str

    @property
    def line_starts(self) -> list[int]:
        return [0] + [i + 1 for i, ch in enumerate(self.value) if ch == "\n"]

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position (clamped to the text)."""
        starts = self.line_starts
        if line >= len(starts):
            return len(self.value)
        start = starts[line]
        end = self.value.find("\n", start)
        line_text = self.value[start:] if end < 0 else self.value[start:end]
        units = 0
        for index, ch in enumerate(line_text):
            if units >= character:
                return start + index
            units += 2 if ord(ch) > 0xFFFF else 1
        return start + len(line_text)

    def position(self, offset: int) -> tuple[int, int]:
        """The LSP (line, character) of a code-point offset."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        before = self.value[starts[line]:offset]
        return line, len(before.encode("utf-16-le")) // 2
