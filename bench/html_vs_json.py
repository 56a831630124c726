"""``specc check --format html`` time / ``--format json`` time on the same export, in fresh processes.

    python bench/html_vs_json.py [--objects 160000] [--runs 3] [--max-figures 500]

The export comes from ``bench/generate.py`` (lane lines and vehicles, about 1k findings per 160k
objects). Both commands write their output to a file, as CI would; medians of ``--runs``. The html run
draws ``--max-figures`` of the findings (the default 500): its extra cost is collecting those images'
objects and drawing them. Target: the ratio stays under 2. The machine is shared and noisy: read the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from check_vs_orjson import ROOT, ensure_export, measure


def check_command(spec: Path, export: Path, fmt: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "specdsl.cli.main", "check", str(spec), str(export), "--format", fmt,
            "--output-file", str(out), "--progress", "none", "--quiet", *extra]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=160_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-figures", type=int, default=500)
    args = parser.parse_args()
    spec = ROOT / "specs" / "lanes.spec"
    export = ensure_export(args.objects)
    with tempfile.TemporaryDirectory() as scratch:
        out_json, out_html = Path(scratch) / "report.json", Path(scratch) / "report.html"
        json_s, json_mb = measure(check_command(spec, export, "json", out_json), args.runs)
        html_s, html_mb = measure(check_command(spec, export, "html", out_html, "--max-figures",
                                                str(args.max_figures)), args.runs)
        findings = len(json.loads(out_json.read_text(encoding="utf-8"))["findings"])
        html_kb = out_html.stat().st_size / 1e3
    print(f"{'objects':>9} {'findings':>9} {'json s':>7} {'html s':>7} {'ratio':>6} {'json MB':>8} {'html MB':>8} "
          f"{'html kB':>8}")
    print(f"{args.objects:>9} {findings:>9} {json_s:>7.2f} {html_s:>7.2f} {html_s / json_s:>6.2f} {json_mb:>8.0f} "
          f"{html_mb:>8.0f} {html_kb:>8.0f}")


if __name__ == "__main__":
    main()
