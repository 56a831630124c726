"""Plain-text tables for the engine's text output (rich, rendered without colour or markup)."""

from __future__ import annotations

import io


def render_tables(tables) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=True, highlight=False, emoji=False)
    for table in tables:
        console.print(table)
    return buffer.getvalue()


def table(title: str, columns: list[str], rows: list[list]):
    """A rich table whose cells are plain text (spec and export strings never read as markup)."""
    from rich.table import Table
    from rich.text import Text

    out = Table(title=Text(title), title_justify="left")
    for k, column in enumerate(columns):
        out.add_column(Text(column), justify="left" if k == 0 else "right")
    for row in rows:
        out.add_row(*(Text(cell_text(c)) for c in row))
    return out


def cell_text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
