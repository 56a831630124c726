"""The grammar ships inside the wheel: a non-editable install runs ``specc`` from any directory.

The wheel is built offline (``python -m build --no-isolation``: hatchling comes from the dev extras, nothing is
downloaded) into a temporary folder, unpacked there, and run from another directory with the checkout off the
path.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, SPECS

GRAMMAR = ROOT / "grammars" / "spec.lark"
# Run in the unpacked wheel: the parser and CLI must come from there, the grammar too, and compile must work.
FROM_THE_WHEEL = """
import sys
site, spec = sys.argv[1], sys.argv[2]
sys.path.insert(0, site)
import specdsl.cli.main as cli
import specdsl.syntax.parser as parser
assert parser.__file__.startswith(site), parser.__file__
sys.stdout.write(parser.grammar_text())
sys.exit(cli.main(["compile", spec]))
"""


@pytest.mark.slow
def test_wheel_contains_the_grammar_and_runs_from_elsewhere(tmp_path) -> None:
    for needed in ("build", "hatchling"):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"building the wheel offline needs {needed} (pip install -e '.[dev]')")
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("specdsl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("specdsl/grammars/spec.lark") == GRAMMAR.read_bytes()
        archive.extractall(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-I", "-c", FROM_THE_WHEEL, str(tmp_path / "site"),
                           str(SPECS / "lanes.spec")], cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(GRAMMAR.read_text(encoding="utf-8"))
