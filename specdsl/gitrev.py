"""Reading a spec as it was at a git revision: ``PATH@REV`` (like ``git show REV:PATH``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class SpecReadError(OSError):
    """The spec file cannot be read (missing file, unknown revision, not a git repository)."""


def split_rev(arg: str) -> tuple[str, str | None]:
    """``specs/lanes.spec@HEAD~1`` -> (path, rev); a plain path, even an existing one with '@', -> (path, None)."""
    if "@" not in arg or Path(arg).exists():
        return arg, None
    path, _, rev = arg.rpartition("@")
    return path, rev or None


def read_spec_text(arg: str) -> str:
    path, rev = split_rev(arg)
    if rev is None:
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc
            raise SpecReadError(f"cannot read spec {path}: {reason}") from None
    return show_at_revision(path, rev)


def read_source(arg: str):
    """A spec as a :class:`~specdsl.source.Source` named as given: a path or ``PATH@REV``."""
    from specdsl.source import Source

    return Source(arg, read_spec_text(arg))


def show_at_revision(path: str, rev: str) -> str:
    target = Path(path).resolve()
    cwd = target.parent if target.parent.exists() else Path.cwd()
    try:
        proc = subprocess.run(["git", "show", f"{rev}:./{target.name}"], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise SpecReadError("git is not installed: cannot read PATH@REV") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise SpecReadError(f"cannot read {path} at {rev}: {message[-1] if message else 'git show failed'}")
    return proc.stdout.decode("utf-8")
