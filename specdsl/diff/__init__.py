"""Semantic diff between two versions of a spec, and its impact on existing labels.

``diff_specs(old, new)`` runs every rule of :data:`specdsl.diff.changes.RULES` over the IR,
so layout, order and comments never show up as changes.
"""

from specdsl.diff.changes import KINDS, RULES, diff_specs
from specdsl.diff.model import SEVERITIES, Change, ChangeKind

__all__ = ["KINDS", "RULES", "SEVERITIES", "Change", "ChangeKind", "diff_specs"]
