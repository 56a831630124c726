"""docs/ci.md and .pre-commit-hooks.yaml: the documented commands are real `specc` command lines."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from specdsl.report import RENDERERS

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
HOOKS = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
INPUT = ROOT / "tests" / "golden" / "report" / "input"


def documented_commands() -> list[list[str]]:
    commands = []
    for line in DOC.splitlines():
        match = re.search(r"(?:^|- |run: )(specc (?:check|compile) .*)$", line.strip())
        if match:
            commands.append(shlex.split(match[1].split(" > ")[0])[1:])  # without a shell redirection
    return commands


def check_parser() -> argparse.ArgumentParser:
    from specdsl.cli import check
    from specdsl.cli import compile as compile_command

    parser = argparse.ArgumentParser(prog="specc", exit_on_error=False)
    sub = parser.add_subparsers(dest="command", required=True)
    check.register(sub)
    compile_command.register(sub)
    return parser


def test_the_commands_the_brief_fixed_are_documented_verbatim() -> None:
    assert ("specc check specs/lanes.spec specs/examples/lanes.json --format sarif --output-file specc.sarif"
            in DOC)
    assert "specc check specs/lanes.spec specs/examples/lanes.json --format github" in DOC


def test_every_documented_command_parses_with_the_real_cli() -> None:
    commands = documented_commands()
    assert len(commands) >= 6
    parser = check_parser()
    formats = set()
    for argv in commands:
        args = parser.parse_args(argv)  # raises on an option the CLI does not have
        formats.add(getattr(args, "format", None))
    assert {"github", "sarif", "gitlab", "junit"} <= formats <= set(RENDERERS) | {None}


def test_pre_commit_hooks_name_the_documented_commands() -> None:
    ids = re.findall(r"^- id: (\S+)$", HOOKS, flags=re.MULTILINE)
    assert ids == ["specc-fmt", "specc-compile"]
    assert HOOKS.count(r"files: \.spec$") == 2
    assert "entry: specc fmt --check\n" in HOOKS
    assert "specc compile" in HOOKS


def compile_hook_entry() -> list[str]:
    block = HOOKS.split("- id: specc-compile", 1)[1]
    entry = re.search(r"^\s+entry: (.*)$", block, flags=re.MULTILINE)[1]
    return shlex.split(entry)  # pre-commit splits `entry` the same way


def test_compile_hook_compiles_every_file_and_keeps_the_failure(tmp_path: Path) -> None:
    shim = tmp_path / "bin" / "specc"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m specdsl.cli.main "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    broken = tmp_path / "broken.spec"
    broken.write_text((INPUT / "lanes.spec").read_text(encoding="utf-8").replace("in lane_line", "in lane_lin"),
                      encoding="utf-8")
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "NO_COLOR": "1"}

    def run_hook(*specs: Path) -> subprocess.CompletedProcess:
        return subprocess.run([*compile_hook_entry(), *map(str, specs)], check=False, env=env,
                              capture_output=True, text=True)

    good = run_hook(INPUT / "lanes.spec")
    assert good.returncode == 0, good.stderr
    both = run_hook(broken, INPUT / "lanes.spec")
    assert both.returncode == 2
    assert "lane_lin" in both.stdout + both.stderr
