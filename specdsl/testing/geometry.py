"""Geometries in the native export's shape, drawn inside a ``width`` x ``height`` image.

``tame`` geometries are what a careful labeler draws: inside the image, of a fair size, simple
polygons, lines with a clear direction. ``wild`` ones add what specs forbid: tiny or huge, leaving
the image, self-crossing polygons, one-point lines. ``near`` draws a copy of a geometry moved by a
few pixels, which is how rules' pairs (``distance``, ``iou``, ``endpoint_gap``, ``angle``) are made
to hold.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

GEOMETRY_KEY = {"box": "box", "polygon": "points", "polyline": "points", "point": "point", "mask": "mask"}


def tame(geometry: str, width: int, height: int) -> st.SearchStrategy[dict]:
    if geometry == "tag":
        return st.just({})
    margin = 4
    return st.builds(lambda x0, y0, fx, fy, n, seed: _shape(geometry, width, height, x0, y0, fx, fy, n, seed),
                     st.integers(margin, width // 3), st.integers(margin, height // 3),
                     st.floats(0.3, 0.6), st.floats(0.3, 0.6), st.integers(4, 7), st.integers(0, 3))


def wild(geometry: str, width: int, height: int) -> st.SearchStrategy[dict]:
    if geometry == "tag":
        return st.just({})
    strange = {
        "box": st.one_of(
            st.builds(lambda x, y, w, h: {"box": [x, y, w, h]}, st.integers(-20, width), st.integers(-20, height),
                      st.integers(1, width), st.integers(1, height)),
            st.builds(lambda x, y, w, h: {"box": [x, y, w, h]}, st.integers(0, width - 4), st.integers(0, height - 4),
                      st.integers(0, 3), st.integers(0, 3)),  # tiny, thin, empty
            st.builds(lambda w, h: {"box": [0, 0, w, h]}, st.integers(width, 5000), st.integers(height, 5000))),
        "polygon": st.one_of(
            st.builds(lambda x, y, s: {"points": [[x, y], [x + s, y + s], [x + s, y], [x, y + s]]},  # a bow tie
                      st.integers(0, width // 2), st.integers(0, height // 2), st.integers(2, width // 2)),
            st.builds(lambda x, y: {"points": [[x, y], [x + 2, y], [x + 2, y + 2]]},
                      st.integers(-5, width), st.integers(-5, height))),
        "polyline": st.one_of(
            st.builds(lambda x, y: {"points": [[x, y]]}, st.integers(0, width), st.integers(0, height)),
            st.builds(lambda x, y, dx, dy: {"points": [[x, y], [x + dx, y + dy]]}, st.integers(-10, width),
                      st.integers(-10, height), st.integers(-30, 30), st.integers(-30, 30))),
        "point": st.builds(lambda x, y: {"point": [x, y]}, st.integers(-10, width + 10), st.integers(-10, height + 10)),
        "mask": st.one_of(
            st.builds(lambda x, y: mask_rectangle(width, height, x, y, x + 2, y + 1),
                      st.integers(0, width - 3), st.integers(0, height - 2)),
            st.just(mask_rectangle(width, height, 0, 0, 0, 0)),  # empty
            # painted on a larger canvas, past the image's right and bottom edges
            st.just(mask_rectangle(width + 20, height + 20, width - 30, height - 30, width + 10, height + 10))),
    }[geometry]
    return st.one_of(tame(geometry, width, height), strange)


def _shape(geometry: str, width: int, height: int, x0: int, y0: int, fx: float, fy: float, n: int,
           seed: int) -> dict:
    w = max(12, int((width - x0 - 4) * fx))
    h = max(12, int((height - y0 - 4) * fy))
    if geometry == "box":
        return {"box": [x0, y0, w, h]}
    if geometry == "point":
        return {"point": [x0 + w // 2, y0 + h // 2]}
    if geometry == "mask":
        return mask_rectangle(width, height, x0, y0, x0 + w, y0 + h)
    if geometry == "polygon":  # convex: a regular n-gon in the box, so it is simple
        cx, cy, r = x0 + w / 2, y0 + h / 2, min(w, h) / 2
        turn = seed * math.pi / 16
        return {"points": [[round(cx + r * math.cos(turn + 2 * math.pi * k / n), 2),
                            round(cy + r * math.sin(turn + 2 * math.pi * k / n), 2)] for k in range(n)]}
    # polyline: from the bottom of the box upward, with a gentle bend
    steps = 2 + seed
    return {"points": [[x0 + w * k / (steps - 1) * 0.3 + (w * 0.1 if k % 2 else 0), y0 + h - h * k / (steps - 1)]
                       for k in range(steps)]}


def near(geometry_value: dict, dx: int, dy: int) -> dict:
    """The same geometry moved by (dx, dy): a second object that overlaps, touches or parallels the first."""
    moved = {}
    for key, value in geometry_value.items():
        if key == "box":
            moved[key] = [value[0] + dx, value[1] + dy, value[2], value[3]]
        elif key == "points":
            moved[key] = [[x + dx, y + dy] for x, y in value]
        elif key == "point":
            moved[key] = [value[0] + dx, value[1] + dy]
        else:
            moved[key] = value
    return moved


def mask_rectangle(width: int, height: int, x0: int, y0: int, x1: int, y1: int) -> dict:
    """An uncompressed COCO RLE (column-major runs, background first) of the rectangle [x0, x1) x [y0, y1)."""
    x0, x1 = max(0, min(x0, width)), max(0, min(x1, width))
    y0, y1 = max(0, min(y0, height)), max(0, min(y1, height))
    if x1 <= x0 or y1 <= y0:
        return {"mask": {"size": [height, width], "counts": [width * height]}}
    filled = y1 - y0
    counts = [x0 * height + y0]
    for column in range(x1 - x0):
        counts.append(filled)
        if column < x1 - x0 - 1:
            counts.append(height - filled)
    counts.append(height - y1 + (width - x1) * height)
    return {"mask": {"size": [height, width], "counts": counts}}
