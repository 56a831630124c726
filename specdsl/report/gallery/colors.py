"""The colour an object is drawn in: its colour attribute's value when that names a colour, else its class's.

Lane markings are labeled by colour: drawing a yellow line yellow lets a reviewer see a wrong
``color`` at a glance. Values that name no colour (``amber_dashed``) fall back to the class colour.
"""

from __future__ import annotations

from collections.abc import Mapping

UNKNOWN_CLASS_COLOR = "#CFD8DC"

# Tones that read on the dark frame; pure red stays the colour of offending objects.
NAMED_COLORS = {
    "white": "#F5F7FA", "yellow": "#FFD54F", "orange": "#FF9E40", "blue": "#64B5F6", "green": "#81C784",
    "red": "#E57373", "black": "#78808C", "gray": "#B0BEC5", "grey": "#B0BEC5", "purple": "#BA68C8",
    "pink": "#F48FB1", "brown": "#A1887F", "cyan": "#80DEEA",
}


def object_color(class_name: str, color_value: str | None, class_colors: Mapping[str, str]) -> str:
    if color_value is not None:
        named = NAMED_COLORS.get(color_value.strip().lower())
        if named:
            return named
    return class_colors.get(class_name, UNKNOWN_CLASS_COLOR)
