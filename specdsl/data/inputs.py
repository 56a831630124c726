"""Export arguments as files, directories of shards and glob patterns (contract: SCALE.md, "Inputs").

A path that exists is taken as it is, except a directory that is not itself an export (OpenLane and
CULane exports are folders): that one is a folder of shards, read in sorted path order. An argument that
names nothing but holds ``*``, ``?`` or ``[`` is a glob pattern (``**`` crosses folders), quoted by the
user so the shell leaves it alone; its matches are read in sorted path order.
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
