"""A large native export read in two halves of its images, one in a forked process, for ``specc suspect``.

``suspect`` needs the whole dataset of an export in one process (unlike ``check``, which checks chunks
apart). Its images are cut with the chunk plan of :mod:`specdsl.scale.plan` (the same records the one-pass
reader yields, with the same ``/images/K`` pointers and line numbers): a forked child builds the dataset of
the second half while this process builds the first, and :func:`~specdsl.data.merge.merge_datasets` joins
them. Anything else -- a small file, another format, ``--mapping``, a folder, one chunk, any error -- is read
by :func:`~specdsl.cli.exports.load_or_exit`, which also reports every problem as before.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate, chain
from pathlib import Path

MIN_BYTES = 32 << 20  # below this, a second process costs more than it saves


def plan(path: str, args, jobs: int, first_share: float = 0.5):
    """The halves ``path`` is read in (planned now, read by :func:`load`); None when it is read in one pass.
    ``first_share``: about that share of the images is read in this process, the rest in the child."""
    return _halves(path, args, first_share) if jobs >= 2 else None


def load(path: str, args, halves, meanwhile: Callable[[], None] = lambda: None):
    """The export's dataset, read in ``halves`` (from :func:`plan`) or by the one-pass reader. ``meanwhile()``
    runs once in this process before it reads: once the second half's child has started (it then has the
    other core), else before the one-pass read."""
    from specdsl.cli.exports import load_or_exit

    ran: list[bool] = []

    def once() -> None:
        if not ran:
            ran.append(True)
            meanwhile()

    if halves is None:
        once()
        return load_or_exit(path, args)
    from specdsl.data.readers import ReaderError

    try:
        return _read_halves(path, args, *halves, once)
    except (ReaderError, OSError, ValueError, RecursionError):  # the one-pass reader reads it again and says where
        once()
        return load_or_exit(path, args)
    finally:
        from specdsl.scale.plan import forget_document

        forget_document(path)


def _halves(path: str, args, first_share: float = 0.5):
    """The export's chunks in two runs, the first of about ``first_share`` of the images (cut between chunks of
    1/16 of MIN_BYTES), or None when it is not read in halves."""
    from specdsl.scale.plan import ChunkKind, ChunkSize, plan_chunks

    if args.mapping or not Path(path).is_file() or Path(path).stat().st_size < MIN_BYTES:
        return None
    if (args.input_format or "native") != "native" or Path(path).suffix.lower() not in (".json", ".jsonl", ".ndjson"):
        return None
    try:
        chunks = plan_chunks(path, args.input_format, ChunkSize(bytes=MIN_BYTES // 16))
    except (OSError, ValueError):
        return None
    if len(chunks) < 2 or any(chunk.kind is ChunkKind.WHOLE for chunk in chunks):
        return None
    before = list(accumulate(chunk.images for chunk in chunks))[:-1]  # images before each cut between chunks
    goal = first_share * sum(chunk.images for chunk in chunks)
    middle = 1 + min(range(len(before)), key=lambda k: abs(before[k] - goal))
    return chunks[:middle], chunks[middle:]


def _read_halves(path: str, args, first: list, second: list, meanwhile: Callable[[], None] = lambda: None):
    from specdsl.cli.exports import reader_options
    from specdsl.data.merge import merge_datasets
    from specdsl.engine.forked import in_child

    options = reader_options(args)
    # the half's arrays come back through shared memory (backed only where written): never more bytes than
    # the export's text
    child = in_child(lambda: _dataset(path, second, options), shared_bytes=Path(path).stat().st_size)
    try:
        meanwhile()
        head = _dataset(path, first, options)
    except BaseException:
        if child is not None:
            child.process.kill()
            child.result()
        raise
    tail = child.result() if child is not None else None
    if tail is None:  # the child failed: read its half here (an error then surfaces as without the child)
        tail = _dataset(path, second, options)
    return merge_datasets(head, tail)


def _dataset(path: str, chunks: list, options):
    """The dataset of consecutive chunks, as the one-pass reader builds those images."""
    from specdsl.data.build import build_dataset
    from specdsl.data.readers.native import gc_paused
    from specdsl.scale.task import chunk_bytes, chunk_records

    with gc_paused():
        columns = options.mapping is None  # well-formed batches straight into columns
        records = chain.from_iterable(chunk_records(chunk, options, chunk_bytes(chunk), columns) for chunk in chunks)
        return build_dataset(records, path, first_image=chunks[0].first_image)
