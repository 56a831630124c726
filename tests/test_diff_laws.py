"""Laws of the diff, on generated specs that compile.

* ``diff(x, x)`` is empty;
* a spec reformatted (indentation, blank lines, comments, operator spacing) and reordered
  (declarations, attributes, ``require`` lines, enum values) diffs empty against itself, and so
  does every spec in specs/ against its ``specc fmt`` output;
* what ``diff(a, b)`` reports added, ``diff(b, a)`` reports removed, and the other way round.

Specs are drawn from a small model (names from small pools, so two drawn specs overlap) and
written out by :func:`render` under a random :class:`Layout`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.compiler import compile_source
from specdsl.diff import diff_specs
from specdsl.source import Source
from specdsl.syntax.printer import format_source

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CLASS_NAMES = ("lane", "car", "sign")
ATTR_NAMES = ("kind", "size", "parked", "label", "score")
VALUE_NAMES = ("white", "yellow", "red", "blue")
ENUM_NAMES = ("Color", "Shade")
GEOMETRY_REQUIRES = {"box": ("area >= 16", "width >= 2", "inside_image"),
                     "polygon": ("area >= 10", "points >= 3"),
                     "polyline": ("points >= 2", "length >= 10", "inside_image"),
                     "point": ("inside_image",), "tag": ()}
DOCS = (None, "Short doc.", "Another doc.")


@dataclass
class Attr:
    name: str
    type: str
    default: str | None
    optional: bool
    doc: str | None

    def lines(self) -> list[str]:
        text = f"{self.name}: {self.type}"
        text += f" = {self.default}" if self.default is not None else ""
        text += " ?" if self.optional else ""
        return [text + (f' "{self.doc}"' if self.doc else "")]


@dataclass
class Klass:
    name: str
    geometry: str
    doc: str | None
    attrs: list[Attr]
    requires: list[str]


@dataclass
class Model:
    enums: dict[str, list[str]]
    image_attrs: list[Attr]
    classes: list[Klass]
    rules: list[str] = field(default_factory=list)
    quotas: list[str] = field(default_factory=list)


@st.composite
def attributes(draw, enums: dict[str, list[str]]) -> Attr:
    values = draw(st.lists(st.sampled_from(VALUE_NAMES), min_size=1, max_size=3, unique=True))
    choices = {"bool": "true", "int": "3", "float": "0.5", "string": '"n/a"', "int 0..10": "1",
               "float 0..1": "0.25", "enum { " + ", ".join(values) + " }": values[0]}
    choices.update({name: enum_values[0] for name, enum_values in enums.items()})
    type_text = draw(st.sampled_from(sorted(choices)))
    default = draw(st.sampled_from((None, choices[type_text])))
    return Attr(draw(st.sampled_from(ATTR_NAMES)), type_text, default, draw(st.booleans()),
                draw(st.sampled_from(DOCS)))


def attribute_requires(attrs: list[Attr]) -> list[str]:
    out = []
    for attr in attrs:
        if attr.type == "bool":
            out.append(f"not {attr.name}")
        elif attr.type.startswith(("int", "float")):
            out.append(f"{attr.name} >= 0")
    return out


@st.composite
def classes(draw, name: str, enums: dict[str, list[str]]) -> Klass:
    geometry = draw(st.sampled_from(sorted(GEOMETRY_REQUIRES)))
    attrs = draw(st.lists(attributes(enums), max_size=3, unique_by=lambda a: a.name))
    pool = sorted(set(GEOMETRY_REQUIRES[geometry]) | set(attribute_requires(attrs)))
    requires = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True)) if pool else []
    return Klass(name, geometry, draw(st.sampled_from(DOCS)), attrs, requires)


@st.composite
def models(draw) -> Model:
    enum_names = draw(st.lists(st.sampled_from(ENUM_NAMES), max_size=2, unique=True))
    enums = {name: draw(st.lists(st.sampled_from(VALUE_NAMES), min_size=1, max_size=4, unique=True))
             for name in enum_names}
    image_attrs = draw(st.lists(attributes(enums), max_size=2, unique_by=lambda a: a.name))
    class_names = draw(st.lists(st.sampled_from(CLASS_NAMES), min_size=1, max_size=3, unique=True))
    model = Model(enums, image_attrs, [draw(classes(n, enums)) for n in class_names])
    model.rules = draw(st.lists(st.sampled_from(_rule_pool(model)), max_size=2, unique=True))
    model.quotas = draw(st.lists(st.sampled_from(_quota_pool(model)), max_size=2, unique=True))
    return model


def _rule_pool(model: Model) -> list[str]:
    pool = []
    for cls in model.classes:
        pool.append(f"rule few_{cls.name}: warning {{ require count({cls.name}) <= 12 }}")
        for attr in cls.attrs:
            if attr.type == "bool":
                pool.append(f'rule {cls.name}_{attr.name}: error {{ "Explained." for o in {cls.name} '
                            f"where o.{attr.name} require count({cls.name}) <= 3 }}")
    return pool


def _quota_pool(model: Model) -> list[str]:
    pool = ["quota images_seen: info { share(image where true) >= 10% }"]
    pool += [f"quota share_{c.name}: warning {{ share({c.name} where true) <= 50% }}" for c in model.classes]
    return pool


# ---- writing a model out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    indent: str = "  "
    blank_lines: int = 1
    comments: bool = False
    tight_operators: bool = False
    seed: int | None = None  # None: declaration order as drawn; else a shuffle of every list

    def order(self, items: list) -> list:
        if self.seed is None:
            return list(items)
        shuffled = list(items)
        random.Random(self.seed + len(items)).shuffle(shuffled)
        return shuffled

    def expr(self, text: str) -> str:
        if not self.tight_operators:
            return text
        for op in (">=", "<=", "=="):
            text = text.replace(f" {op} ", op)
        return text

    def comment(self, text: str) -> str:
        return f"{text}  # {len(text)} characters" if self.comments else text


def render(model: Model, layout: Layout, version: int = 1) -> str:
    blocks = [_enum_block(name, values, layout) for name, values in model.enums.items()]
    if model.image_attrs:
        blocks.append(_braced("image", [line for a in layout.order(model.image_attrs) for line in a.lines()], layout))
    blocks += [_class_block(c, layout) for c in model.classes]
    blocks += [layout.expr(r) for r in model.rules] + [layout.expr(q) for q in model.quotas]
    separator = "\n" * (layout.blank_lines + 1)
    header = layout.comment(f"spec generated version {version}")
    return header + separator + separator.join(layout.order(blocks)) + "\n"


def _braced(head: str, lines: list[str], layout: Layout) -> str:
    body = "".join(f"{layout.indent}{layout.comment(line)}\n" for line in lines)
    return f"{head} {{\n{body}}}"


def _enum_block(name: str, values: list[str], layout: Layout) -> str:
    return _braced(f"enum {name}", layout.order(values), layout)


def _class_block(cls: Klass, layout: Layout) -> str:
    lines = [f'"""{cls.doc}"""'] if cls.doc else []
    lines += [line for a in layout.order(cls.attrs) for line in a.lines()]
    lines += [layout.expr(f"require {r}") for r in layout.order(cls.requires)]
    return _braced(f"class {cls.name}: {cls.geometry}", lines, layout)


layouts = st.builds(Layout, indent=st.sampled_from(("  ", "    ", "\t")), blank_lines=st.integers(0, 2),
                    comments=st.booleans(), tight_operators=st.booleans(),
                    seed=st.one_of(st.none(), st.integers(0, 10_000)))


def compile_model(model: Model, layout: Layout = Layout(), name: str = "a.spec", version: int = 1):
    result = compile_source(Source(name, render(model, layout, version)))
    assert result.spec is not None, (render(model, layout), [d.message for d in result.diagnostics])
    return result.spec


# ---- the laws --------------------------------------------------------------------------------------


@SETTINGS
@given(models())
def test_diff_of_a_spec_with_itself_is_empty(model: Model) -> None:
    assert diff_specs(compile_model(model, name="a.spec"), compile_model(model, name="b.spec")) == []


@SETTINGS
@given(models(), layouts)
def test_reformatting_and_reordering_change_nothing(model: Model, layout: Layout) -> None:
    assert diff_specs(compile_model(model), compile_model(model, layout, name="reformatted.spec")) == []


MIRRORED = {"CLASS_ADDED": "CLASS_REMOVED", "ATTRIBUTE_ADDED": "ATTRIBUTE_REMOVED",
            "ENUM_VALUE_ADDED": "ENUM_VALUE_REMOVED", "RULE_ADDED": "RULE_REMOVED",
            "QUOTA_ADDED": "QUOTA_REMOVED", "EXAMPLE_ADDED": "EXAMPLE_REMOVED"}
MIRRORED.update({v: k for k, v in MIRRORED.items()})
SYMMETRIC = {"CLASS_GEOMETRY_CHANGED", "ATTRIBUTE_TYPE_CHANGED", "RULE_CHANGED", "QUOTA_CHANGED", "DOC_CHANGED"}


@SETTINGS
@given(models(), models())
def test_added_one_way_is_removed_the_other_way(a: Model, b: Model) -> None:
    old, new = compile_model(a, version=1), compile_model(b, version=2)
    forward = {(c.id, c.target) for c in diff_specs(old, new)}
    backward = {(c.id, c.target) for c in diff_specs(new, old)}
    for change_id, target in forward:
        if change_id in MIRRORED:
            assert (MIRRORED[change_id], target) in backward
        elif change_id in SYMMETRIC:
            assert (change_id, target) in backward


@SETTINGS
@given(models(), models())
def test_diff_is_deterministic_and_sorted(a: Model, b: Model) -> None:
    old, new = compile_model(a, version=1), compile_model(b, version=2)
    first = diff_specs(old, new)
    assert first == diff_specs(old, new)
    assert first == sorted(first, key=lambda c: c.sort_key())


SPEC_FILES = sorted((Path(__file__).parents[1] / "specs").rglob("*.spec"))


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_specc_fmt_output_diffs_empty_against_the_original(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    original = compile_source(Source(str(path), text)).spec
    formatted = compile_source(Source("formatted.spec", format_source(text, str(path)))).spec
    assert original is not None
    assert formatted is not None
    assert diff_specs(original, formatted) == []
