"""``--jobs``, ``--chunk-images`` and ``--dask``: read an export chunk by chunk (a check, a diff's impact),
in one process, in worker processes or on a Dask cluster.

The findings, summary counts and quota findings equal those of checking the export as one dataset
(contract: SCALE.md); only peak memory and wall time change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager

from specdsl.cli.common import UsageError


def add_scale_options(parser) -> None:
    parser.add_argument("--jobs", "-j", type=positive_count, metavar="N",
                        help="worker processes checking chunks in parallel (default: the usable cores)")
    parser.add_argument("--chunk-images", type=positive_count, metavar="N",
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


def positive_count(text: str) -> int:
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
    from specdsl.cli.exports import expand_or_exit
    from specdsl.scale.image_ids import FirstImages
    from specdsl.scale.run import ExportResult

    shards = expand_or_exit(export, args.input_format)
    first_images = FirstImages(spec)  # an image id repeated in a later shard is a duplicate too
    with _progress(shards, args) as progress:
        results = [_check_shard(shard, args, spec, cluster, first_images, progress) for shard in shards]
    if len(results) == 1:
        merged = results[0]
    else:
        merged = ExportResult(export)
        for result in results:
            merged.absorb(result)
    merged.findings += _quota_findings(spec, merged.path, merged.shares, merged.first_record)
    return merged


def _check_shard(shard: str, args, spec, cluster, first_images, progress):
    from specdsl.cli.exports import reader_options
    from specdsl.scale.run import check_export

    with shard_errors(shard):
        chunks = plan_shard(shard, args)
        progress.start_shard(shard, chunks)
        result = check_export(spec, shard, chunks, reader_options(args, spec), jobs(args), cluster=cluster,
                              first_images=first_images,
                              on_chunk=lambda done: progress.chunk_done(done.chunk, done.images))
        progress.end_shard(shard)
        return result


def run_shard(task, shard: str, args, cluster=None) -> list:
    """``task``'s result for every chunk of one shard, in source order (a diff's impact, ...); a chunk that
    cannot be read is the usage error a one-process read would give."""
    from specdsl.scale.run import run_chunks
    from specdsl.scale.task import raise_failure

    with shard_errors(shard):
        parts = []
        results = run_chunks(task, plan_shard(shard, args), jobs(args), cluster)
        with closing(results):  # a failing chunk stops the workers now
            for result in results:
                raise_failure(result.failure)
                parts.append(result)
        return parts


def jobs(args) -> int:
    from specdsl.scale.run import usable_cores

    return getattr(args, "jobs", None) or usable_cores()


def plan_shard(shard: str, args):
    from specdsl.scale.plan import ChunkSize, plan_chunks

    # byte chunks are evened out over the workers: five chunks on two workers would leave one idle at the end
    return plan_chunks(shard, args.input_format, ChunkSize(images=getattr(args, "chunk_images", None),
                                                           workers=jobs(args)))


@contextmanager
def shard_errors(shard: str) -> Iterator[None]:
    """A reader error, a dead worker or an unreadable file is a usage error naming where."""
    from specdsl.data.readers import ReaderError
    from specdsl.data.remote import UrlUnavailable
    from specdsl.scale.plan import forget_document
    from specdsl.scale.run import WorkerDied

    try:
        yield
    except ReaderError as exc:
        raise UsageError(f"{exc.location()}: {exc.message}") from None
    except (WorkerDied, UrlUnavailable) as exc:
        raise UsageError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{shard}: {exc}") from None
    finally:
        forget_document(shard)


def _progress(shards: list[str], args):
    from specdsl.report.check_progress import CheckProgress

    return CheckProgress("none" if args.quiet else args.progress, shards, args.input_format)


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
