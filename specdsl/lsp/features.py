"""The language features as functions of (text, model, offset): hover, definition, completion, symbols.

Names are resolved the way the compiler scopes them: ``VAR.attr`` through the rule's ``for VAR in CLASS``,
``image.attr`` to the image block, a bare name inside a class to its attributes and properties, and
anything else to the spec's classes, enums, rules, quotas, enum values and the built-ins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specdsl.compiler.builtins import AGGREGATES, IMAGE_PROPERTIES, PAIR_FUNCTIONS, SCALAR_TYPES, properties_of
from specdsl.lsp.model import Model, Symbol
from specdsl.syntax import ast

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FOR = re.compile(r"\bfor\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)")
# Top-level declarations start in column 0 (as ``specc fmt`` writes them); an example's ``image`` line is indented.
_BLOCK = re.compile(r"^(class|rule|quota|example|changes|enum|image)\b\s*([A-Za-z_]\w*)?", re.MULTILINE)
GEOMETRY_DOCS = {
    "box": "an axis-aligned box `[x, y, w, h]`", "polygon": "a closed polygon `points: [(x, y), ...]`",
    "polyline": "an open line `points: [(x, y), ...]`", "point": "one point `point: (x, y)`",
    "mask": "a pixel mask (RLE or polygons)", "tag": "no geometry: an image-level label",
}
TYPE_DOCS = {"bool": "`true` or `false`", "int": "a whole number (`int LO..HI` for a range)",
             "float": "a number (`float LO..HI` for a range)", "string": "free text"}
# The words of a ``fix`` line (AUTHORING.md) and of a ``match`` line (ENGINE.md), documented where they stand.
FIX_DOCS = {
    "fix": "`fix ACTION` after a `require`: the mechanical repair `specc fix` applies to what fails it",
    "set": "`fix set [VAR.]ATTR = VALUE`: give the attribute that value",
    "delete": "`fix delete [VAR]`: remove the object",
    "clip": "`fix clip [VAR]`: clip the geometry to the image",
    "join": "`fix join A, B`: join two polylines end to end into one",
    "unsafe": "`fix unsafe ACTION`: a repair that may lose labels; `specc fix` applies it only with "
              "`--unsafe-fixes`",
}
MATCH_DOCS = {
    "match": "`match SCORE OP THRESHOLD`: how objects of this class are paired across annotation sets "
             "(`specc agree`, `specc suspect`)",
    "iou": "intersection over union of the two shapes (`>=`; box, polygon, mask)",
    "distance": "distance between the two geometries in pixels (`<=`; point: Euclidean)",
    "hausdorff": "Hausdorff distance of the two lines or outlines in pixels (`<=`; polyline, polygon)",
    "frechet": "discrete Fréchet distance of the two lines in pixels (`<=`; polyline)",
}


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    receiver: str | None  # the name before a '.' (``o`` in ``o.color``)


def word_at(text: str, offset: int) -> Word | None:
    for match in _IDENT.finditer(text, max(0, text.rfind("\n", 0, offset)),
                                 text.find("\n", offset) if "\n" in text[offset:] else len(text)):
        if match.start() <= offset <= match.end():
            before = text[:match.start()]
            receiver = re.search(r"([A-Za-z_]\w*)\s*\.\s*$", before)
            return Word(match.group(), match.start(), match.end(), receiver.group(1) if receiver else None)
    return None


@dataclass(frozen=True)
class Context:
    """Where the cursor is: inside which block, which rule variables are bound there, and the class whose
    attributes are named bare (the class being declared, or CLASS in ``count(CLASS where ...)``)."""

    block: str | None  # class | rule | quota | example | changes | enum | image
    name: str | None
    variables: dict[str, str]  # VAR -> CLASS
    bare_owner: str | None = None


_KEYWORD_LINE = re.compile(r"[ \t]*(fix|match)\b")
_FILTER = re.compile(r"\b([A-Za-z_]\w*)\s+where\b[^()\n]*$")


def context_at(text: str, offset: int) -> Context:
    blocks = list(_BLOCK.finditer(text, 0, offset))
    if not blocks:
        return Context(None, None, {})
    last = blocks[-1]
    variables = {}
    if last.group(1) in ("rule", "quota"):
        following = _BLOCK.search(text, offset)
        end = following.start() if following else len(text)
        variables = {m.group(1): m.group(2) for m in _FOR.finditer(text, last.start(), end)}
    line = text[text.rfind("\n", 0, offset) + 1:offset]
    in_filter = _FILTER.search(line)
    if in_filter and in_filter.group(1) not in variables:  # `relabel lane_line where`, `share(image where`
        owner = in_filter.group(1)
    else:
        owner = last.group(2) if last.group(1) == "class" else None
    return Context(last.group(1), last.group(2), variables, owner)


# ---- resolution -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """What a name means: a declared symbol, or a built-in (then ``symbol`` is None)."""

    title: str
    doc: str | None
    symbol: Symbol | None = None


def resolve(text: str, model: Model, offset: int) -> Resolved | None:
    word = word_at(text, offset)
    if word is None:
        return None
    keyword = _line_keyword(text, offset)
    if keyword == "match" and word.text in MATCH_DOCS:
        return Resolved(f"match {word.text}" if word.text != "match" else "match", MATCH_DOCS[word.text])
    if keyword == "fix" and word.receiver is None and word.text in FIX_DOCS:
        return Resolved(f"fix {word.text}" if word.text != "fix" else "fix", FIX_DOCS[word.text])
    context = context_at(text, offset)
    if word.receiver is not None:
        return _member(model, context, word.receiver, word.text)
    return _bare(model, context, word.text)


def _line_keyword(text: str, offset: int) -> str | None:
    """``fix`` or ``match`` when the cursor's line is one (their words mean something else elsewhere)."""
    keyword = _KEYWORD_LINE.match(text, text.rfind("\n", 0, offset) + 1)
    return keyword.group(1) if keyword else None


