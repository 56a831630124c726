"""A :class:`~specdsl.init.draft.Draft` as spec text (formatted like ``specc fmt``) and a mapping file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from specdsl.compiler import compile_source
from specdsl.init.draft import AttributeFacts, ClassFacts, Draft
from specdsl.init.names import IDENTIFIER, identifier, unique
from specdsl.init.types import DraftType, attribute_type
from specdsl.source import Source
from specdsl.syntax.printer import format_source

DEFAULT_GEOMETRY = "box"  # a declared class drawn with any shape and never seen drawn


@dataclass
class InitResult:
    spec_text: str
    mapping: dict = field(default_factory=dict)  # empty: the sources' names are the spec's
    warnings: list[str] = field(default_factory=list)
    unfit_objects: int = 0  # objects no drafted geometry fits (each named in a warning): schema findings

    @property
    def mapping_text(self) -> str | None:
        return mapping_toml(self.mapping) if self.mapping else None


@dataclass
class _Names:
    """Identifiers chosen so far and the mapping that leads the sources' names to them."""

    mapping: dict = field(default_factory=dict)

    def table(self, *path: str) -> dict:
        node = self.mapping
        for key in path:
            node = node.setdefault(key, {})
        return node


def draft_spec(draft: Draft, spec_name: str) -> InitResult:
    """The spec text (compiling, fmt-clean), the mapping and what the draft could not make clean."""
    draft.merge_variants()
    names, warnings, unfit = _Names(), [], []
    lines = [f"spec {identifier(spec_name)} version 1", "", _docstring(draft), ""]
    if draft.image:
        lines += ["image {", *_attributes(draft.image, draft.images, names, ("image",)), "}", ""]
    taken: set[str] = set()
    for facts in draft.classes.values():
        lines += _class(facts, draft, names, taken, warnings)
        unfit.append(_unfit(facts, names.mapping.get("classes", {}).get(facts.source, facts.source), warnings))
    text = format_source("\n".join(lines) + "\n", f"{spec_name}.spec")
    result = compile_source(Source(f"{spec_name}.spec", text))
    if not result.ok:  # a bug here, not the user's: say which declaration broke
        raise AssertionError("specc init wrote a spec that does not compile:\n"
                             + "\n".join(str(d.message) for d in result.diagnostics))
    return InitResult(text, _lift_common(_drop_empty(names.mapping)), warnings, sum(unfit))


def _docstring(draft: Draft) -> str:
    sources = ", ".join(f"`{Path(s).name}`" for s in draft.sources) or "nothing"
    return (f'"""\nDrafted by `specc init` from {sources}. Say what each class means and how to draw it,\n'
            'then add the constraints (`require`), rules and quotas a correct label meets.\n"""')


def _class(facts: ClassFacts, draft: Draft, names: _Names, taken: set[str], warnings: list[str]) -> list[str]:
    name = unique(identifier(facts.source), taken)
    spellings = [facts.source, *(a for a, target in draft.aliases.items() if target == facts.source)]
    for spelling in spellings:
        if spelling != name:
            names.table("classes")[spelling] = name
    geometry = _geometry(facts, name, warnings)
    doc = f'  """Labeled `{facts.source}` in the sources."""' if facts.source != name else None
    attributes = []
    for spelling in spellings:  # the same renames and value maps under every spelling of the class
        attributes = _attributes(facts.attributes, facts.objects, names, ("per_class", spelling))
    return [f"class {name}: {geometry} {{", *([doc] if doc else []), *attributes, "}", ""]


def _geometry(facts: ClassFacts, name: str, warnings: list[str]) -> str:
    seen = facts.shapes.most_common()
    geometry = facts.geometry or (seen[0][0] if seen else DEFAULT_GEOMETRY)
    if not seen and facts.geometry is None:
        warnings.append(f"class {name}: no config names its geometry and no object shows it: drafted as a "
                        f"{DEFAULT_GEOMETRY}")
    return geometry


def _unfit(facts: ClassFacts, name: str, warnings: list[str]) -> int:
    """Objects of the class that its one geometry cannot hold; each kind said in a warning."""
    geometry = facts.geometry or (facts.shapes.most_common(1)[0][0] if facts.shapes else DEFAULT_GEOMETRY)
    other = {shape: n for shape, n in facts.shapes.items() if shape != geometry}
    if other:
        drawn = ", ".join(f"{n} as {shape}" for shape, n in other.items())
        warnings.append(f"class {name} is a {geometry}, but {sum(other.values())} of its objects are drawn "
                        f"otherwise ({drawn}): they will be schema findings (split the label, or fix them)")
    several = facts.several_points if geometry == "point" else 0
    if several:
        warnings.append(f"class {name} is a point, but {several} of its objects hold several points: they will "
                        "be schema findings (one point per object)")
    return sum(other.values()) + several


