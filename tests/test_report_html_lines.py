"""The HTML gallery is a renderer too: like every other one it shows the file line and column of a finding,
for every export format (issue 8: "every renderer shows a line for every format")."""

from __future__ import annotations

import html

import pytest
from test_report_lines import CASES, INPUT_FORMAT, run_check


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_gallery_shows_the_line_and_column(tmp_path, name: str) -> None:
    case = CASES[name](tmp_path)
    export = case.path.parent if name in INPUT_FORMAT else case.path
    page = html.unescape(run_check(tmp_path, case, export, "html"))
    assert f"{case.path.name}:{case.line}:{case.column}" in page
