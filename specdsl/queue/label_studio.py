"""Existing labels as Label Studio prediction regions, so a labeler corrects them instead of redrawing.

Label Studio places regions in percent of the image, so an image needs its width and height. Regions go
to one control tag per kind, named as in :data:`CONTROLS`: the names ``specc export-config --target
label-studio`` gives its label controls, so the tasks import into a project made from that config (a
prediction naming a control the config lacks is refused). Boxes are ``rectanglelabels``, polygons
``polygonlabels``, points ``keypointlabels``, polylines ``vectorlabels``. Masks are not exported (the count
of skipped objects is returned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from specdsl.queue.labels import ImageLabels

TO_NAME = "image"
# The label control names of specdsl.configs.label_studio.LABEL_TAGS (kept equal by a test; the configs
# module is not imported here, to keep the queue free of the reader and numpy imports).
CONTROLS = {"rectanglelabels": "box_labels", "polygonlabels": "polygon_labels", "keypointlabels": "point_labels",
            "vectorlabels": "polyline_labels"}
_TAGS = {"rectanglelabels": "RectangleLabels", "polygonlabels": "PolygonLabels",
         "keypointlabels": "KeyPointLabels", "vectorlabels": "VectorLabels"}
_KIND_OF_GEOMETRY = {"box": "rectanglelabels", "polygon": "polygonlabels", "polyline": "vectorlabels",
                     "point": "keypointlabels"}


@dataclass(frozen=True, slots=True)
class AttributeControl:
    """A per-region attribute control of the project's labeling config (``specc export-config``), so that an
    object's attribute values come along with its region. Built by
    :func:`specdsl.configs.label_studio.attribute_controls` from the spec."""

    name: str  # the control's name in the config
    kind: str  # the result type: "choices", "number" or "textarea"
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def value(self, value: Any) -> dict[str, Any] | None:
        """The result value for ``value``, or None when the control cannot show it (a value the spec no
        longer allows is left for the labeler to set, which is what the item asks)."""
        if self.kind == "choices":
            text = ("true" if value else "false") if isinstance(value, bool) else value
            return {"choices": [text]} if isinstance(text, str) and text in self.choices else None
        if self.kind == "number":
            inside = _is_number(value) and (self.low is None or value >= self.low) and (
                self.high is None or value <= self.high)
            return {"number": value} if inside else None
        return {"text": [value]} if isinstance(value, str) else None


Controls = Mapping[tuple[str, str], AttributeControl]  # (class, attribute) -> its control


def labeling_config(classes: Sequence[str]) -> str:
    """A labeling config whose control names match the regions this module writes."""
    labels = "".join(f'<Label value="{_xml(c)}"/>' for c in classes)
    controls = "".join(f'<{tag} name="{CONTROLS[kind]}" toName="{TO_NAME}">{labels}</{tag}>'
                       for kind, tag in _TAGS.items())
    return f'<View><Image name="{TO_NAME}" value="$image"/>{controls}</View>'


def regions(labels: ImageLabels, geometry: Mapping[str, str], notes: Mapping[str, str],
            controls: Controls | None = None) -> tuple[list[dict[str, Any]], int]:
    """The prediction regions of one image and how many objects could not be drawn (no size, a mask,
    no usable geometry). ``notes`` (object id -> text) is shown on the region as its meta text. With
    ``controls``, each attribute value a control can show follows its region (same region id)."""
    if not labels.width or not labels.height:
        return [], len(labels.objects)
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for obj in labels.objects:
        region = _region(obj, geometry, labels.width, labels.height)
        if region is None:
            continue
        object_id = str(obj.get("id", len(used)))
        region["id"] = _unique_id(object_id, used)
        if object_id in notes:
            region["meta"] = {"text": [notes[object_id]]}
        out.append(region)
        out += _attribute_results(obj, region, controls or {})
    return out, len(labels.objects) - len(used)


def _attribute_results(obj: Mapping[str, Any], region: Mapping[str, Any], controls: Controls) -> list[dict]:
    attributes = obj.get("attributes")
    if not isinstance(attributes, Mapping):
        return []
    out = []
    for name, value in attributes.items():
        control = controls.get((str(obj.get("class", "")), str(name)))
        shown = control.value(value) if control is not None else None
        if shown is not None:
            out.append({"id": region["id"], "from_name": control.name, "to_name": TO_NAME, "type": control.kind,
                        "original_width": region["original_width"], "original_height": region["original_height"],
                        "image_rotation": 0, "value": shown})
    return out


def _region(obj: Mapping[str, Any], geometry: Mapping[str, str], width: float,
            height: float) -> dict[str, Any] | None:
    cls = str(obj.get("class", ""))
    kind = _kind(obj, geometry.get(cls))
    value = _VALUES[kind](obj, width, height) if kind else None
    if value is None:
        return None
    value[kind] = [cls]
    return {"from_name": CONTROLS[kind], "to_name": TO_NAME, "type": kind, "original_width": width,
            "original_height": height, "image_rotation": 0, "value": value}


def _kind(obj: Mapping[str, Any], declared: str | None) -> str | None:
    """The region kind: the spec's geometry when known, else guessed from the keys the object has (points
    with a box, or closed ones, are an area: a polygon; open points without a box: a polyline)."""
    if declared in _KIND_OF_GEOMETRY:
        return _KIND_OF_GEOMETRY[declared]
    if declared is not None:
        return None  # a mask or a tag: nothing Label Studio draws from coordinates
    if "points" in obj:
        return "polygonlabels" if obj.get("closed") or "box" in obj else "vectorlabels"
    if "box" in obj:
        return "rectanglelabels"
    if "point" in obj:
        return "keypointlabels"
    return None


def _percent(value: float, size: float) -> float:
    """Percent of the image, kept inside it: Label Studio refuses coordinates beyond 100."""
    return round(min(max(value / size * 100.0, 0.0), 100.0), 4)


def _vertices(obj: Mapping[str, Any], width: float, height: float) -> list[tuple[float, float]] | None:
    points = obj.get("points")
    if not isinstance(points, list) or not all(_is_xy(p) for p in points) or not points:
        return None
    return [(_percent(p[0], width), _percent(p[1], height)) for p in points]


def _rectangle(obj: Mapping[str, Any], width: float, height: float) -> dict[str, Any] | None:
    box = obj.get("box")
    if not isinstance(box, list) or len(box) != 4 or not all(_is_number(v) for v in box):
        return None
    x, y = _percent(box[0], width), _percent(box[1], height)
    rotation = obj.get("rotation", 0)
    return {"x": x, "y": y, "width": min(_percent(box[2], width), 100.0 - x),
            "height": min(_percent(box[3], height), 100.0 - y),
            "rotation": float(rotation) % 360 if _is_number(rotation) else 0.0}


def _polygon(obj: Mapping[str, Any], width: float, height: float) -> dict[str, Any] | None:
    vertices = _vertices(obj, width, height)
    return None if vertices is None else {"points": [list(v) for v in vertices], "closed": True}


def _polyline(obj: Mapping[str, Any], width: float, height: float) -> dict[str, Any] | None:
    vertices = _vertices(obj, width, height)
    if vertices is None:
        return None
    base = str(obj.get("id", "v"))
    out = []
    for k, (x, y) in enumerate(vertices):
        vertex: dict[str, Any] = {"id": f"{base}-{k}", "x": x, "y": y}
        if k:
            vertex["prevPointId"] = f"{base}-{k - 1}"
        out.append(vertex)
    return {"vertices": out, "closed": False}


def _keypoint(obj: Mapping[str, Any], width: float, height: float) -> dict[str, Any] | None:
    point = obj.get("point")
    if not _is_xy(point):
        return None
    return {"x": _percent(point[0], width), "y": _percent(point[1], height), "width": 0.5}


_VALUES = {"rectanglelabels": _rectangle, "polygonlabels": _polygon, "vectorlabels": _polyline,
           "keypointlabels": _keypoint}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value  # NaN != NaN


def _is_xy(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) >= 2 and _is_number(value[0]) and _is_number(value[1])


def _unique_id(base: str, used: set[str]) -> str:
    candidate, k = base, 1
    while candidate in used:
        candidate, k = f"{base}-{k}", k + 1
    used.add(candidate)
    return candidate


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
