"""Hypothesis strategies for syntactically valid surface ASTs, node kind by node kind.

Every strategy yields exactly the AST the parser builds for the printed text (flat and/or chains,
non-negative number literals in expressions, cleandoc-stable doc strings, ...), so
``parse(format_spec(x)) == x`` is a law. Compose them freely: ``specs()``, ``declarations()``,
``expressions()``, ``values()``, ``names()``, ``docs()`` ... Import it as ``import strategies as gen``
(pytest puts tests/ on sys.path, as for ``conftest``).
"""

from __future__ import annotations

import inspect
import string
from dataclasses import replace

from hypothesis import strategies as st

from specdsl.limits import INT_MAX, MAX_EXTENT
from specdsl.syntax import ast
from specdsl.syntax.parser import KEYWORDS

# Words the lexer may take for keywords in some positions; never generated as names.
RESERVED = frozenset(KEYWORDS) | {"x", "px", "deg"}
GEOMETRIES = ("box", "polygon", "polyline", "point", "mask", "tag")
SEVERITIES = ("error", "warning", "info")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
UNITS = (None, "px", "deg", "%")

_NAME_START = string.ascii_letters + "_"
_NAME_REST = _NAME_START + string.digits
# Characters that stress escaping and comment scanning, mixed into otherwise arbitrary text.
_TRICKY = '"\\#{}()[],.:=?-\'\t\n '


def names() -> st.SearchStrategy[str]:
    built = st.builds(str.__add__, st.sampled_from(_NAME_START), st.text(_NAME_REST, max_size=8))
    return built.filter(lambda name: name not in RESERVED)


def texts(max_size: int = 24) -> st.SearchStrategy[str]:
    """Any string a ``"..."`` literal can hold (a CR would not survive a text-mode file)."""
    anything = st.characters(exclude_categories=("Cs",), exclude_characters="\r")
    chars = st.one_of(st.sampled_from(_TRICKY), anything)
    return st.text(chars, max_size=max_size)


def docs(max_lines: int = 4) -> st.SearchStrategy[str]:
    """Doc strings the parser's ``inspect.cleandoc`` gives back unchanged, on one line or several."""
    prose = st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"))
    line_chars = st.one_of(st.sampled_from('"\\# '), prose)
    lines = st.lists(st.text(line_chars, max_size=20), min_size=1, max_size=max_lines)
    return lines.map(lambda ls: inspect.cleandoc("\n".join(ls))).filter(lambda d: inspect.cleandoc(d) == d)


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def _small(strategy: st.SearchStrategy, max_size: int = 3, min_size: int = 0) -> st.SearchStrategy[tuple]:
    return st.lists(strategy, min_size=min_size, max_size=max_size).map(tuple)


# ---- literals ------------------------------------------------------------------------------------


def plain_numbers(allow_negative: bool = False, bound: int = INT_MAX) -> st.SearchStrategy[int | float]:
    """Numbers the language accepts (docs/language.md, Limits): 64-bit whole numbers, finite floats,
    and with ``bound`` (example sizes and coordinates) nothing larger in magnitude."""
    ints = st.integers(min_value=-bound if allow_negative else 0, max_value=bound)
    limit = None if bound == INT_MAX else float(bound)
    low = (None if limit is None else -limit) if allow_negative else 0.0
    floats = st.floats(min_value=low, max_value=limit, allow_nan=False, allow_infinity=False)
    return st.one_of(ints, floats if allow_negative else floats.map(abs))


def numbers(allow_negative: bool = False, bound: int = INT_MAX) -> st.SearchStrategy[ast.Number]:
    return st.builds(ast.Number, value=plain_numbers(allow_negative, bound), unit=st.sampled_from(UNITS))


def values(bound: int = INT_MAX) -> st.SearchStrategy[ast.Value]:
    """Literal values: defaults, example fields, set members (negative numbers allowed here)."""
    leaves = st.one_of(numbers(allow_negative=True, bound=bound), st.builds(ast.String, value=texts()),
                       st.builds(ast.Bool, value=st.booleans()), st.builds(ast.Name, name=names()))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.builds(ast.ListValue, items=_small(inner)),
        st.builds(ast.PairValue, x=inner, y=inner)), max_leaves=6)


