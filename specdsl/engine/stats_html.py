"""``specc stats --format html``: one self-contained page (inline CSS, SVG bar charts, no JavaScript).

Every string from the spec or the data goes through jinja2's autoescape; bar geometry is computed here
so that the template only places numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from specdsl import ir

BAR_WIDTH = 320  # px of the longest bar


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | float
    width: float  # px
    share: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    summary: dict | None = None  # numbers: min, quartiles, max

    @property
    def height(self) -> int:
        return 22 * len(self.bars) + 4


def charts(record: dict) -> list[Chart]:
    out = [_chart("objects per class", {c: e["objects"] for c, e in record["classes"].items()})]
    for name, entry in record["classes"].items():
        for attribute, counts in entry["attributes"].items():
            out.append(_chart(f"{name}.{attribute}", counts))
    for attribute, counts in record["image_attributes"].items():
        out.append(_chart(f"image.{attribute}", counts))
    return out


def _chart(title: str, counts: dict) -> Chart:
    if "q1" in counts:  # a numbers summary: no bars, a row of figures
        return Chart(title, (), counts)
    total = sum(counts.values()) or 1
    largest = max(counts.values(), default=0) or 1
    bars = tuple(Bar(str(label), n, BAR_WIDTH * n / largest, n / total) for label, n in counts.items())
    return Chart(title, bars)


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("specdsl.engine", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_stats_html(spec: ir.Spec, record: dict) -> str:
    template = _environment().get_template("stats.html.j2")
    slices = [(name, entry, charts(entry)) for name, entry in record["slices"].items()]
    return template.render(spec=spec, record=record, charts=charts(record), slices=slices,
                           drift=record.get("drift"), bar_width=BAR_WIDTH)
