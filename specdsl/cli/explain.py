"""``specc explain CODE``: documentation of a diagnostic code, a change ID, or (with --spec) a check."""

from __future__ import annotations

from specdsl.cli.common import EXIT_OK, UsageError, compile_or_exit, write_out


def register(sub) -> None:
    parser = sub.add_parser("explain", help="explain a diagnostic code, change ID, or a spec's check")
    parser.add_argument("code", help="e.g. E0104, ENUM_VALUE_REMOVED, or a rule name with --spec")
    parser.add_argument("--spec", help="a spec whose rule, quota or constraint to explain")
    parser.set_defaults(run=run)


def run(args) -> int:
    text = _from_codes(args.code) or _from_changes(args.code)
    if text is None and args.spec:
        text = _from_spec(args.spec, args.code)
    if text is None:
        raise UsageError(f"no documentation for '{args.code}': not a diagnostic code or change ID"
                         + ("" if args.spec else " (give --spec SPEC to explain a rule or constraint)"))
    write_out(text)
    return EXIT_OK


def _from_codes(code: str) -> str | None:
    from specdsl.codes import explain_code

    return explain_code(code)


def _from_changes(code: str) -> str | None:
    try:
        from specdsl.diff.explain import explain_change
    except ImportError:
        return None
    return explain_change(code.upper())


def _from_spec(spec_arg: str, name: str) -> str | None:
    spec = compile_or_exit(spec_arg).spec
    for rule in spec.rules:
        if rule.name == name:
            return f"rule {rule.name} ({rule.severity}) at {rule.loc}\n\n{rule.message}\n\nrequire {rule.text}\n"
    for quota in spec.quotas:
        if quota.name == name:
            return f"quota {quota.name} ({quota.severity}) at {quota.loc}\n\n{quota.message}\n\n{quota.text}\n"
    for cls in spec.classes:
        for constraint in cls.constraints:
            if str(constraint.check) == name:
                return (f"{constraint.check} (error) at {constraint.loc}\n\n{constraint.message}\n\n"
                        f"require {constraint.text}\n")
    return None
