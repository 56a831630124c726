"""The scaling model of ``specc check`` from measured parts: plan, per-chunk cost, merge, scheduling.

    python bench/scale_model.py [--objects 3000000] [--workers 1 2 8 64 256] [--dask]

Measures, in this process, on the JSON Lines export of bench/generate.py: the plan (the block scan that
cuts the file at line ends), every chunk's task (read, build, check, locate; each timed alone, so the
figures are per core), and the client's merge (sum counters, sort the findings, evaluate quotas, render
``--format json``). With ``--dask``, also the round trip of an empty task on a 2-worker LocalCluster
(the scheduling cost per chunk). Then prints the predicted wall time for W workers:

    plan + max(sum(chunk costs) / W, largest chunk) + merge  (+ chunks x scheduling / W on a cluster)

which assumes what a cluster gives and this 2-core machine cannot show: W free cores and a file system
that serves every worker its byte range at the scan's speed. Compare the W = 1 and W = 2 rows with
``bench/scale.py``, which measures them end to end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from scale import SPEC, export  # noqa: E402  (bench/scale.py: the same generated export)


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def measure(path: Path, chunk_images: int | None) -> dict:
    from specdsl.cli.check import _report
    from specdsl.cli.scale import _quota_findings
    from specdsl.compiler import compile_file
    from specdsl.data.readers import ReadOptions
    from specdsl.report import render
    from specdsl.report.context import RenderContext
    from specdsl.scale.image_ids import FirstImages
    from specdsl.scale.plan import ChunkSize, plan_chunks
    from specdsl.scale.run import ExportResult
    from specdsl.scale.task import check_chunk

    spec = compile_file(SPEC)
    plan, chunks = _timed(plan_chunks, str(path), None, ChunkSize(images=chunk_images))
    costs, results = [], []
    for chunk in chunks:
        cost, result = _timed(check_chunk, spec, chunk, ReadOptions())
        costs.append(cost)
        results.append(result)

    def merge():
        merged = ExportResult(str(path), shares=results[0].shares * 0, first_images=FirstImages(spec))
        for result in results:
            merged.add(result)
        findings = merged.findings + _quota_findings(spec, str(path), merged.shares, merged.first_record)
        report = _report(spec, findings, merged.images, merged.objects)
        return render("json", report, RenderContext(spec_path=str(SPEC), exports=(str(path),)))

    merge_cost, _ = _timed(merge)
    findings = sum(len(r.findings) for r in results)
    return {"plan": plan, "chunks": costs, "merge": merge_cost, "findings": findings}


def scheduling_cost(rounds: int = 200) -> float:
    """Seconds per task round trip on a 2-worker LocalCluster (submit, run nothing, gather)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        client.gather(client.map(int, range(20)))  # warm up
        start = time.perf_counter()
        client.gather(client.map(int, range(rounds), pure=False))
        return (time.perf_counter() - start) / rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=3_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 8, 64, 256])
    parser.add_argument("--chunk-images", type=int)
    parser.add_argument("--dask", action="store_true", help="measure the scheduling cost per chunk on a LocalCluster")
    args = parser.parse_args()
    path = export(args.objects, jsonl=True)
    parts = measure(path, args.chunk_images)
    chunks = parts["chunks"]
    schedule = scheduling_cost() if args.dask else 0.0
    print(f"{args.objects:,} objects, {path.stat().st_size / 1e6:.0f} MB JSON Lines, {len(chunks)} chunks")
    print(f"plan {parts['plan']:.2f} s; chunk median {statistics.median(chunks):.2f} s, largest {max(chunks):.2f} s, "
          f"sum {sum(chunks):.2f} s ({args.objects / sum(chunks):,.0f} objects/s per core); "
          f"merge {parts['merge']:.2f} s for {parts['findings']:,} findings")
    if args.dask:
        print(f"scheduling {schedule * 1e3:.2f} ms per chunk (LocalCluster round trip)")
    print(f"{'workers':>8} {'predicted s':>12} {'objects/s':>12} {'speed-up':>9}")
    one = None
    for workers in args.workers:
        compute = max(sum(chunks) / workers, max(chunks)) + len(chunks) * schedule / workers
        wall = parts["plan"] + compute + parts["merge"]
        one = one or wall
        print(f"{workers:>8} {wall:>12.2f} {args.objects / wall:>12,.0f} {one / wall:>9.2f}")


if __name__ == "__main__":
    main()
