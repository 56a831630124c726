"""Type-checking declared fixes (``fix ACTION`` after a require) and lowering them to :class:`ir.Fix`.

What is checked: every variable a rule's fix names is bound by the rule's ``for``; ``set``'s attribute
exists on that object's class and the value fits its type; ``join`` binds two different polyline
variables; ``clip`` acts on a geometry that has an extent to clip (box, polygon, polyline).
"""

from __future__ import annotations

from specdsl import ir
from specdsl.compiler.symbols import ClassInfo, Symbols, literal_value
from specdsl.diagnostics import DiagnosticSink, did_you_mean
from specdsl.syntax import ast
from specdsl.syntax.node_text import fix_action_text
from specdsl.values import value_problem

CLIPPABLE = ("box", "polygon", "polyline")


class FixChecker:
    def __init__(self, symbols: Symbols, sink: DiagnosticSink):
        self.symbols = symbols
        self.sink = sink

    def class_fix(self, fix: ast.Fix, info: ClassInfo) -> ir.Fix | None:
        """A fix after a class's require: it acts on the class's own object."""
        return self._checked(fix, {None: info}, frozenset())

    def rule_fix(self, fix: ast.Fix, variables: dict[str, ClassInfo], broken: frozenset[str]) -> ir.Fix | None:
        targets: dict[str | None, ClassInfo] = {}
        for var in fix.targets:
            if var in broken:
                return None  # its `for` is already reported
            if var not in variables:
                self.sink.error("E0160", f"fix names '{var}', which the rule does not bind", fix.span,
                                "unbound variable", help=did_you_mean(var, variables)
                                or "bound here: " + (", ".join(variables) or "nothing (the rule has no 'for')"))
                return None
            targets[var] = variables[var]
        return self._checked(fix, targets, broken)

    def _checked(self, fix: ast.Fix, targets: dict[str | None, ClassInfo], broken) -> ir.Fix | None:
        ok = True
        value = None
        if fix.action == "set":
            value = self._set_value(fix, next(iter(targets.values())))
            ok = value is not _BAD
        elif fix.action == "clip":
            ok = self._clippable(fix, next(iter(targets.values())))
        elif fix.action == "join":
            ok = self._joinable(fix, targets)
        if not ok:
            return None
        return ir.Fix(fix.action, fix.targets, fix.attribute, value, fix.unsafe, fix_action_text(fix),
                      self.symbols.loc(fix.span))

    def _set_value(self, fix: ast.Fix, info: ClassInfo):
        attr = info.attributes.get(fix.attribute)
        if attr is None:
            self.sink.error("E0161", f"class {info.decl.name} has no attribute '{fix.attribute}' to set", fix.span,
                            "no such attribute", help=did_you_mean(fix.attribute, info.attributes)
                            or "attributes: " + (", ".join(info.attributes) or "none"))
            return _BAD
        value = literal_value(fix.value)
        problem = value_problem(value, attr.type)
        if problem is not None:
            self.sink.error("E0162", f"fix sets {info.decl.name}.{attr.name} to a value that does not fit its type "
                            f"{attr.type.describe()}: {problem}", fix.value.span, "wrong value",
                            help=f"write a value of type {attr.type.describe()}")
            return _BAD
        return value

    def _clippable(self, fix: ast.Fix, info: ClassInfo) -> bool:
        if info.geometry in CLIPPABLE:
            return True
        self.sink.error("E0163", f"a {info.geometry} cannot be clipped to the image", fix.span, "not clippable",
                        help="clip works on " + ", ".join(CLIPPABLE) + "; use `fix delete` for the rest")
        return False

    def _joinable(self, fix: ast.Fix, targets: dict[str | None, ClassInfo]) -> bool:
        first, second = fix.targets
        if first == second:
            self.sink.error("E0164", "fix join needs two different variables", fix.span, "the same object twice",
                            help="write `fix join a, b` with the rule's two polyline variables")
            return False
        wrong = [f"{var} is a {targets[var].geometry}" for var in fix.targets if targets[var].geometry != "polyline"]
        if wrong:
            self.sink.error("E0164", "fix join joins two polylines: " + ", ".join(wrong), fix.span,
                            "not polylines", help="join dashes of a polyline class; boxes and polygons do not join")
            return False
        return True


_BAD = object()  # a set value that failed its check (None is a fine "no value")
