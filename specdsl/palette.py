"""Class colours shared by the docs figures and the labeling-tool configs, so both show a class alike.

Bright tones that read on the dark image frame of the figures; red is left out on purpose,
because red marks the objects that break a rule.
"""

from __future__ import annotations

from specdsl import ir

CLASS_COLORS = ("#4FC3F7", "#FFB74D", "#81C784", "#BA68C8", "#FFF176", "#4DB6AC", "#9FA8DA", "#A1887F",
                "#E6EE9C", "#90A4AE", "#F48FB1", "#80DEEA")
FLAG_COLOR = "#FF3B5C"


def class_colors(spec: ir.Spec) -> dict[str, str]:
    """Colour of each class by its position in the spec: stable for a given spec."""
    return {c.name: CLASS_COLORS[k % len(CLASS_COLORS)] for k, c in enumerate(spec.classes)}
