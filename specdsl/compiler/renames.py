"""Rename chains across ``changes`` blocks: what a name written in version V is called today.

A ``rename`` of version V is written with the names of version V. A later block may rename the
same attribute or value again (``botts_dots -> raised_markers`` in 2, ``raised_markers -> botts``
in 3), so a rename is consistent when its target, followed through the later renames, is
declared in the current spec: only that is checked (E0119).
"""

from __future__ import annotations

from dataclasses import dataclass

from specdsl.syntax import ast


@dataclass(frozen=True)
class AttributeRename:
    version: int
    owner: str
    old: str
    new: str


@dataclass(frozen=True)
class ValueRename:
    version: int
    owner: str
    attribute: str  # as written in its version
    old: str
    new: str


@dataclass(frozen=True)
class RenameChains:
    attributes: tuple[AttributeRename, ...]
    values: tuple[ValueRename, ...]

    @classmethod
    def of(cls, blocks: list[ast.ChangesDecl]) -> RenameChains:
        attributes, values = [], []
        for block in sorted(blocks, key=lambda b: b.version if isinstance(b.version, int) else 0):
            for action in block.actions:
                if isinstance(action, ast.Rename) and len(action.path) == 2:
                    attributes.append(AttributeRename(block.version, *action.path, action.new_name))
                elif isinstance(action, ast.Rename) and len(action.path) == 3:
                    values.append(ValueRename(block.version, *action.path, action.new_name))
        return cls(tuple(attributes), tuple(values))

    def attribute_now(self, owner: str, name: str, after: int) -> str:
        """The current name of attribute ``name`` of ``owner`` as written in version ``after``."""
        for rename in self.attributes:
            if rename.version > after and rename.owner == owner and rename.old == name:
                name = rename.new
        return name

    def value_now(self, owner: str, attribute: str, value: str, after: int) -> str:
        """The current name of ``value`` of ``owner.attribute``, both as written in version ``after``."""
        for rename in self.values:
            if rename.version <= after or rename.owner != owner or rename.old != value:
                continue
            # the value rename names the attribute as it was in its own version (before or after that
            # version's attribute renames)
            if rename.attribute in self._attribute_at(owner, attribute, after, rename.version):
                value = rename.new
        return value

    def _attribute_at(self, owner: str, attribute: str, written: int, version: int) -> tuple[str, str]:
        """Names of an attribute (written in version ``written``) just before and after version ``version``."""
        before = attribute
        for rename in self.attributes:
            if written < rename.version < version and rename.owner == owner and rename.old == before:
                before = rename.new
        after = before
        for rename in self.attributes:
            if rename.version == version and rename.owner == owner and rename.old == after:
                after = rename.new
        return before, after


@dataclass(frozen=True)
class Later:
    """The renames after one block's version: how the compiler checks that block's renames."""

    chains: RenameChains
    version: int

    def attribute(self, owner: str, name: str) -> str:
        return self.chains.attribute_now(owner, name, self.version)

    def value(self, owner: str, attribute: str, value: str) -> str:
        return self.chains.value_now(owner, attribute, value, self.version)

    @staticmethod
    def via(written: str, current: str) -> str:
        """For a message: how a name that a later block renames again ended up (empty when it did not)."""
        return "" if written == current else f" (renamed later to '{current}')"
