"""``--jobs`` and ``--chunk-images``: check an export chunk by chunk, in one process or several.

The findings, summary counts and quota findings equal those of checking the export as one dataset
(contract: SCALE.md); only peak memory and wall time change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from specdsl.cli.common import UsageError


def add_scale_options(parser) -> None:
    parser.add_argument("--jobs", "-j", type=_positive, metavar="N",
                        help="worker processes checking chunks in parallel (default: the usable cores)")
    parser.add_argument("--chunk-images", type=_positive, metavar="N",
                        help="images per chunk (default: about 32 MB of export text per chunk)")
    parser.add_argument("--dask", metavar="ADDRESS", help="run the chunks on a Dask scheduler (tcp://host:8786), "
                        "or 'local' for a LocalCluster of --jobs workers; needs specdsl[dask]")


@contextmanager
def scale_session(args) -> Iterator:
    """The Dask cluster of ``--dask`` for the whole run (None without it), closed at the end."""
    if not getattr(args, "dask", None):
        yield None
        return
    from specdsl.scale.cluster import Cluster, DaskUnavailable
    from specdsl.scale.run import usable_cores

    try:
        cluster = Cluster(args.dask, args.jobs or usable_cores())
    except DaskUnavailable as exc:
        raise UsageError(str(exc)) from None
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {args.dask}: {exc}") from None
    try:
        yield cluster
    finally:
        cluster.close()


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def check_in_chunks(export: str, args, spec, cluster=None):
    """The merged :class:`~specdsl.scale.run.ExportResult` of one export argument, quota findings included.

    An argument that stands for several shards (a folder, a glob pattern) is one export: its quotas are
    measured over every shard, and their findings name the argument as given."""
    from specdsl.data.inputs import NoExport, expand_input
    from specdsl.scale.run import ExportResult

    try:
        shards = expand_input(export, args.input_format)
    except NoExport as exc:
        raise UsageError(str(exc)) from None
    results = [_check_shard(shard, args, spec, cluster) for shard in shards]
    if len(results) == 1:
        merged = results[0]
    else:
        merged = ExportResult(export, shares=sum(r.shares for r in results))
        for result in results:
            merged.findings += result.findings
            merged.images += result.images
            merged.objects += result.objects
    merged.findings += _quota_findings(spec, merged.path, merged.shares, merged.first_record)
    return merged


def _check_shard(shard: str, args, spec, cluster):
    from specdsl.cli.exports import reader_options
    from specdsl.data.readers import ReaderError
    from specdsl.scale.plan import ChunkSize, forget_document, plan_chunks
    from specdsl.scale.run import WorkerDied, check_export, usable_cores

    options = reader_options(args, spec)
    jobs = args.jobs or usable_cores()
    try:
        chunks = plan_chunks(shard, args.input_format, ChunkSize(images=args.chunk_images, workers=jobs))
        with _progress(shard, args, chunks) as progress:
            return check_export(spec, shard, chunks, options, jobs,
                                on_chunk=lambda done: progress.advance(done.images), cluster=cluster)
    except ReaderError as exc:
        raise UsageError(f"{exc.location()}: {exc.message}") from None
    except WorkerDied as exc:
        raise UsageError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{shard}: {exc}") from None
    finally:
        forget_document(shard)


def _progress(export: str, args, chunks):
    from specdsl.report.progress import expected_records, make_progress

    mode = "none" if args.quiet else args.progress
    if mode == "none":
        total = None
    elif all(chunk.images is not None for chunk in chunks):
        total = sum(chunk.images for chunk in chunks)  # counted while planning: no second read of the file
    else:
        total = expected_records(Path(export), args.input_format)
    return make_progress(mode, total, "images")


def _quota_findings(spec, export: str, shares, where: tuple[int, int] | None = None) -> list:
    """Quotas that fail on the merged counters; ``where``: the (line, column) that report/locate.py gives
    their empty pointer (the first record of JSON Lines), known from the first chunk."""
    import dataclasses

    from specdsl.data.build import build_dataset
    from specdsl.scale.quotas import failing_quotas, share_terms
    from specdsl.validate.findings import FindingFactory

    failing = failing_quotas(spec, share_terms(spec), shares)
    if not failing:
        return []
    make = FindingFactory(spec, build_dataset([], source=export))  # quota findings name the export only
    findings = [make.quota(quota) for quota in failing]
    if where is None:
        return findings
    return [dataclasses.replace(finding, line=where[0], column=where[1]) for finding in findings]
