"""Export arguments as files, directories of shards and glob patterns (contract: SCALE.md, "Inputs").

A path that exists is taken as it is, except a directory that is not itself an export (OpenLane and
CULane exports are folders): that one is a folder of shards, read in sorted path order. An argument that
names nothing but holds ``*``, ``?`` or ``[`` is a glob pattern (``**`` crosses folders), quoted by the
user so the shell leaves it alone; its matches are read in sorted path order. A URL with a scheme
(``s3://bucket/exports/*.jsonl``) is expanded the same way through fsspec (see data/remote.py).
"""

from __future__ import annotations

import glob
from pathlib import Path

SHARD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".xml")
GLOB_CHARACTERS = frozenset("*?[")


class NoExport(ValueError):
    """An argument that names no file, folder or matching pattern."""


def expand_input(argument: str, fmt: str | None = None) -> list[str]:
    """The export files (or folder exports) one argument stands for, in sorted path order."""
    from specdsl.data.remote import is_url

    if is_url(argument):
        return _expand_url(argument)
    path = Path(argument)
    if path.exists():
        return _expand_path(path, fmt, argument)
    if GLOB_CHARACTERS & set(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        expanded = [shard for match in matches for shard in _expand_path(Path(match), fmt, match)]
        if not expanded:
            raise NoExport(f"no export matches {argument}")
        return expanded
    raise NoExport(f"cannot read export {argument}: no such file")


def _expand_path(path: Path, fmt: str | None, as_given: str) -> list[str]:
    if not path.is_dir() or _is_folder_export(path, fmt):
        return [as_given]
    shards = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in SHARD_SUFFIXES and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not shards:
        raise NoExport(f"{as_given}: the folder holds no export files ({', '.join(SHARD_SUFFIXES)})")
    return shards


def _is_folder_export(path: Path, fmt: str | None) -> bool:
    from specdsl.data.readers import ReaderError, detect_format

    if fmt is not None:
        return fmt in ("culane", "openlane")
    try:
        return detect_format(path) in ("culane", "openlane")
    except ReaderError:
        return False


def export_name(argument: str) -> str:
    """A short name for what an argument stands for (a labeler, a label set): the file or folder's stem,
    or for a pattern the last folder before its first wildcard (``exports/alice/*.jsonl``: ``alice``)."""
    if not GLOB_CHARACTERS & set(argument):
        return Path(argument).stem or argument
    fixed = []
    for part in argument.split("/"):
        if GLOB_CHARACTERS & set(part):
            break
        fixed += [part] if part else []
    return Path(fixed[-1]).stem if fixed else argument


def _expand_url(url: str) -> list[str]:
    """A URL's files through fsspec: the file as given, the export files under a folder, or a pattern's
    matches (folders among them expanded), each a URL of the same scheme, in sorted path order."""
    from specdsl.data.remote import filesystem

    fs, inner = filesystem(url)
    if fs.exists(inner):
        if not fs.isdir(inner):
            return [url]
        shards = _folder_shards(fs, inner, url)
    elif GLOB_CHARACTERS & set(inner):
        matches = sorted(fs.glob(inner))
        shards = [shard for match in matches for shard in (_folder_shards(fs, match, url) if fs.isdir(match)
                                                           else [match])]
        if not shards:
            raise NoExport(f"no export matches {url}")
    else:
        raise NoExport(f"cannot read export {url}: no such file")
    return [fs.unstrip_protocol(shard) for shard in shards]


def _folder_shards(fs, folder: str, url: str) -> list[str]:
    prefix = folder.rstrip("/") + "/"
    shards = sorted(p for p in fs.find(folder) if Path(p).suffix.lower() in SHARD_SUFFIXES
                    and not any(part.startswith(".") for part in p.removeprefix(prefix).split("/")))
    if not shards:
        raise NoExport(f"{url}: the folder holds no export files ({', '.join(SHARD_SUFFIXES)})")
    return shards
