"""Change kinds of the documentation and the examples: they never touch a label."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from specdsl import ir
from specdsl.diff import payloads as p
from specdsl.diff.context import Diffing
from specdsl.diff.kinds.common import both, both_constraints, header, kept_attributes, say
from specdsl.diff.model import Change, ChangeKind
from specdsl.diff.payloads import check_owner

# ---- documentation and examples ---------------------------------------------------------------------

DOC_CHANGED = ChangeKind("DOC_CHANGED", "safe", "documentation changed", """\
A doc string or explanation changed (of the spec, a class, an attribute, an enum value, a
constraint, a rule or a quota). The diff cannot know what a sentence means: if the new text
changes what a correct label is, declare it in a `changes` block (`relabel CLASS where ...` or
`review images`), which the impact analysis then follows.""", p.DocChanged,
                         lambda c, w: say("The explanation of {} was rewritten: read it again.", w.code(c.target)))


def doc_changed(d: Diffing) -> Iterator[Change]:
    """Each documented thing kept in both versions, as (payload without the texts, old, new, locations)."""
    texts = [(p.DocChanged("spec", None, None, "spec"), d.old.doc, d.new.doc, header(d.old), header(d.new))]
    texts += [(p.DocChanged(n, None, None, "class", n), d.old_class(n).doc, d.new_class(n).doc, d.old_class(n).loc,
               d.new_class(n).loc) for n in d.classes[2]]
    texts += [(p.DocChanged(pair.target, None, None, "attribute", pair.owner, new.name), old.doc, new.doc, old.loc,
               new.loc) for pair, old, new in kept_attributes(d)]
    texts += [(p.DocChanged(v.target, None, None, "value", *(v.uses[0] if v.uses else ("", ""))), v.old.doc,
               v.new.doc, v.old.loc, v.new.loc) for v in d.values if v.old and v.new]
    texts += [(p.DocChanged(new.check, None, None, "constraint", check_owner(new.check), index=new.index), old.doc,
               new.doc, old.loc, new.loc) for old, new in both_constraints(d)]
    texts += [(p.DocChanged(new.name, None, None, "rule", name=new.name), old.doc, new.doc, old.loc, new.loc)
              for old, new in both(d, "rules")]
    texts += [(p.DocChanged(new.name, None, None, "quota", name=new.name), old.doc, new.doc, old.loc, new.loc)
              for old, new in both(d, "quotas")]
    for subject, old, new, old_loc, new_loc in texts:
        if (old or "") != (new or ""):
            yield DOC_CHANGED.change(replace(subject, old_text=old, new_text=new), subject.target,
                                     f"Documentation of {subject.target} changed.", old_loc, new_loc)


EXAMPLE_ADDED = ChangeKind("EXAMPLE_ADDED", "safe", "an example was added", """\
A new `example` block: a test of the spec and a figure in the labeler docs.""", p.ExampleChange,
                           lambda c, w: say("New example \u201c{}\u201d.", c.title))


def example_added(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.new, ir.Example) and pair.old is None:
            yield EXAMPLE_ADDED.change(p.ExampleChange(pair.new.title), pair.new.title,
                                       f"Example '{pair.new.title}' was added.", new=pair.new.loc)


EXAMPLE_REMOVED = ChangeKind("EXAMPLE_REMOVED", "safe", "an example was removed", """\
An `example` block is gone from the spec and from the labeler docs.""", p.ExampleChange,
                             lambda c, w: say("The example \u201c{}\u201d was removed.", c.title))


def example_removed(d: Diffing) -> Iterator[Change]:
    for pair in d.kept_pairs("examples"):
        if isinstance(pair.old, ir.Example) and pair.new is None:
            yield EXAMPLE_REMOVED.change(p.ExampleChange(pair.old.title), pair.old.title,
                                         f"Example '{pair.old.title}' was removed.", old=pair.old.loc)


EXAMPLE_CHANGED = ChangeKind("EXAMPLE_CHANGED", "safe", "an example changed", """\
An `example` block shows another image or expects another verdict. Labelers see the new figure.""",
                             p.ExampleChange,
                             lambda c, w: say("The example \u201c{}\u201d changed: look at it again.", c.title))


def example_changed(d: Diffing) -> Iterator[Change]:
    for old, new in both(d, "examples"):
        if (old.valid, old.check, old.image) != (new.valid, new.check, new.image):
            yield EXAMPLE_CHANGED.change(p.ExampleChange(new.title), new.title, f"Example '{new.title}' changed.",
                                         old.loc, new.loc)
