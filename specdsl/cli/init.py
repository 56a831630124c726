"""``specc init --from FILE... [-o SPEC] [--force]``: draft a spec from configs and exports a team has."""

from __future__ import annotations

from pathlib import Path

from specdsl.cli.common import EXIT_OK, UsageError, err_console, write_out


def register(sub) -> None:
    parser = sub.add_parser("init", help="draft a spec from a labeling config or exports (and a mapping)")
    parser.add_argument("--from", dest="sources", nargs="+", required=True, metavar="FILE",
                        help="Label Studio config XML, CVAT labels JSON, or exports in any format specc reads")
    parser.add_argument("-o", "--output", metavar="SPEC",
                        help="write the spec here (the mapping beside it as STEM.mapping.toml); default: stdout")
    parser.add_argument("--input-format", metavar="NAME", help="format of the exports (default: detected)")
    parser.add_argument("--name", help="the spec's name (default: the output's stem, else 'draft')")
    parser.add_argument("--force", action="store_true", help="overwrite an existing spec and mapping")
    parser.set_defaults(run=run)


def run(args) -> int:
    from specdsl.data.readers import ReaderError
    from specdsl.init import Draft, draft_spec, observe_export, read_config

    output = Path(args.output) if args.output else None
    mapping_path = output.with_name(output.stem + ".mapping.toml") if output else None
    if output is not None and not args.force:
        for path in (output, mapping_path):
            if path.exists():
                raise UsageError(f"{path} exists: pass --force to overwrite it")
    draft = Draft()
    try:
        for name in args.sources:
            path = Path(name)
            if not path.exists():
                raise UsageError(f"{name}: no such file")
            if read_config(draft, path):
                draft.sources.append(name)
            else:
                observe_export(draft, path, args.input_format)
    except ReaderError as exc:
        raise UsageError(str(exc)) from None
    result = draft_spec(draft, args.name or (output.stem if output else "draft"))
    console = err_console()
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if output is None:
        write_out(result.spec_text)
        if result.mapping_text:
            console.print("the sources' names need a mapping (write the spec with -o to get it):", highlight=False)
            console.print(result.mapping_text, highlight=False, markup=False)
        return EXIT_OK
    _write(output, result.spec_text)
    check = f"specc check {output} EXPORT..."
    if result.mapping_text:
        _write(mapping_path, result.mapping_text)
        check += f" --mapping {mapping_path}"
    elif mapping_path.exists() and args.force:
        mapping_path.unlink()  # a stale mapping beside a spec that needs none would mislead
    console.print(f"wrote {output}" + (f" and {mapping_path}" if result.mapping_text else ""), highlight=False)
    console.print(f"check the exports with: {check}", highlight=False, markup=False)
    return EXIT_OK


def _write(path: Path, text: str) -> None:
    """Atomic: a temporary file beside the target, renamed over it once fully written."""
    import os
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


__all__ = ["register", "run"]
