"""Old and new elements matched by name, once, for every rule of the registry to read.

Matching happens on the IR, never on text: declarations are paired by name, constraints
by their expression (so reordering ``require`` lines changes nothing), and declared
renames from the new version's ``changes`` blocks pair an old name with a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from specdsl import ir
from specdsl.diff.model import by_name, dict_diff
from specdsl.diff.payloads import IMAGE

A = TypeVar("A")


@dataclass(frozen=True)
class Declared:
    """What the ``changes`` blocks of versions in ``(since, new.version]`` declare.

    Renames are composed along chains: ``botts_dots -> raised_markers`` in version 2 and
    ``raised_markers -> botts`` in version 3 map both older names to ``botts``, so labels made
    at any version before the chain reach the current name in one step.
    """

    blocks: tuple[ir.Changes, ...]
    attribute_renames: dict[tuple[str, str], str]  # (owner, any older name) -> current name
    value_renames: dict[tuple[str, str, str], str]  # (owner, attribute's current name, older value) -> current
    introduced: frozenset[tuple[str, ...]]  # names that are themselves the target of a rename in the window

    def actions(self, kind: type[A]) -> Iterator[tuple[ir.Changes, A]]:
        for block in self.blocks:
            for action in block.actions:
                if isinstance(action, kind):
                    yield block, action

    def current_attribute(self, owner: str, name: str) -> str:
        return self.attribute_renames.get((owner, name), name)

    def current_value(self, owner: str, attribute: str, value: str) -> str:
        """A value's current name; ``attribute`` is the attribute's current name."""
        return self.value_renames.get((owner, attribute, value), value)


def declared_since(spec: ir.Spec, since: int) -> Declared:
    blocks = tuple(b for b in spec.changes if since < b.version <= spec.version)
    declared = Declared(blocks, {}, {}, frozenset())
    attrs = _composed((action.class_name, action.old, action.new)
                      for _, action in declared.actions(ir.RenameAttribute))
    values = _composed((action.class_name, attrs.get((action.class_name, action.attribute), action.attribute),
                        action.old, action.new) for _, action in declared.actions(ir.RenameValue))
    introduced = {(a.class_name, a.new) for _, a in declared.actions(ir.RenameAttribute)}
    introduced |= {(a.class_name, attrs.get((a.class_name, a.attribute), a.attribute), a.new)
                   for _, a in declared.actions(ir.RenameValue)}
    return Declared(blocks, attrs, values, frozenset(introduced))  # type: ignore[arg-type]


def _composed(renames: Iterator[tuple[str, ...]]) -> dict:
    """``(*scope, old, new)`` in version order -> {(*scope, any older name): newest name}."""
    mapping: dict[tuple[str, ...], str] = {}
    for *scope, old, new in renames:
        for key, target in list(mapping.items()):
            if key[:-1] == tuple(scope) and target == old:
                mapping[key] = new
        mapping[(*scope, old)] = new
    return mapping


@dataclass(frozen=True)
class AttrPair:
    """One attribute of ``owner`` in both versions (``old`` or ``new`` None when added or removed)."""

    owner: str
    old: ir.Attribute | None
    new: ir.Attribute | None
    renamed: bool = False

    @property
    def target(self) -> str:
        return f"{self.owner}.{(self.new or self.old).name}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class ValuePair:
    """One value of an enum in both versions; ``uses`` are the (class, old attribute name) pairs holding it."""

    enum: str  # a named enum's name, or ``class.attribute`` for an inline enum
    old: ir.EnumValue | None
    new: ir.EnumValue | None
    uses: tuple[tuple[str, str], ...]
    renamed: bool = False

    @property
    def target(self) -> str:
        return f"{self.enum}.{(self.new or self.old).name}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class Pair:
    """A constraint, rule, quota or example in both versions."""

    old: object | None
    new: object | None


@dataclass
class Diffing:
    old: ir.Spec
    new: ir.Spec
    declared: Declared
    classes: tuple[list[str], list[str], list[str]] = field(init=False)
    attributes: list[AttrPair] = field(init=False)
    values: list[ValuePair] = field(init=False)
    constraints: list[Pair] = field(init=False)

    def __post_init__(self) -> None:
        self.classes = dict_diff(by_name(self.old.classes), by_name(self.new.classes))
        self.attributes = list(_attribute_pairs(self))
        self.values = list(_value_pairs(self))
        self.constraints = [p for name in self.classes[2] for p in _constraint_pairs(self, name)]

    def old_class(self, name: str) -> ir.Class:
        return self.old.cls(name)  # type: ignore[return-value]

    def new_class(self, name: str) -> ir.Class:
        return self.new.cls(name)  # type: ignore[return-value]

    def declared_only_attribute_renames(self) -> Iterator[tuple[ir.Changes, ir.RenameAttribute, str]]:
        """Declared renames the two versions do not show (the old version already had the new name).

        Labels made before the rename still carry the old name, so the rename still concerns them.
        Yields the block, the action and the attribute's current name (the end of its rename chain);
        a name only introduced by an earlier rename of the window is skipped (no label carries it).
        """
        matched = {(p.owner, p.old.name) for p in self.attributes if p.renamed and p.old is not None}
        for block, action in self.declared.actions(ir.RenameAttribute):
            current = self.declared.current_attribute(action.class_name, action.old)
            if ((action.class_name, action.old) not in matched and self._owner_has(action.class_name, current)
                    and (action.class_name, action.old) not in self.declared.introduced):
                yield block, action, current

    def declared_only_value_renames(self) -> Iterator[tuple[ir.Changes, ir.RenameValue, str, str, str]]:
        """Like :meth:`declared_only_attribute_renames`: block, action, the attribute's name in old labels,
        its current name and the value's current name."""
        matched = {(owner, attr, p.old.name) for p in self.values if p.renamed and p.old is not None
                   for owner, attr in p.uses}
        for block, action in self.declared.actions(ir.RenameValue):
            attribute = self.declared.current_attribute(action.class_name, action.attribute)
            old_attr = self.old_attribute_name(action.class_name, attribute)
            value = self.declared.current_value(action.class_name, attribute, action.old)
            if ((action.class_name, old_attr, action.old) not in matched
                    and (action.class_name, attribute, action.old) not in self.declared.introduced):
                yield block, action, old_attr, attribute, value

    def old_attribute_name(self, owner: str, current: str) -> str:
        """The name labels made under the old version use for an attribute now called ``current``."""
        olds = [old for (o, old), new in self.declared.attribute_renames.items() if o == owner and new == current]
        declared = self.old.image_attributes if owner == IMAGE else getattr(self.old.cls(owner), "attributes", ())
        names = {a.name for a in declared}
        return next((n for n in olds if n in names), olds[0] if olds else current)

    def _owner_has(self, owner: str, attribute: str) -> bool:
        if owner == IMAGE:
            return self.new.image_attribute(attribute) is not None
        cls = self.new.cls(owner)
        return cls is not None and cls.attribute(attribute) is not None

    def kept_pairs(self, items: str) -> list[Pair]:
        """Rules, quotas or examples paired by name (title for examples)."""
        key = "title" if items == "examples" else "name"
        old = {getattr(x, key): x for x in getattr(self.old, items)}
        new = {getattr(x, key): x for x in getattr(self.new, items)}
        added, removed, kept = dict_diff(old, new)
        return ([Pair(None, new[k]) for k in added] + [Pair(old[k], None) for k in removed]
                + [Pair(old[k], new[k]) for k in kept])


