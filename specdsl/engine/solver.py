"""scipy's ``linear_sum_assignment``, without importing ``scipy.optimize``.

``import scipy.optimize`` takes about half a second (it brings scipy.linalg, scipy's array API layer,
numpy.testing ...), a good part of a small ``suspect`` or ``agree`` run. The solver itself is the C extension
``scipy.optimize._lsap``, which needs numpy only: it is loaded from its file. Where that fails (another
layout of scipy), ``scipy.optimize`` is imported as usual; it is the same function either way.
"""

from __future__ import annotations

import sys
from functools import cache


def linear_sum_assignment(cost):
    return solver()(cost)


@cache
def solver():
    """The solver function, loaded once."""
    if "scipy.optimize" in sys.modules:
        return sys.modules["scipy.optimize"].linear_sum_assignment
    try:
        return _extension().linear_sum_assignment
    except (ImportError, OSError, AttributeError, ValueError):
        from scipy.optimize import linear_sum_assignment as imported

        return imported


def _extension():
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("scipy")
    if package is None or package.origin is None:
        raise ImportError("scipy")
    folder = Path(package.origin).parent / "optimize"
    found = [folder / f"_lsap{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
             if (folder / f"_lsap{suffix}").is_file()]
    if not found:
        raise ImportError("scipy.optimize._lsap")
    loader = importlib.machinery.ExtensionFileLoader("scipy.optimize._lsap", str(found[0]))
    spec = importlib.util.spec_from_file_location("scipy.optimize._lsap", str(found[0]), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
