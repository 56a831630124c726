"""Change kinds a `changes` block declares (relabel, review), and those of the spec header."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from specdsl import ir
from specdsl.diff import hits as h
from specdsl.diff import payloads as p
from specdsl.diff.context import Diffing
from specdsl.diff.kinds.common import header, say
from specdsl.diff.model import Change, ChangeKind, Words

# ---- declared in `changes` blocks -------------------------------------------------------------------

RELABEL_DECLARED = ChangeKind("RELABEL_DECLARED", "breaking", "a `changes` block asks to relabel objects", """\
`changes N { relabel CLASS where EXPR }`: the authors of version N say that existing objects
matching EXPR are wrong under the new meaning. The impact analysis evaluates EXPR (compiled,
like any check) on labels made before version N and asks to relabel exactly those objects;
it also replaces the general review that ENUM_VALUE_ADDED would ask for that class.""", p.RelabelDeclared,
                              lambda c, w: say("Relabel every {} labeled before where {}.", w.code(c.class_name),
                                               w.condition(c.where)),
                              h.relabel_declared, "relabel")


def relabel_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.Relabel):
        payload = p.RelabelDeclared(action.class_name, action.where, action.text, block.version, block.summary)
        yield RELABEL_DECLARED.change(payload, action.class_name, f"Version {block.version} asks to relabel "
                                      f"{action.class_name} where {action.text}{_summary(block)}", new=block.loc)


def _summary(block: ir.Changes) -> str:
    return f": {block.summary}" if block.summary else "."


def _review_words(c: p.ReviewDeclared, w: Words) -> str:
    if c.where is None:
        return Markup("Look again at every image labeled before.")
    return say("Look again at every image labeled before where {}.", w.condition(c.where))


REVIEW_DECLARED = ChangeKind("REVIEW_DECLARED", "dangerous", "a `changes` block asks to review images", """\
`changes N { review images [where EXPR] }`: existing images (those matching EXPR over image
attributes) should be looked at again as a whole. The impact analysis queues them for review.""",
                             p.ReviewDeclared, _review_words, h.review_declared, "review")


def review_declared(d: Diffing) -> Iterator[Change]:
    for block, action in d.declared.actions(ir.ReviewImages):
        which = f" where {action.text}" if action.text else ""
        yield REVIEW_DECLARED.change(p.ReviewDeclared(action.where, action.text, block.version, block.summary),
                                     "image", f"Version {block.version} asks to review images{which}"
                                     f"{_summary(block)}", new=block.loc)




# ---- the spec itself --------------------------------------------------------------------------------

VERSION_NOT_BUMPED = ChangeKind("VERSION_NOT_BUMPED", "dangerous", "the spec changed but its version did not grow", """\
The new file differs from the old one, but its `version` is not larger. Labels record the
version they were made under (`spec_version`); without a new number, the impact of this
change on existing labels cannot be told apart from labels already made under it.""", p.SpecHeader,
                                lambda c, w: say("The spec changed but kept version {}: ask its authors which "
                                                 "version your labels follow.", c.new_version))


def version_not_bumped(d: Diffing) -> Iterator[Change]:
    if d.new.version <= d.old.version and _any_other_change(d):
        went = "is still" if d.new.version == d.old.version else f"went down from {d.old.version} to"
        yield VERSION_NOT_BUMPED.change(_header_payload(d), "version", f"The spec changed but its version {went} "
                                        f"{d.new.version}.", header(d.old), header(d.new))


def _any_other_change(d: Diffing) -> bool:
    from specdsl.diff.changes import RULES  # the registry lists this kind too: read it once it exists

    return any(True for kind, rule in RULES if kind is not VERSION_NOT_BUMPED for _ in rule(d))


SPEC_RENAMED = ChangeKind("SPEC_RENAMED", "safe", "the spec's name changed", """\
`spec NAME` changed (only diffed with `--allow-rename`). Exports name the spec they follow;
point them at the new name.""", p.SpecHeader,
                          lambda c, w: say("The spec is now called {} (before: {}).", w.code(c.new_name),
                                           w.code(c.old_name)))


def spec_renamed(d: Diffing) -> Iterator[Change]:
    if d.old.name != d.new.name:
        yield SPEC_RENAMED.change(_header_payload(d), "spec", f"The spec was renamed from '{d.old.name}' to "
                                  f"'{d.new.name}'.", header(d.old), header(d.new))


def _header_payload(d: Diffing) -> p.SpecHeader:
    return p.SpecHeader(d.old.name, d.new.name, d.old.version, d.new.version)