def _member(model: Model, context: Context, receiver: str, name: str) -> Resolved | None:
    if receiver == "image":
        found = model.find("attribute", name, "image")
        if found:
            return _symbol(found)
        if name in IMAGE_PROPERTIES:
            return Resolved(f"image.{name}", "a property of the image")
        return None
    cls = context.variables.get(receiver)
    if cls is None:
        return None
    return _of_class(model, cls, name)


def _of_class(model: Model, cls: str, name: str) -> Resolved | None:
    found = model.find("attribute", name, cls)
    if found:
        return _symbol(found)
    prop = properties_of(model.class_geometry.get(cls, "tag")).get(name)
    if prop is not None:
        return Resolved(f"{name} (property of {cls})", prop.doc)
    return None


def _bare(model: Model, context: Context, name: str) -> Resolved | None:
    if context.block == "rule" and name in context.variables:
        variable = next((s for s in model.of_kind("variable", context.name) if s.name == name), None)
        return Resolved(f"{name}: {context.variables[name]}", "a rule variable", variable)
    if context.bare_owner == "image":
        found = model.find("attribute", name, "image")
        if found:
            return _symbol(found)
    elif context.bare_owner:
        member = _of_class(model, context.bare_owner, name)
        if member is not None:
            return member
    for kind in ("class", "enum", "rule", "quota"):
        found = model.find(kind, name)
        if found:
            return _symbol(found)
    value = model.find("enum_value", name)
    if value is not None:
        return _symbol(value)
    return _builtin(name)


def _builtin(name: str) -> Resolved | None:
    if name in PAIR_FUNCTIONS:
        function = PAIR_FUNCTIONS[name]
        return Resolved(f"{name}(a, b)", f"{function.doc} ({', '.join(function.geometries)})")
    if name in AGGREGATES:
        return Resolved(f"{name}(CLASS [where EXPR])", AGGREGATES[name])
    if name in GEOMETRY_DOCS:
        return Resolved(f"geometry {name}", GEOMETRY_DOCS[name])
    if name in TYPE_DOCS:
        return Resolved(f"type {name}", TYPE_DOCS[name])
    return None


def _symbol(symbol: Symbol) -> Resolved:
    return Resolved(symbol.detail or symbol.name, symbol.doc, symbol)


def hover_markdown(resolved: Resolved) -> str:
    text = f"```specdsl\n{resolved.title}\n```"
    return text + (f"\n\n{resolved.doc.strip()}" if resolved.doc else "")


