"""Chunked checking at scale: throughput, peak memory per process, and speed-up with ``--jobs``.

    python bench/scale.py [--objects 1000000 3000000] [--jobs 1 2] [--chunk-images N]

For each size, in fresh processes: ``orjson.loads`` of the native document (the yardstick), ``specc
check`` of the document and of the same images as JSON Lines with ``--jobs 1``, and of the JSON Lines
with every ``--jobs`` given. Prints wall seconds, objects per second, the ratio to ``orjson.loads``,
the peak resident memory of the main process and of the largest worker (sampled every 20 ms per
process), and the speed-up over ``--jobs 1``. The machine is shared and noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
LOADS = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"
SPEC = ROOT / "specs" / "lanes.spec"


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for child in children for d in _descendants(child)]


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak MB of the main process, peak MB of the largest worker (0 without workers)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    main_peak, worker_peak = 0, {}
    while True:
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        main_peak = max(main_peak, _rss_kb(proc.pid))
        for child in _descendants(proc.pid):
            worker_peak[child] = max(worker_peak.get(child, 0), _rss_kb(child))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    # sampled, not ru_maxrss: on Linux that of a child includes its own children (the workers)
    return elapsed, main_peak / 1024, max(worker_peak.values(), default=0) / 1024


def export(n: int, jsonl: bool) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"lanes_{n}.{'jsonl' if jsonl else 'json'}"
    if not path.exists():
        flags = ["--jsonl"] if jsonl else []
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(path), *flags], check=True)
    return path


def check(path: Path, jobs: int, chunk_images: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "specdsl.cli.main", "check", str(SPEC), str(path), "--jobs", str(jobs), "-q",
           "--format", "json", "-o", os.devnull]
    return cmd + (["--chunk-images", str(chunk_images)] if chunk_images else [])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-images", type=int)
    parser.add_argument("--no-document", action="store_true", help="skip the native document runs")
    args = parser.parse_args()
    print(f"{'objects':>9} {'input':<22} {'s':>7} {'objects/s':>10} {'x orjson':>8} {'main MB':>8} "
          f"{'worker MB':>9} {'speed-up':>8}")
    for n in args.objects:
        loads = None
        if not args.no_document:
            document = export(n, jsonl=False)
            loads = run([sys.executable, "-c", LOADS, str(document)])[0]
            _row(n, "orjson.loads document", run([sys.executable, "-c", LOADS, str(document)]), loads)
            _row(n, "document --jobs 1", run(check(document, 1, args.chunk_images)), loads)
        lines = export(n, jsonl=True)
        base = None
        for jobs in args.jobs:
            timing = run(check(lines, jobs, args.chunk_images))
            base = base or timing[0]
            _row(n, f"jsonl --jobs {jobs}", timing, loads, base)


def _row(n: int, name: str, timing: tuple[float, float, float], loads: float | None, base: float | None = None):
    seconds, main_mb, worker_mb = timing
    ratio = f"{seconds / loads:8.2f}" if loads else f"{'':>8}"
    speed = f"{base / seconds:8.2f}" if base else f"{'':>8}"
    print(f"{n:>9,} {name:<22} {seconds:7.2f} {n / seconds:10,.0f} {ratio} {main_mb:8.0f} {worker_mb:9.0f} {speed}",
          flush=True)


if __name__ == "__main__":
    main()
