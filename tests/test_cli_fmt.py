"""``specc fmt`` end to end: in-place rewrite, --check, --diff, syntax errors, stdin."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run_specc

GOLDEN = Path(__file__).parent / "golden" / "fmt"
MESSY = (GOLDEN / "messy_comments.input.spec").read_text(encoding="utf-8")
CANONICAL = (GOLDEN / "messy_comments.output.spec").read_text(encoding="utf-8")
BROKEN = "spec broken version 1\n\nclass lane_line polyline {\n  color: string\n}\n"


def specc(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_specc("fmt", *args, stdin=stdin)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / f"{name}.spec" for name in ("messy", "clean", "broken")}
    paths["messy"].write_text(MESSY, encoding="utf-8")
    paths["clean"].write_text(CANONICAL, encoding="utf-8")
    paths["broken"].write_text(BROKEN, encoding="utf-8")
    return paths


def test_rewrites_in_place_and_leaves_canonical_files_alone(files: dict[str, Path]) -> None:
    clean_stat = files["clean"].stat()
    result = specc(str(files["messy"]), str(files["clean"]))
    assert result.returncode == 0, result.stderr
    assert files["messy"].read_text(encoding="utf-8") == CANONICAL
    assert files["clean"].stat().st_mtime_ns == clean_stat.st_mtime_ns  # not rewritten
    assert files["clean"].stat().st_ino == clean_stat.st_ino
    assert "reformatted" in result.stderr
    assert str(files["messy"]) in result.stderr
    assert result.stdout == ""
    assert [p.name for p in files["messy"].parent.iterdir() if p.name.endswith(".tmp")] == []


def test_rewrite_keeps_the_file_mode(files: dict[str, Path]) -> None:
    files["messy"].chmod(0o640)
    assert specc(str(files["messy"])).returncode == 0
    assert files["messy"].stat().st_mode & 0o777 == 0o640


def test_check_lists_files_that_would_change_and_writes_nothing(files: dict[str, Path]) -> None:
    result = specc("--check", str(files["messy"]), str(files["clean"]))
    assert result.returncode == 1
    assert str(files["messy"]) in result.stderr
    assert str(files["clean"]) not in result.stderr
    assert files["messy"].read_text(encoding="utf-8") == MESSY
    assert result.stdout == ""
    assert specc("--check", str(files["clean"])).returncode == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(files: dict[str, Path]) -> None:
    result = specc("--diff", str(files["messy"]), str(files["clean"]))
    assert result.returncode == 0
    assert result.stdout.startswith(f"--- {files['messy']}\n+++ {files['messy']}\n@@ ")
    assert "-spec   messy version 2   # trailing the header\n" in result.stdout
    assert "+spec messy version 2  # trailing the header\n" in result.stdout
    assert str(files["clean"]) not in result.stdout
    assert files["messy"].read_text(encoding="utf-8") == MESSY
    assert specc("--diff", "--check", str(files["messy"])).returncode == 1


def test_diff_applies_as_a_patch(files: dict[str, Path], tmp_path: Path) -> None:
    """The diff is real: applied with difflib's own reading of it, it gives the formatted text."""
    diff = specc("--diff", str(files["messy"])).stdout
    patched = _apply(MESSY, diff)
    assert patched == CANONICAL


def test_a_syntax_error_is_reported_and_other_files_still_formatted(files: dict[str, Path]) -> None:
    result = specc(str(files["broken"]), str(files["messy"]))
    assert result.returncode == 2
    assert "error[E0001]: unexpected name 'polyline'" in result.stderr
    assert f"--> {files['broken']}:3:17" in result.stderr
    assert "class lane_line polyline {" in result.stderr
    assert files["broken"].read_text(encoding="utf-8") == BROKEN
    assert files["messy"].read_text(encoding="utf-8") == CANONICAL


def test_stdin_to_stdout(files: dict[str, Path]) -> None:
    result = specc("-", stdin=MESSY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == CANONICAL
    check = specc("--check", "-", stdin=MESSY)
    assert check.returncode == 1
    assert check.stdout == ""
    assert "<stdin>" in check.stderr
    broken = specc("-", stdin=BROKEN)
    assert broken.returncode == 2
    assert "<stdin>:3:17" in broken.stderr
    assert broken.stdout == ""


def test_crlf_files_are_rewritten_with_lf(files: dict[str, Path]) -> None:
    files["clean"].write_bytes(CANONICAL.replace("\n", "\r\n").encode("utf-8"))
    assert specc("--check", str(files["clean"])).returncode == 1
    assert specc(str(files["clean"])).returncode == 0
    assert files["clean"].read_bytes() == CANONICAL.encode("utf-8")


def test_a_directory_stands_for_its_spec_files(files: dict[str, Path]) -> None:
    nested = files["clean"].parent / "more" / "deeper.spec"
    nested.parent.mkdir()
    nested.write_text(MESSY, encoding="utf-8")
    (nested.parent / "notes.txt").write_text("not a spec", encoding="utf-8")
    result = specc("--check", str(files["clean"].parent))
    assert result.returncode == 2  # broken.spec is in there too
    assert "would reformat" in result.stderr
    assert str(nested) in result.stderr
    assert str(files["messy"]) in result.stderr
    assert "notes.txt" not in result.stderr


def test_a_missing_file_is_an_input_error(files: dict[str, Path]) -> None:
    result = specc(str(files["clean"].parent / "nope.spec"), str(files["messy"]))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert "nope.spec" in result.stderr
    assert files["messy"].read_text(encoding="utf-8") == CANONICAL


def _apply(original: str, diff: str) -> str:
    """Apply a single-file unified diff (enough of ``patch`` for this test)."""
    lines = original.split("\n")
    out: list[str] = []
    at = 0
    body = diff.split("\n")[2:]
    for line in body:
        if line.startswith("@@"):
            start = int(line.split()[1].split(",")[0].lstrip("-")) - 1
            out += lines[at:start]
            at = start
        elif line.startswith(" "):
            out.append(line[1:])
            at += 1
        elif line.startswith("-"):
            at += 1
        elif line.startswith("+"):
            out.append(line[1:])
    return "\n".join(out + lines[at:])