def diffing(old: ir.Spec, new: ir.Spec, since: int | None = None) -> Diffing:
    """Everything the rules need; ``since`` picks the ``changes`` blocks to read (default: old's version)."""
    return Diffing(old, new, declared_since(new, old.version if since is None else since))


# ---- attributes -------------------------------------------------------------------------------------


def _owners(d: Diffing) -> Iterator[tuple[str, tuple[ir.Attribute, ...], tuple[ir.Attribute, ...]]]:
    yield IMAGE, d.old.image_attributes, d.new.image_attributes
    for name in d.classes[2]:
        yield name, d.old_class(name).attributes, d.new_class(name).attributes


def _attribute_pairs(d: Diffing) -> Iterator[AttrPair]:
    for owner, old_attrs, new_attrs in _owners(d):
        old, new = by_name(old_attrs), by_name(new_attrs)
        for old_name, new_name in sorted(d.declared.attribute_renames.items()):
            if old_name[0] == owner and old_name[1] in old and new_name in new and new_name not in old:
                yield AttrPair(owner, old.pop(old_name[1]), new.pop(new_name), renamed=True)
        added, removed, kept = dict_diff(old, new)
        yield from (AttrPair(owner, None, new[k]) for k in added)
        yield from (AttrPair(owner, old[k], None) for k in removed)
        yield from (AttrPair(owner, old[k], new[k]) for k in kept)


