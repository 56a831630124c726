"""``specc diff --labels`` time / ``specc check`` time of the same export, in fresh processes.

    python bench/diff_vs_check.py [--objects 1000000] [--runs 3] [--jobs N]

The new version (written next to the export) adds a colour, drops an unused style and adds a required
vehicle attribute, so the impact reaches every vehicle (``fill``) and the lane colours (``review``):
the diff has as much to say as a real version bump. Both commands get the same ``--jobs`` (default:
the usable cores). Medians of ``--runs``; the machine is shared and noisy (2 cores): read the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
SPEC = ROOT / "specs" / "lanes.spec"


def next_version(text: str) -> str:
    """lanes.spec at version 4: what a team's next release plausibly changes."""
    edits = [("spec lanes version 3", "spec lanes version 4"),
             ("  orange  \"Temporary", "  blue  \"Temporary bus lane.\"\n  orange  \"Temporary"),
             ("style: enum { solid, dashed, double } = solid", "style: enum { solid, dashed } = solid"),
             ("  parked: bool\n", "  parked: bool\n  indicator_checked: bool\n")]
    for old, new in edits:
        if old not in text:
            raise SystemExit(f"lanes.spec changed: cannot apply {old!r}")
        text = text.replace(old, new, 1)
    return text


def export(n: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"lanes_{n}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(path)], check=True)
    return path


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr.decode()}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    path = export(args.objects)
    new = OUT / "lanes_v4.spec"
    new.write_text(next_version(SPEC.read_text()))
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    specc = [sys.executable, "-m", "specdsl.cli.main"]
    check = specc + ["check", str(SPEC), str(path), "--format", "json", "--progress", "none", *jobs]
    diff = specc + ["diff", str(SPEC), str(new), "--labels", str(path), "--format", "json", *jobs]
    checks, diffs = [], []
    for _ in range(args.runs):  # interleaved, so a burst of load hits both alike
        checks.append(timed(check))
        diffs.append(timed(diff))
    c, d = statistics.median(checks), statistics.median(diffs)
    print(f"{'objects':>9} {'check s':>8} {'diff s':>7} {'diff/check':>10}")
    print(f"{args.objects:>9} {c:>8.2f} {d:>7.2f} {d / c:>10.2f}")


if __name__ == "__main__":
    main()
