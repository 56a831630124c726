"""Older versions of a spec read from git (``--history REV-RANGE``), for labels made several versions ago."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from specdsl import ir
from specdsl.compiler import compile_source
from specdsl.gitrev import SpecReadError, show_at_revision, split_rev
from specdsl.source import Source


@dataclass(frozen=True)
class History:
    specs: dict[int, ir.Spec]  # version -> the newest commit's spec of that version
    skipped: tuple[str, ...]  # commits whose spec did not compile or was another spec


def read_history(spec_arg: str, rev_range: str, name: str) -> History:
    """Every version of the spec file in ``rev_range``, newest commit first wins.

    ``rev_range`` is ``git log`` syntax except that ``A..B`` includes ``A`` itself: ``v1..HEAD``
    means "from v1 on", so version 1 is read too (git's own range would leave v1 out).
    """
    path, _ = split_rev(spec_arg)
    specs: dict[int, ir.Spec] = {}
    skipped: list[str] = []
    for commit in _commits(path, rev_range):
        label = f"{path}@{commit[:12]}"
        result = compile_source(Source(label, show_at_revision(path, commit)))
        if result.spec is None or result.spec.name != name:
            skipped.append(label)
            continue
        specs.setdefault(result.spec.version, result.spec)
    return History(specs, tuple(skipped))


def log_arguments(rev_range: str) -> list[str]:
    """``A..B`` -> ``B --not A^@``: everything reachable from B but not from A's parents, so A is in."""
    start, dots, end = rev_range.partition("..")
    if not dots or end.startswith("."):  # a single revision, or A...B (symmetric difference): as git reads it
        return [rev_range]
    return [end or "HEAD", "--not", f"{start or 'HEAD'}^@"]


def _commits(path: str, rev_range: str) -> list[str]:
    target = Path(path).resolve()
    command = ["git", "log", "--format=%H", *log_arguments(rev_range), "--", target.name]
    try:
        proc = subprocess.run(command, cwd=target.parent, capture_output=True, check=False)
    except (FileNotFoundError, NotADirectoryError):
        raise SpecReadError(f"cannot read the history of {path}: git or the directory is missing") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise SpecReadError(f"cannot read the history of {path} in {rev_range}: "
                            f"{message[-1] if message else 'git log failed'}")
    return proc.stdout.decode().split()