def _attributes(attributes: dict[str, AttributeFacts], owners: int, names: _Names,
                where: tuple[str, ...]) -> list[str]:
    taken: set[str] = set()
    lines = []
    for source, facts in attributes.items():
        name = unique(identifier(source, attribute=where[0] != "image"), taken)
        if name != source:
            names.table(*where, "attributes")[source] = name
        kind = attribute_type(facts)
        value_map = names.table(*where, "values", source)
        type_text = _type_text(kind, value_map)
        default = _default(facts, kind, value_map)
        optional = " ?" if default is None and _optional(facts, owners) else ""
        lines.append(f"  {name}: {type_text}{default and ' = ' + default or ''}{optional}")
    return lines


def _default(facts: AttributeFacts, kind: DraftType, value_map: dict) -> str | None:
    """The config's default when the drafted type kept the config's (a bool or one of the enum's values)."""
    default = facts.declared.default if facts.declared is not None else None
    if default is None or facts.declared.kind != kind.kind:
        return None
    if kind.kind == "bool":
        return default if default in ("true", "false") else None
    return value_map.get(default, default) if kind.kind == "enum" and default in kind.values else None


def _optional(facts: AttributeFacts, owners: int) -> bool:
    """Optional when some owner seen lacks it (the exports must check clean); with none seen, as declared."""
    if owners:
        return facts.present < owners
    return not (facts.declared is not None and facts.declared.required)


def _type_text(kind: DraftType, value_map: dict) -> str:
    if kind.kind != "enum":
        return kind.kind
    taken: set[str] = set()
    values = []
    for value in kind.values:
        name = unique(identifier(value), taken)
        if name != value:
            value_map[value] = name
        values.append(name)
    return "enum { " + ", ".join(values) + " }"


def _lift_common(mapping: dict) -> dict:
    """Attribute renames that every class spells alike (``Traffic Light Color`` -> ``traffic_light_color``)
    move to the mapping's common ``[attributes]`` table, written once instead of once per class."""
    per_class = mapping.get("per_class", {})
    targets: dict[str, set[str]] = {}
    for table in per_class.values():
        for source, target in table.get("attributes", {}).items():
            targets.setdefault(source, set()).add(target)
    common = {source: next(iter(t)) for source, t in targets.items() if len(t) == 1 and len(per_class) > 1}
    if not common:
        return mapping
    for table in per_class.values():
        for source in common:
            table.get("attributes", {}).pop(source, None)
    return _drop_empty({**mapping, "attributes": common})


def _drop_empty(node: dict) -> dict:
    """The mapping without the empty tables left by classes and attributes that needed no renaming."""
    out = {}
    for key, value in node.items():
        if isinstance(value, dict):
            value = _drop_empty(value)
            if not value:
                continue
        out[key] = value
    return out


def mapping_toml(mapping: dict) -> str:
    """The mapping as TOML (``specdsl.data.mapping`` reads it back); every key quoted."""
    out = ["# Written by `specc init`: the sources' names (left) -> the spec's identifiers (right).",
           'key_case = "keep"', ""]
    for table in ("classes", "attributes"):
        if table in mapping:
            out += [f"[{table}]", *_pairs(mapping[table]), ""]
    for path, table in _tables(mapping, ()):
        out += [f"[{'.'.join(_key(k) for k in path)}]", *_pairs(table), ""]
    return "\n".join(out)


def _tables(node: dict, path: tuple[str, ...]):
    for key, value in node.items():
        if not isinstance(value, dict) or (not path and key in ("classes", "attributes")):
            continue
        leaves = {k: v for k, v in value.items() if not isinstance(v, dict)}
        if leaves:
            yield (*path, key), leaves
        yield from _tables(value, (*path, key))


def _pairs(table: dict) -> list[str]:
    return [f"{_key(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]


def _key(key: str) -> str:
    return key if IDENTIFIER.match(key) and "-" not in key else json.dumps(key, ensure_ascii=False)