# ---- completion -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # class | attribute | property | enum_value | keyword
    detail: str = ""


def complete(text: str, model: Model, offset: int) -> list[Completion]:
    line = text[text.rfind("\n", 0, offset) + 1:offset]
    context = context_at(text, offset)
    member = re.search(r"([A-Za-z_]\w*)\.\w*$", line)
    if member:
        return _members(model, context, member.group(1))
    if re.search(r"\bin\s+\w*$", line):
        return [Completion(s.name, "class", s.detail) for s in model.of_kind("class")]
    fix = re.fullmatch(r"\s*fix\s+(unsafe\s+)?\w*", line)
    if fix:
        actions = ast.FIX_ACTIONS if fix.group(1) else (*ast.FIX_ACTIONS, "unsafe")
        return [Completion(action, "keyword", FIX_DOCS[action]) for action in actions]
    if re.fullmatch(r"\s*match\s+\w*", line):
        return _match_scores(model, context)
    compared = re.search(r"([A-Za-z_][\w.]*)\s*(==|!=)\s*\w*$", line)
    if compared:
        return _enum_values(model, context, compared.group(1))
    return []


def _match_scores(model: Model, context: Context) -> list[Completion]:
    """The scores that measure the class's geometry (``match`` only stands in a class)."""
    from specdsl.ir import MATCH_SCORES

    geometry = model.class_geometry.get(context.name or "", "")
    return [Completion(score, "keyword", f"{op} {MATCH_DOCS[score]}") for score, (op, geometries) in
            MATCH_SCORES.items() if context.block == "class" and geometry in geometries]


def _members(model: Model, context: Context, receiver: str) -> list[Completion]:
    if receiver == "image":
        return ([Completion(s.name, "attribute", s.detail) for s in model.of_kind("attribute", "image")]
                + [Completion(p, "property", "image property") for p in IMAGE_PROPERTIES])
    cls = context.variables.get(receiver)
    if cls is None:
        return []
    return _class_members(model, cls)


def _class_members(model: Model, cls: str) -> list[Completion]:
    attributes = [Completion(s.name, "attribute", s.detail) for s in model.of_kind("attribute", cls)]
    properties = [Completion(p.name, "property", p.doc)
                  for p in properties_of(model.class_geometry.get(cls, "tag")).values()]
    return attributes + properties


def _enum_values(model: Model, context: Context, operand: str) -> list[Completion]:
    receiver, _, name = operand.rpartition(".")
    if receiver == "image":
        owner = "image"
    elif receiver:
        owner = context.variables.get(receiver)
    else:
        owner = context.bare_owner
    if owner is None:
        return []
    values = _values_of(model, owner, name)
    return [Completion(v.name, "enum_value", v.detail) for v in values]


def _values_of(model: Model, owner: str, attribute: str) -> list[Symbol]:
    type_node = model.attribute_types.get((owner, attribute))
    if isinstance(type_node, ast.InlineEnum):
        return model.of_kind("enum_value", f"{owner}.{attribute}")
    if isinstance(type_node, ast.NamedType) and type_node.name not in SCALAR_TYPES:
        return model.of_kind("enum_value", type_node.name)
    return []


# ---- document symbols -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    symbol: Symbol
    children: tuple[Outline, ...] = ()


def outline(model: Model) -> list[Outline]:
    """Classes with their attributes, enums with their values, rules with their variables, the rest flat."""
    out = []
    image = model.of_kind("attribute", "image")
    if image:
        start, end = min(s.full_start for s in image), max(s.full_end for s in image)
        out.append(Outline(Symbol("image", "image", start, start, "image attributes", None, None, start, end),
                           tuple(Outline(s) for s in image)))
    children_kind = {"class": "attribute", "enum": "enum_value", "rule": "variable"}
    for symbol in model.symbols:
        if symbol.kind in ("class", "enum", "rule", "quota", "example"):
            kind = children_kind.get(symbol.kind)
            children = tuple(Outline(s) for s in model.of_kind(kind, symbol.name)) if kind else ()
            out.append(Outline(symbol, children))
    return sorted(out, key=lambda o: o.symbol.full_start)
