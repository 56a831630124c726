"""Read a large predictions file on two cores: a forked child reads the second half of the lines.

As the export reader did before chunked checking (:mod:`specdsl.scale`): the parent reads the first half while the
child reads the second, then takes the child's columns (pickled arrays) and concatenates them. Errors
keep file order: a problem in the first half is reported before one in the second, and an image that
the second half predicts again names the line of the first half that predicted it first.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle

import numpy as np

from specdsl import ir
from specdsl.data.merge import merge_datasets
from specdsl.engine.predictions import Distribution, PredictedObjects, PredictionError, Predictions, read_lines
from specdsl.scale.run import usable_cores
from specdsl.validate.view import ClassView

MIN_BYTES = 8 << 20  # below this, forking costs more than it saves


def worth_splitting(size: int, n_lines: int) -> bool:
    return os.environ.get("SPECDSL_WORKERS") != "1" and usable_cores() >= 2 and size >= MIN_BYTES and n_lines >= 2


def read_split(path: str, spec: ir.Spec, renormalize: bool, lines: list[tuple[int, bytes]]) -> Predictions:
    middle = len(lines) // 2
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_part, args=(send, path, spec, renormalize, lines[middle:]), daemon=True)
    child.start()
    send.close()
    try:
        first = read_lines(path, spec, renormalize, lines[:middle])
    except BaseException:
        child.kill()
        _close(receive, child)
        raise
    second = _receive(receive, child)
    if second is None:  # the child failed for another reason: read its half here
        second = read_lines(path, spec, renormalize, lines[middle:])
    if isinstance(second, PredictionError):
        raise second
    return merge(first, second, spec)


def _read_part(send, path, spec, renormalize, lines) -> None:
    try:
        result = read_lines(path, spec, renormalize, lines)
    except PredictionError as exc:
        result = exc
    except BaseException:  # noqa: BLE001 - the parent reads this half itself instead
        result = None
    try:
        send.send_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL) if result is not None else b"")
    finally:
        send.close()


def _receive(receive, child):
    try:
        payload = receive.recv_bytes()
    except EOFError:
        payload = b""
    _close(receive, child)
    return pickle.loads(payload) if payload else None


def _close(receive, child) -> None:
    receive.close()
    child.join()


def merge(first: Predictions, second: Predictions, spec: ir.Spec) -> Predictions:
    _no_repeated_images(first, second)
    offset = len(first.image_ids)
    a, b = first.objects, second.objects
    objects = PredictedObjects(
        np.concatenate([a.image, b.image + offset]), np.concatenate([a.index, b.index]),
        np.concatenate([a.line, b.line]), _stack(a.classes, b.classes),
        {key: _stack(a.attributes[key], b.attributes[key]) for key in a.attributes},
        np.concatenate([a.top_class, b.top_class]), np.concatenate([a.table_row, b.table_row]))
    dataset = merge_datasets(first.dataset, second.dataset)
    merged = Predictions(first.source, first.image_ids + second.image_ids,
                         np.concatenate([first.image_lines, second.image_lines]),
                         {name: _stack(d, second.image_attributes[name]) for name, d in first.image_attributes.items()},
                         objects, dataset)
    merged.views = {c.name: ClassView(c, dataset.tables.get(c.name), dataset) for c in spec.classes}
    for number in range(len(spec.classes)):  # rows in the merged tables
        rows = np.flatnonzero(objects.top_class == number)
        objects.table_row[rows] = np.arange(len(rows))
    return merged


def _no_repeated_images(first: Predictions, second: Predictions) -> None:
    earlier = dict(zip(first.image_ids, first.image_lines.tolist()))
    for image, line in zip(second.image_ids, second.image_lines.tolist()):
        if image in earlier:
            raise PredictionError(first.source, line, f"image {image} was already predicted on line {earlier[image]}")


def _stack(a: Distribution, b: Distribution) -> Distribution:
    return Distribution(a.values, np.concatenate([a.probs, b.probs]), np.concatenate([a.given, b.given]),
                        np.concatenate([a.k, b.k]))
