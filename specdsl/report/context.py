"""What a renderer needs besides the findings: where they came from and how to show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specdsl import __version__

# (export path, JSON pointer) -> 1-based line of the pointed-at value in that export, if known.
LineLookup = Callable[[str, str], int | None]


@dataclass(frozen=True)
class RenderContext:
    spec_path: str  # path of the spec file as given on the command line (may be PATH@REV)
    spec_text: str | None = None  # lets `text` show the spec line that demanded a finding
    exports: tuple[str, ...] = ()  # export paths checked, in command-line order
    tool_version: str = __version__
    docs_url: str | None = None  # base of the labeler docs; a finding's `help` is an anchor into it
    color: bool = False  # `text` returns rich markup when true, plain text when false
    checks: tuple[str, ...] = ()  # every declared check: `junit` adds a passing testcase for each
    fail_on: str = "error"  # `junit`: findings at or above this severity are failures
    # Lines of findings that carry none (a report read back from JSON without positions); findings of
    # `specc check` carry their own (report.locate), which renderers use first.
    pointer_line: LineLookup | None = None
    max_per_check: int = 20  # `text` shows at most this many findings per check

    def help_uri(self, anchor: str | None) -> str | None:
        if not (self.docs_url and anchor):
            return None
        return self.docs_url + anchor if anchor.startswith("#") else f"{self.docs_url}#{anchor}"

    def data_line(self, source: str, pointer: str) -> int | None:
        return self.pointer_line(source, pointer) if self.pointer_line else None
