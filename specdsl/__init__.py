"""specdsl: label specs as code.

The public API is small and lazy: importing :mod:`specdsl` loads neither lark nor
numpy nor torch; each stage is imported when first used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "compile_file", "compile_text", "SpecError"]


def __getattr__(name: str):
    if name in {"compile_file", "compile_text"}:
        from specdsl import compiler

        return getattr(compiler, name)
    if name == "SpecError":
        from specdsl.diagnostics import SpecError

        return SpecError
    raise AttributeError(name)
