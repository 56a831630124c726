"""Read a large native export on two cores: a forked child builds the columns of the second half.

The parent splits the document into raw image slices (msgspec, no Python objects), forks,
builds the first half while the child builds the second, then receives the child's columns
(pickled numpy arrays, a few MB) and concatenates them. Results equal the one-process read.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

from specdsl.data.build import build_dataset
from specdsl.data.dataset import Dataset
from specdsl.data.merge import merge_datasets

MIN_BYTES = 8 << 20  # below this, forking costs more than it saves


def worth_splitting(path: Path) -> bool:
    if os.environ.get("SPECDSL_WORKERS") == "1" or _cpus() < 2:
        return False
    try:
        return path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_split(path: Path, options, progress=None) -> Dataset | None:
    """The dataset of a native JSON document read in two halves; None if the file is not one."""
    from specdsl.data.readers.native import gc_paused, split_document

    with gc_paused():
        return _load_split(path, options, progress, split_document(path))


def _load_split(path: Path, options, progress, split) -> Dataset | None:
    if split is None or len(split[1]) < 2:
        return None
    data, images = split
    middle = len(images) // 2
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_build_part, args=(send, data, images, middle, len(images), path, options),
                            daemon=True)
    child.start()
    send.close()
    first = build_dataset(_records(data, images, 0, middle, path, options), str(path), progress=progress)
    second = _receive(receive, child)
    if second is None:  # the child failed: read its half here rather than fail the check
        second = build_dataset(_records(data, images, middle, len(images), path, options), str(path),
                               first_image=middle)
    elif progress is not None:
        progress(len(second.images))
    return merge_datasets(first, second)


def _records(data: bytes, images, start: int, stop: int, path: Path, options):
    from specdsl.data.readers.native import records_of

    records = records_of(images[start:stop], start, str(path), options, data)
    if options.mapping is None:
        return records
    from specdsl.data.mapping import apply_mapping

    return (apply_mapping(record, options.mapping) for record in records)


def _build_part(send, data: bytes, images, start: int, stop: int, path: Path, options) -> None:
    try:
        dataset = build_dataset(_records(data, images, start, stop, path, options), str(path), first_image=start)
        send.send_bytes(pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - the parent reads this half itself instead
        send.send_bytes(b"")
    finally:
        send.close()


def _receive(receive, child) -> Dataset | None:
    try:
        payload = receive.recv_bytes()
    except EOFError:
        payload = b""
    finally:
        receive.close()
        child.join()
    return pickle.loads(payload) if payload else None
