"""``specc check`` time / ``orjson.loads`` time of the same file, and peak memory, in fresh processes.

    python bench/check_vs_orjson.py [--sizes 160000 1000000] [--runs 3]

Each measurement is a new process timed from outside (so imports count for specc);
medians of ``--runs``. Peak memory is sampled every 20 ms over the whole process tree (specc reads
large exports with a forked helper), and is at least the process's own max RSS. The machine is
shared and noisy (2 cores): read the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
LOADS = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (specc may fork a reader)."""
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        return 0
    own = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)
    return own + sum(_tree_rss_kb(int(child)) for child in children)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB, summed over the process tree) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, max(peak, usage.ru_maxrss) / 1024


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    results = [timed(cmd) for _ in range(runs)]
    return statistics.median(t for t, _ in results), max(m for _, m in results)


def ensure_export(n: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"lanes_{n}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[160_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = ROOT / "specs" / "lanes.spec"
    print(f"{'objects':>9} {'MB':>6} {'orjson s':>9} {'specc s':>8} {'ratio':>6} {'orjson MB':>10} {'specc MB':>9}")
    for n in args.sizes:
        export = ensure_export(n)
        base, base_mem = measure([sys.executable, "-c", LOADS, str(export)], args.runs)
        check, check_mem = measure([sys.executable, "-m", "specdsl.cli.main", "check", str(spec), str(export),
                                    "--format", "json", "--progress", "none"], args.runs)
        size = export.stat().st_size / 1e6
        ratio = check / base
        print(f"{n:>9} {size:>6.0f} {base:>9.2f} {check:>8.2f} {ratio:>6.2f} {base_mem:>10.0f} {check_mem:>9.0f}")


if __name__ == "__main__":
    main()
