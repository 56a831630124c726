"""A cache of compiled specs, so that ``specc check`` in CI does not rebuild the parser for every export.

The key is the spec's text and name plus a fingerprint of the compiler's own source files,
so editing either one misses the cache. Only specs that compile are cached. The cache lives in
``$SPECDSL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/specdsl`` or ``~/.cache/specdsl``); set
``SPECDSL_NO_CACHE=1`` to bypass it. Entries are pickles written by this program for this user.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from specdsl import __version__
from specdsl.source import Source

_PACKAGE = Path(__file__).resolve().parent
_COMPILER_PARTS = ("compiler", "syntax", "grammars", "ir.py", "check_id.py", "diagnostics.py", "source.py")


@dataclass(frozen=True)
class CachedResult:
    """What the check path reads of a compile result (the AST is not kept)."""

    source: Source
    spec: object
    diagnostics: tuple = ()
    ast: None = None
    ok: bool = True


def cache_dir() -> Path | None:
    if os.environ.get("SPECDSL_NO_CACHE"):
        return None
    explicit = os.environ.get("SPECDSL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "specdsl"


def writable_cache_dir() -> Path | None:
    """The cache directory, created private to this user (0700); None when caching is off or impossible."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return directory if os.access(directory, os.W_OK) else None


def _compiler_fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    for part in _COMPILER_PARTS:
        root = _PACKAGE / part
        if not root.exists():
            root = _PACKAGE.parent / part  # the grammar outside the package, in a source checkout
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.suffix in (".py", ".lark") and path.exists():
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _entry(directory: Path, source: Source) -> Path:
    key = hashlib.sha256(f"{_compiler_fingerprint()}\0{source.name}\0{source.text}".encode()).hexdigest()
    return directory / f"{key}.pickle"


def load(source: Source) -> CachedResult | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        with open(_entry(directory, source), "rb") as handle:
            spec, diagnostics = pickle.load(handle)
    except Exception:  # noqa: BLE001 - an entry that cannot be read back (any way) is a miss, not a failure
        return None
    return CachedResult(source, spec, diagnostics)


def store(result) -> None:
    """Keep a successful compile; a cache that cannot be written is silently skipped.

    Anything may fail here (a full disk, a spec whose IR is too deep to pickle, a value pickle
    refuses), and none of it may turn a spec that compiled into a failure: the entry is just not kept.
    """
    directory = writable_cache_dir() if result.ok else None
    if directory is None:
        return
    temporary: str | None = None
    try:
        target = _entry(directory, result.source)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as handle:
            temporary = handle.name
            pickle.dump((result.spec, result.diagnostics), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except Exception:  # noqa: BLE001 - caching is an optimisation; see the docstring
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
