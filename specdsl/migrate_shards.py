"""``specc migrate SPEC FOLDER|PATTERN -o OUT``: an export of several shards migrated shard by shard.

OUT is a folder; each shard is written to its path relative to the export's root (the folder given, or
for a pattern the folder before its first wildcard) under OUT, so ``exports/2026-11-*/*.jsonl -o new``
writes ``new/2026-11-01/a.jsonl``. All or nothing: every shard is migrated into a hidden staging folder
inside OUT first (hidden folders are never read as shards), and only when all of them succeeded are the
files moved into place, each by one rename. No output may be an input, and OUT may not lie inside the
export's root, where the next run would read the migrated files as shards of the input.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from specdsl import ir
from specdsl.atomic import TEMP_MARK, same_file
from specdsl.migrate import MigrationError, MigrationReport, migrate_file


def shard_root(argument: str) -> Path:
    """The folder shard paths are taken relative to: the folder itself, or a pattern's fixed prefix."""
    from specdsl.data.inputs import GLOB_CHARACTERS

    path = Path(argument)
    if path.is_dir():
        return path
    fixed = []
    for part in path.parts:
        if GLOB_CHARACTERS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def migrate_shards(spec: ir.Spec, shards: list[str], root: Path, out: Path,
                   known: Mapping[int, ir.Spec] | None = None, labeled_under: int | None = None) -> MigrationReport:
    targets = [(Path(shard), out / Path(shard).relative_to(root)) for shard in shards]
    _refuse_overlap(root, out, targets)
    if out.exists() and not out.is_dir():
        raise MigrationError(f"-o {out} is a file: an export of several shards is migrated into a folder")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f"{TEMP_MARK}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)  # this pid's leftover: stale, the process is this one
    try:
        reports = [_stage(spec, source, staging / target.relative_to(out), known, labeled_under)
                   for source, target in targets]
    except BaseException:
        shutil.rmtree(out if created else staging, ignore_errors=True)  # a failed run leaves no trace
        raise
    try:
        for _, target in targets:  # all migrated: now each file takes its place by one rename
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / target.relative_to(out), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _total(reports)


def _stage(spec: ir.Spec, source: Path, staged: Path, known, labeled_under: int | None) -> MigrationReport:
    staged.parent.mkdir(parents=True, exist_ok=True)
    return migrate_file(spec, source, staged, known, labeled_under)


def _refuse_overlap(root: Path, out: Path, targets: list[tuple[Path, Path]]) -> None:
    resolved_root, resolved_out = root.resolve(), out.resolve()
    if resolved_out == resolved_root or resolved_root in resolved_out.parents:
        raise MigrationError(f"refusing to write into {out}: it is inside the export's folder {root}, whose "
                             "shards would be read again; give -o a folder outside it")
    for source, target in targets:
        if same_file(source, target):
            raise MigrationError(f"refusing to write over the input {source}: give another -o")


def _total(reports: list[MigrationReport]) -> MigrationReport:
    first = reports[0]
    counts = {key: sum(getattr(r, key) for r in reports) for key in first.to_dict()}
    notes = tuple(dict.fromkeys(note for r in reports for note in r.notes))
    return replace(first, **counts, notes=notes, held=tuple(h for r in reports for h in r.held))
