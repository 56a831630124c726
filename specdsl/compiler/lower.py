"""Pass 3: lower each checked declaration to the IR."""

from __future__ import annotations

from specdsl import ir
from specdsl.check_id import CheckId
from specdsl.compiler.examples import lower_example
from specdsl.compiler.fixes import FixChecker
from specdsl.compiler.renames import Later, RenameChains
from specdsl.compiler.symbols import ClassInfo, Symbols
from specdsl.compiler.symmetry import unordered_pair
from specdsl.compiler.typecheck import ExprChecker, Scope
from specdsl.diagnostics import DiagnosticSink, Label, did_you_mean
from specdsl.syntax import ast
from specdsl.syntax.node_text import format_expr

FALSE = ir.EConst(False)


class Lowerer:
    def __init__(self, symbols: Symbols, sink: DiagnosticSink):
        self.symbols = symbols
        self.sink = sink
        self.exprs = ExprChecker(symbols, sink)
        self.fixes = FixChecker(symbols, sink)

    def text(self, node: ast.Node) -> str:
        return self.symbols.source.text[node.span.start:node.span.end]

    def loc(self, node: ast.Node) -> ir.Loc:
        return self.symbols.loc(node.span)

    # ---- classes
    def lower_class(self, decl: ast.ClassDecl) -> ir.Class | None:
        info = self.symbols.classes.get(decl.name)
        if info is None or info.decl is not decl:
            return None  # a duplicate, already reported
        scope = Scope(self_class=info)
        self._check_constraint_names(decl, info)
        constraints = []
        for index, require in enumerate(decl.requires, start=1):
            expr = self.exprs.condition(require.expr, scope, "a require")
            text = self.text(require.expr)
            message = require.doc or f"{decl.name} requires {text}"
            check = CheckId.constraint(decl.name, index, require.name, format_expr(require.expr))
            fix = self.fixes.class_fix(require.fix, info) if require.fix is not None else None
            constraints.append(ir.Constraint(check, index, expr or FALSE, message, text, self.loc(require),
                                             doc=require.doc, fix=fix))
        return ir.Class(decl.name, decl.geometry, decl.doc, tuple(info.attributes.values()), tuple(constraints),
                        self.loc(decl), self._match(decl))

    def _match(self, decl: ast.ClassDecl) -> ir.Match | None:
        """The class's ``match`` line, checked against its geometry (at most one per class)."""
        if not decl.matches:
            return None
        for extra in decl.matches[1:]:
            self.sink.error("E0150", f"class '{decl.name}' has more than one match line", extra.span,
                            "second match", help="keep one: objects are paired by a single score")
        match = decl.matches[0]
        entry = ir.MATCH_SCORES.get(match.score)
        if entry is None:
            self.sink.error("E0150", f"unknown match score '{match.score}'", match.score_span, "no such score",
                            help=did_you_mean(match.score, ir.MATCH_SCORES)
                            or "scores: " + ", ".join(ir.MATCH_SCORES))
            return None
        op, geometries = entry
        if decl.geometry not in geometries:
            self.sink.error("E0150", f"a {decl.geometry} cannot be matched by {match.score}", match.score_span,
                            f"not defined for {decl.geometry}",
                            help="use one of: " + ", ".join(s for s, (_, g) in ir.MATCH_SCORES.items()
                                                            if decl.geometry in g) if decl.geometry != "tag"
                            else "tags pair by class: remove the match line")
            return None
        if match.op != op:
            self.sink.error("E0150", f"{match.score} is matched with '{op}', not '{match.op}'", match.span,
                            f"write {match.score} {op} ...",
                            help="iou is a similarity (higher is closer); distances are lower when closer")
            return None
        threshold = self._match_threshold(match)
        return None if threshold is None else ir.Match(match.score, threshold, True, self.loc(match))

    def _match_threshold(self, match: ast.Match) -> float | None:
        number = match.threshold
        value = float(number.value) / 100 if number.unit == "%" else float(number.value)
        if match.score == "iou":
            if number.unit not in (None, "%") or not 0 <= value <= 1:
                self.sink.error("E0150", "an iou threshold is a number from 0 to 1 (or a percentage)", number.span,
                                "out of range")
                return None
        elif number.unit not in (None, "px"):
            self.sink.error("E0150", f"a {match.score} threshold is a distance in pixels", number.span,
                            f"'{number.unit}' is not a distance", help=f"write e.g. {match.score} <= 15 px")
            return None
        return value

    def _check_constraint_names(self, decl: ast.ClassDecl, info: ClassInfo) -> None:
        """``CLASS.NAME`` names one check: a constraint's name is unique and is not an attribute's."""
        seen: dict[str, ast.Require] = {}
        for require in decl.requires:
            if require.name is None:
                continue
            if require.name in seen:
                self.sink.error("E0101", f"constraint '{require.name}' is declared twice in class {decl.name}",
                                require.name_span, "declared again here",
                                secondary=(Label(seen[require.name].name_span, "first declared here"),),
                                help="rename one of them; the check of a named constraint is CLASS.NAME")
            elif require.name in info.attributes:
                self.sink.error("E0101", f"constraint '{require.name}' has the name of an attribute of {decl.name}",
                                require.name_span, "same name as an attribute",
                                help=f"both would be the check {decl.name}.{require.name}; rename the constraint")
            seen.setdefault(require.name, require)

    # ---- rules
    def lower_rule(self, decl: ast.RuleDecl) -> ir.Rule:
        self._severity(decl.severity, decl.severity_span)
        variables: dict[str, ClassInfo] = {}
        broken: set[str] = set()
        bindings = []
        for clause in decl.fors:
            binding = self._binding(clause, variables, broken)
            if binding is not None:
                bindings.append(binding)
        scope = Scope(variables=dict(variables), broken=frozenset(broken))
        require = self.exprs.condition(decl.require, scope, "a rule's require") if decl.require else FALSE
        message = decl.doc or f"rule {decl.name} failed"
        text = self.text(decl.require) if decl.require else "false"
        bindings = tuple(bindings)
        require = require or FALSE
        fix = self.fixes.rule_fix(decl.fix, variables, frozenset(broken)) if decl.fix is not None else None
        return ir.Rule(decl.name, decl.severity, message, bindings, require, text, self.loc(decl),
                       unordered_pair(bindings, require), doc=decl.doc, fix=fix)

    def _binding(self, clause: ast.ForClause, variables: dict[str, ClassInfo], broken: set[str]) -> ir.Binding | None:
        info = self.lookup_class(clause.class_name, clause.class_span)
        if clause.var in variables:
            self.sink.error("E0109", f"variable '{clause.var}' is bound twice", clause.span, "bound again here",
                            help="use a different name for each 'for'")
        if info is None:
            broken.add(clause.var)
            return None
        variables[clause.var] = info
        where = None
        if clause.where is not None:
            scope = Scope(variables=dict(variables), broken=frozenset(broken))
            where = self.exprs.condition(clause.where, scope, "a where clause") or FALSE
        text = self.text(clause.where) if clause.where else ""
        return ir.Binding(clause.var, clause.class_name, where, text)

    def lookup_class(self, name: str, span) -> ClassInfo | None:
        info = self.symbols.classes.get(name)
        if info is None:
            self.sink.error("E0102", f"unknown class '{name}'", span, "no such class",
                            help=did_you_mean(name, self.symbols.classes)
                            or "classes: " + ", ".join(sorted(self.symbols.classes)))
        return info

    def _severity(self, severity: str, span) -> None:
        if severity not in ir.SEVERITIES:
            self.sink.error("E0111", f"unknown severity '{severity}'", span, "not a severity",
                            help=did_you_mean(severity, ir.SEVERITIES) or "severities: error, warning, info")

    # ---- quotas
    def lower_quota(self, decl: ast.QuotaDecl) -> ir.Quota:
        self._severity(decl.severity, decl.severity_span)
        expr = self.exprs.condition(decl.expr, Scope(aggregates="share"), "a quota")
        message = decl.doc or f"quota {decl.name} is not met: {self.text(decl.expr)}"
        return ir.Quota(decl.name, decl.severity, message, expr or FALSE, self.text(decl.expr), self.loc(decl),
                        doc=decl.doc)

    # ---- examples
    def lower_example(self, decl: ast.ExampleDecl) -> ir.Example:
        return lower_example(self, decl)

    # ---- changes
    def lower_changes(self, decl: ast.ChangesDecl, spec_version: int, chains: RenameChains) -> ir.Changes:
        if not isinstance(decl.version, int) or not 1 <= decl.version <= spec_version:
            self.sink.error("E0115", f"changes {decl.version} does not name a version up to {spec_version}",
                            decl.span, "bad version", help="a changes block describes this or an earlier version")
        version = decl.version if isinstance(decl.version, int) else spec_version
        actions = tuple(a for a in (self._action(a, Later(chains, version)) for a in decl.actions) if a is not None)
        return ir.Changes(int(decl.version), decl.doc, actions, self.loc(decl))

    def _action(self, action: ast.ChangeAction, later: Later):
        if isinstance(action, ast.Relabel):
            info = self.lookup_class(action.class_name, action.class_span)
            if info is None:
                return None
            where = self.exprs.condition(action.where, Scope(self_class=info, aggregates="none"), "a relabel filter")
            return ir.Relabel(action.class_name, where or FALSE, self.text(action.where))
        if isinstance(action, ast.ReviewImages):
            where = None
            if action.where is not None:
                where = self.exprs.condition(action.where, Scope(image_bare=True, aggregates="none"), "a filter")
            return ir.ReviewImages(where, self.text(action.where) if action.where else "")
        return self._rename(action, later)

    def _rename(self, action: ast.Rename, later: Later):
        path = action.path
        if len(path) not in (2, 3):
            self.sink.error("E0119", "rename takes CLASS.attr -> new or CLASS.attr.value -> new", action.span,
                            "bad rename")
            return None
        attributes = self._attribute_table(path[0], action)
        if attributes is None:
            return None
        if len(path) == 2:
            return self._rename_attribute(action, attributes, later)
        return self._rename_value(action, attributes, later)

    def _attribute_table(self, owner: str, action: ast.Rename):
        if owner == "image":
            return self.symbols.image_attributes
        info = self.lookup_class(owner, action.span)
        return info.attributes if info else None

    # A rename is written with the names of its own version; later blocks may rename the same name
    # again (a chain), so its target is checked by the name it leads to in the current spec.
    def _rename_attribute(self, action: ast.Rename, attributes, later: Later) -> ir.RenameAttribute | None:
        owner, old = action.path
        current = later.attribute(owner, action.new_name)
        if current not in attributes:
            self.sink.error("E0119", f"rename target '{action.new_name}'{later.via(action.new_name, current)} is not "
                            f"an attribute of {owner}", action.span, "unknown new name",
                            help=did_you_mean(current, attributes) or "the new name must be declared")
            return None
        return ir.RenameAttribute(owner, old, action.new_name)

    def _rename_value(self, action: ast.Rename, attributes, later: Later) -> ir.RenameValue | None:
        owner, attr_name, old = action.path
        current_attr = later.attribute(owner, attr_name)
        attr = attributes.get(current_attr)
        if attr is None or attr.type.kind != "enum":
            self.sink.error("E0119", f"'{owner}.{attr_name}'{later.via(attr_name, current_attr)} is not an enum "
                            "attribute", action.span, "cannot rename a value here",
                            help=did_you_mean(current_attr, attributes))
            return None
        current = later.value(owner, attr_name, action.new_name)
        if current not in attr.type.values:
            self.sink.error("E0119", f"'{action.new_name}'{later.via(action.new_name, current)} is not a value of "
                            f"{owner}.{current_attr}", action.span, "unknown new value",
                            help=did_you_mean(current, attr.type.values))
            return None
        return ir.RenameValue(owner, attr_name, old, action.new_name)
