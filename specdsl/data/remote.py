"""Exports named by fsspec URLs (``s3://bucket/x.jsonl``, ``file:///data/x.json``): SCALE.md, "Inputs".

Plain paths never come here: they keep the fast local reads. fsspec is an optional dependency (the
``dask`` extra brings it); it is imported only when a URL is given, and a URL without it is a usage
error that says what to install. Readers take :class:`pathlib.Path`; :class:`UrlPath` is the little of a
path they use (name, suffix, bytes) for a URL, so the native reader reads a URL unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

# two letters or more before "://": a Windows drive (C:\) is never taken for a scheme
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
INSTALL_HINT = "pip install 'specdsl[dask]' (and s3fs, gcsfs, ... for the URL's storage)"


class UrlUnavailable(ValueError):
    """A URL that cannot be read here: fsspec (or the scheme's package) is not installed."""


def is_url(text: str) -> bool:
    return bool(_SCHEME.match(str(text)))


def filesystem(url: str):
    """The fsspec filesystem of ``url`` and the path inside it."""
    try:
        import fsspec.core
    except ImportError:
        raise UrlUnavailable(f"reading {url} needs fsspec: {INSTALL_HINT}") from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # fsspec knows the scheme but its package (s3fs, gcsfs, ...) is missing
        raise UrlUnavailable(f"reading {url} needs a package fsspec names: {exc}") from None
    except ValueError as exc:  # an unknown scheme
        raise UrlUnavailable(f"cannot read {url}: {exc}") from None


def open_binary(path: str) -> BinaryIO:
    """``path`` opened for reading bytes: a plain path as a local file, a URL through fsspec."""
    if not is_url(path):
        return open(path, "rb")
    fs, inner = filesystem(path)
    return fs.open(inner, "rb")


@dataclass(frozen=True, slots=True)
class UrlPath:
    """A URL standing in for the :class:`~pathlib.Path` a reader takes (``str()`` gives the URL back, so
    records, findings and errors name the URL as given)."""

    url: str

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        return PurePosixPath(self.url.split("://", 1)[1]).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    def is_dir(self) -> bool:
        return False

    def open(self) -> BinaryIO:
        return open_binary(self.url)

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def head(self, size: int) -> bytes:
        with self.open() as handle:
            return handle.read(size)


def file_size(path: str) -> int:
    """Bytes in the file at ``path``, a local path or a URL."""
    if not is_url(path):
        import os

        return os.stat(path).st_size
    fs, inner = filesystem(path)
    return int(fs.size(inner))


def as_path(path: str):
    """What a reader takes for ``path``: a :class:`UrlPath` for a URL, else a local Path."""
    from pathlib import Path

    return UrlPath(path) if is_url(path) else Path(path)


def native_kind(url: str, fmt: str | None) -> str:
    """``"lines"`` or ``"document"`` for a native export at ``url``; other formats are not read from URLs."""
    from specdsl.data.readers import ReaderError
    from specdsl.data.readers.detect import SNIFF_BYTES, detect_json_format
    from specdsl.data.readers.native import is_json_lines

    path = UrlPath(url)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        found = fmt or "native"
    else:
        head = path.head(SNIFF_BYTES)
        found = fmt or detect_json_format(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if found != "native":
        what = f"a {found} export" if found else "not a native JSON or JSON Lines export"
        raise ReaderError(url, None, None, f"{what}: only native JSON and JSON Lines exports are read from URLs "
                          "(copy it to a local file to read another format)")
    if path.suffix.lower() == ".json":
        return "document"
    return "lines" if is_json_lines(path, path.read_bytes()) else "document"


def read_items(path: str, fmt: str | None, options):
    """The records and read issues of one export file: ``read_export`` for a plain path; for a URL, the
    native reader over its bytes with the mapping applied as ``read_export`` applies it."""
    from specdsl.data.readers import read_export

    if not is_url(path):
        return read_export(path, fmt, options)
    from specdsl.data.readers.native import read_native

    native_kind(path, fmt)
    items = read_native(UrlPath(path), options)
    if options.mapping is None:
        return items
    from specdsl.data.mapping import apply_mapping
    from specdsl.data.records import ImageRecord

    return (apply_mapping(item, options.mapping) if isinstance(item, ImageRecord) else item for item in items)