# ---- expressions ------------------------------------------------------------------------------------


def _atoms() -> st.SearchStrategy[ast.Expr]:
    return st.one_of(numbers(), st.builds(ast.Bool, value=st.booleans()), st.builds(ast.Name, name=names()),
                     st.just(ast.ImageRef()))


def _class_filters(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.ClassFilter]:
    return st.builds(ast.ClassFilter, class_name=maybe(names()), where=inner)


def _composites(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    args = _small(st.one_of(inner, _class_filters(inner)))
    compare_right = st.one_of(inner, st.builds(ast.String, value=texts(8)))
    return st.one_of(
        st.builds(ast.BoolOp, op=st.sampled_from(("and", "or")), operands=_small(inner, 3, min_size=2)),
        st.builds(ast.Not, operand=inner),
        st.builds(ast.Compare, op=st.sampled_from(COMPARISONS), left=inner, right=compare_right),
        st.builds(ast.InSet, operand=inner, values=_small(values(), 3, min_size=1), negated=st.booleans()),
        st.builds(ast.Arith, op=st.sampled_from("+-*/"), left=inner, right=inner),
        st.builds(ast.Neg, operand=inner),
        st.builds(ast.Member, obj=inner, name=names()),
        st.builds(ast.Call, func=names(), args=args))


def expressions(max_leaves: int = 8) -> st.SearchStrategy[ast.Expr]:
    return st.recursive(_atoms(), _composites, max_leaves=max_leaves)


# ---- types, attributes, members --------------------------------------------------------------------


def enum_values(doc_strategy: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[ast.EnumValue]:
    return st.builds(ast.EnumValue, name=names(), doc=maybe(doc_strategy or texts()))


def types() -> st.SearchStrategy[ast.TypeExpr]:
    builtin = st.sampled_from(("bool", "int", "float", "string"))
    named = st.builds(ast.NamedType, name=st.one_of(builtin, names()))
    ranges = st.builds(ast.RangeType, base=st.sampled_from(("int", "float")), low=plain_numbers(True),
                       high=plain_numbers(True))
    inline = st.builds(ast.InlineEnum, values=_small(enum_values(), 4))
    return st.one_of(named, ranges, inline)


def attributes() -> st.SearchStrategy[ast.Attribute]:
    return st.builds(ast.Attribute, name=names(), type=types(), default=maybe(values()),
                     optional=st.booleans(), doc=maybe(texts()))


def requires() -> st.SearchStrategy[ast.Require]:
    return st.builds(ast.Require, expr=expressions(), doc=maybe(texts()), name=maybe(names()),
                     fix=maybe(fixes(in_rule=False)))


def fixes(in_rule: bool) -> st.SearchStrategy[ast.Fix]:
    """``fix [unsafe] ACTION``: in a class the object is implied, in a rule each action names variables."""
    var = names().map(lambda n: (n,)) if in_rule else st.just(())
    actions = [st.builds(ast.Fix, action=st.just("set"), targets=var, attribute=names(), value=values(),
                         unsafe=st.booleans()),
               st.builds(ast.Fix, action=st.sampled_from(("delete", "clip")), targets=var, unsafe=st.booleans())]
    if in_rule:
        actions.append(st.builds(ast.Fix, action=st.just("join"), targets=st.tuples(names(), names()),
                                 unsafe=st.booleans()))
    return st.one_of(actions)


def matches() -> st.SearchStrategy[ast.Match]:
    """``match SCORE OP THRESHOLD`` as written (the compiler, not the grammar, judges score and operator)."""
    return st.builds(ast.Match, score=names(), op=st.sampled_from((">=", "<=", ">", "<", "==", "!=")),
                     threshold=numbers())


def fields() -> st.SearchStrategy[ast.Field]:
    return st.builds(ast.Field, name=names(), value=values())


GEOMETRY_FIELDS = ("points", "box", "point")


def object_fields() -> st.SearchStrategy[ast.Field]:
    """An example object's fields: attributes, or geometry within the checker's plane."""
    return st.one_of(fields().filter(lambda f: f.name not in GEOMETRY_FIELDS),
                     st.builds(ast.Field, name=st.sampled_from(GEOMETRY_FIELDS), value=values(MAX_EXTENT)))


# ---- declarations --------------------------------------------------------------------------------


def _severities() -> st.SearchStrategy[str]:
    return st.sampled_from(SEVERITIES)


def _explanations() -> st.SearchStrategy[str]:
    """The text at the top of a rule, quota or changes block: a short string or a doc block."""
    return st.one_of(texts(), docs())


def image_blocks() -> st.SearchStrategy[ast.ImageBlock]:
    return st.builds(ast.ImageBlock, attributes=_small(attributes()))


def enum_decls() -> st.SearchStrategy[ast.EnumDecl]:
    return st.builds(ast.EnumDecl, name=names(), values=_small(enum_values(), 4))


def class_decls() -> st.SearchStrategy[ast.ClassDecl]:
    return st.builds(ast.ClassDecl, name=names(), geometry=st.sampled_from(GEOMETRIES), doc=maybe(docs()),
                     members=_small(st.one_of(attributes(), requires(), matches()), 4))


def for_clauses() -> st.SearchStrategy[ast.ForClause]:
    return st.builds(ast.ForClause, var=names(), class_name=names(), where=maybe(expressions()))


def rule_decls() -> st.SearchStrategy[ast.RuleDecl]:
    # a fix is written after the require, so a rule without one has none
    return st.builds(ast.RuleDecl, name=names(), severity=_severities(), doc=maybe(_explanations()),
                     fors=_small(for_clauses()), require=maybe(expressions()),
                     fix=maybe(fixes(in_rule=True))).map(lambda r: r if r.require else replace(r, fix=None))


def quota_decls() -> st.SearchStrategy[ast.QuotaDecl]:
    return st.builds(ast.QuotaDecl, name=names(), severity=_severities(), doc=maybe(_explanations()),
                     expr=expressions())


def check_refs() -> st.SearchStrategy[str]:
    """What ``invalid CHECK`` names: ``rule``, ``CLASS.ATTR``, ``CLASS.require.N`` and the like."""
    part = st.one_of(names(), st.just("require"), st.integers(0, 99).map(str))
    return st.builds(lambda head, rest: ".".join((head, *rest)), names(), st.lists(part, max_size=2))


def example_objects() -> st.SearchStrategy[ast.ExampleObject]:
    return st.builds(ast.ExampleObject, class_name=names(), fields=_small(object_fields()))


def example_decls() -> st.SearchStrategy[ast.ExampleDecl]:
    def build(title, check, width, height, image_fields, objects):
        return ast.ExampleDecl(title=title, valid=check is None, check=check, width=width, height=height,
                               image_fields=image_fields, objects=objects)

    return st.builds(build, texts(), maybe(check_refs()), plain_numbers(bound=MAX_EXTENT),
                     plain_numbers(bound=MAX_EXTENT),
                     _small(fields(), 2), _small(example_objects()))


def change_actions() -> st.SearchStrategy[ast.ChangeAction]:
    paths = st.lists(names(), min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(ast.Relabel, class_name=names(), where=expressions()),
                     st.builds(ast.ReviewImages, where=maybe(expressions())),
                     st.builds(ast.Rename, path=paths, new_name=names()))


def changes_decls() -> st.SearchStrategy[ast.ChangesDecl]:
    return st.builds(ast.ChangesDecl, version=st.integers(0, 10**6), doc=maybe(_explanations()),
                     actions=_small(change_actions()))


def declarations() -> st.SearchStrategy[ast.Declaration]:
    return st.one_of(image_blocks(), enum_decls(), class_decls(), rule_decls(), quota_decls(),
                     example_decls(), changes_decls())


def specs(max_declarations: int = 5) -> st.SearchStrategy[ast.Spec]:
    return st.builds(ast.Spec, name=names(), version=st.integers(0, 10**6), doc=maybe(docs()),
                     declarations=_small(declarations(), max_declarations))