# ---- enum values ------------------------------------------------------------------------------------


def _value_pairs(d: Diffing) -> Iterator[ValuePair]:
    old_enums, new_enums = by_name(d.old.enums), by_name(d.new.enums)
    for name in dict_diff(old_enums, new_enums)[2]:
        uses = [p for p in d.attributes if _both_use(p, name)]
        renames = _value_renames(d, uses)
        yield from _diff_values(name, old_enums[name].values, new_enums[name].values,
                                tuple((p.owner, p.old.name) for p in uses), renames)  # type: ignore[union-attr]
    for pair in d.attributes:
        if _enum_pair(pair) and not (pair.old.type.enum and pair.old.type.enum == pair.new.type.enum):
            yield from _diff_values(pair.target, pair.old.value_docs, pair.new.value_docs,  # type: ignore[union-attr]
                                    ((pair.owner, pair.old.name),), _value_renames(d, [pair]))  # type: ignore[union-attr]


def _enum_pair(pair: AttrPair) -> bool:
    return (pair.old is not None and pair.new is not None
            and pair.old.type.kind == "enum" and pair.new.type.kind == "enum")


def _both_use(pair: AttrPair, enum: str) -> bool:
    return _enum_pair(pair) and pair.old.type.enum == enum and pair.new.type.enum == enum  # type: ignore[union-attr]


def _value_renames(d: Diffing, pairs: list[AttrPair]) -> dict[str, str]:
    names = {(p.owner, p.new.name) for p in pairs}  # type: ignore[union-attr]
    return {old: new for (owner, attr, old), new in d.declared.value_renames.items() if (owner, attr) in names}


def _diff_values(enum: str, old_values, new_values, uses: tuple[tuple[str, str], ...],
                 renames: dict[str, str]) -> Iterator[ValuePair]:
    old, new = by_name(old_values), by_name(new_values)
    for old_name, new_name in sorted(renames.items()):
        if old_name in old and new_name in new and new_name not in old and old_name not in new:
            yield ValuePair(enum, old.pop(old_name), new.pop(new_name), uses, renamed=True)
    added, removed, kept = dict_diff(old, new)
    yield from (ValuePair(enum, None, new[k], uses) for k in added)
    yield from (ValuePair(enum, old[k], None, uses) for k in removed)
    yield from (ValuePair(enum, old[k], new[k], uses) for k in kept)


# ---- constraints ------------------------------------------------------------------------------------


def _constraint_pairs(d: Diffing, class_name: str) -> Iterator[Pair]:
    """Pair by name first (a named check is the same check whatever it now says), then by expression
    (reordering is no change), then the unnamed leftovers in source order; a name that is gone was removed,
    a new name was added."""
    old = list(d.old_class(class_name).constraints)
    new = list(d.new_class(class_name).constraints)
    for same in (lambda a, b: a.name is not None and a.name == b.name, lambda a, b: a.expr == b.expr):
        for constraint in list(old):
            twin = next((n for n in new if same(constraint, n)), None)
            if twin is not None:
                old.remove(constraint)
                new.remove(twin)
                yield Pair(constraint, twin)
    yield from (Pair(c, None) for c in old if c.name is not None)
    yield from (Pair(None, c) for c in new if c.name is not None)
    old, new = [c for c in old if c.name is None], [c for c in new if c.name is None]
    for index in range(max(len(old), len(new))):
        yield Pair(old[index] if index < len(old) else None, new[index] if index < len(new) else None)
