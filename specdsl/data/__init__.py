"""Labeled data: readers of export formats and the columnar :class:`Dataset` the checker consumes."""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_export"]


def load_export(path: str | Path, fmt: str | None = None, options=None, progress=None):
    """Read one export (any registered format) into a :class:`~specdsl.data.dataset.Dataset`."""
    from specdsl.data.build import build_dataset
    from specdsl.data.readers import ReadOptions, detect_format, read_export

    options = options or ReadOptions()
    path = Path(path)
    if (fmt or detect_format(path)) == "native" and options.mapping is None:  # well-formed batches as columns
        from specdsl.data.readers.native import read_native

        return build_dataset(read_native(path, options, columns=True), str(path), progress=progress)
    return build_dataset(read_export(path, fmt, options), str(path), progress=progress)
