"""``specc test SPEC``: run the spec's ``example`` blocks as tests.

A ``valid`` example must fire nothing; an ``invalid CHECK`` example must fire CHECK.
"""

from __future__ import annotations

from specdsl.cli.common import EXIT_FINDINGS, EXIT_OK, compile_or_exit, err_console, styled, write_out


def register(sub) -> None:
    parser = sub.add_parser("test", help="run the spec's examples as tests")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def example_outcome(spec, example) -> tuple[bool, list]:
    """(passed, findings) of one example."""
    from specdsl.validate import check_example

    findings = check_example(spec, example)
    if example.valid:
        return not findings, findings
    return any(f.check_id == example.check for f in findings), findings


def run(args) -> int:
    spec = compile_or_exit(args.spec).spec
    results = [(example, *example_outcome(spec, example)) for example in spec.examples]
    if args.format == "json":
        import orjson

        write_out(orjson.dumps([_record(e, ok, f) for e, ok, f in results], option=orjson.OPT_INDENT_2).decode())
    else:
        _print_text(results)
    return EXIT_OK if all(ok for _, ok, _ in results) else EXIT_FINDINGS


def _record(example, ok: bool, findings: list) -> dict:
    return {"example": example.title, "expect": "valid" if example.valid else f"invalid {example.check}",
            "passed": ok, "location": str(example.loc), "fired": sorted({f.check for f in findings})}


def _print_text(results) -> None:
    console = err_console()
    for example, ok, findings in results:
        mark = styled("ok  ", "green") if ok else styled("FAIL", "bold red")
        console.print(mark + f" {example.loc}: example \"{example.title}\"")
        if not ok:
            console.print("      " + _why(example, findings))
    failed = sum(not ok for _, ok, _ in results)
    passed = len(results) - failed
    write_out(f"{passed} passed, {failed} failed")


def _why(example, findings: list) -> str:
    fired = sorted({f.check for f in findings})
    if example.valid:
        details = "; ".join(f"{f.check} on {', '.join(f.objects) or 'the image'}: {f.message}" for f in findings[:5])
        return f"expected no finding, but {', '.join(fired)} fired ({details})"
    return f"expected {example.check} to fire, but " + (f"only {', '.join(fired)} fired" if fired else "nothing fired")
